/**
 * The TLS trust a probe verifies registries against: Node's default roots, plus any extra CAs a
 * private registry needs.
 *
 * Why a cache: `tls.connect({ ca })` builds a new secure context on every connection, parsing each
 * of the ~140 root certificates again. That costs about 50 ms of CPU per handshake (measured in
 * bench/RESULTS.md), which the probe would report as the registry's connect time and which, across
 * hundreds of concurrent targets, saturates a Lambda's CPU. A context built once per CA bundle
 * costs that only once per process.
 */
import { createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/** At most this many distinct bundles are kept: a config has one; tests and the CLI a few. */
const MAX_CONTEXTS = 16;
const contexts = new Map<string, SecureContext>();

/** What identifies a CA bundle in a cache key (connection-pool.ts): its hash, or "default". */
export function trustKey(extraCaCertificates: readonly string[] | undefined): string {
  if (!extraCaCertificates?.length) return 'default';
  return createHash('sha256').update(extraCaCertificates.join('\n')).digest('hex');
}

/**
 * The secure context that trusts Node's roots and `extraCaCertificates` (PEM), or undefined when
 * there are none, so that Node's own default context is used.
 */
export function trustedContext(
  extraCaCertificates: readonly string[] | undefined,
): SecureContext | undefined {
  if (!extraCaCertificates?.length) return undefined;
  const key = trustKey(extraCaCertificates);
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, ...extraCaCertificates] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(key, context);
  }
  return context;
}
