/**
 * Blobs: HEAD or GET the config blob, and optionally download and verify one small layer.
 * Registries often answer blob requests with a redirect to storage (S3, CloudFront, Cloudflare,
 * GCS). RegistryClient.send follows them by hand under the redirect policy (redirect-policy.ts),
 * each hop a `blob-redirect` step of its own with its timings and host, and Authorization never
 * goes to the storage host: the distribution spec forbids forwarding it, it would hand the
 * registry token to a third party, and S3 rejects a request that carries both a signature and a
 * header ("Only one auth mechanism allowed").
 */

import { DigestMismatchError, ProtocolError } from './errors.ts';
import type { HttpExchange } from './http.ts';
import { digestOf } from './manifest.ts';
import { redactUrl } from './redact.ts';
import type { RegistryClient } from './registry-client.ts';
import type { VerifiedBlob } from './types.ts';

export interface BlobHead {
  /** Where the blob was finally served from: the registry itself or its storage. */
  storageHost: string;
  size: number | null;
}

/** HEAD a blob, following redirects by hand. */
export async function headBlob(registry: RegistryClient, digest: string): Promise<BlobHead> {
  const final = await followRedirects(registry, 'blob-head', registry.repositoryUrl(`blobs/${digest}`), 0);
  const length = final.exchange.headers['content-length'];
  return {
    storageHost: final.url.host,
    size: length !== undefined && /^\d+$/.test(length) ? Number(length) : null,
  };
}

/** Download a blob of known size, following redirects by hand, and check its digest. */
export async function getBlob(
  registry: RegistryClient,
  digest: string,
  size: number,
  step: 'blob-get' | 'config-get' = 'blob-get',
): Promise<{ bytes: Buffer; bodyMs: number; storageHost: string }> {
  const url = registry.repositoryUrl(`blobs/${digest}`);
  const final = await followRedirects(registry, step, url, size);
  const bytes = final.exchange.body;
  if (final.exchange.bodyTruncated) {
    throw new ProtocolError(
      `GET ${redactUrl(final.url)}: the blob is larger than the ${size} bytes its descriptor declares`,
      [`descriptor size: ${size}`],
    );
  }
  // Size before digest, as containerd's content writer commits ("unexpected commit size %d, expected %d").
  if (bytes.length !== size) {
    throw new ProtocolError(
      `GET ${redactUrl(final.url)}: the blob is ${bytes.length} bytes, its descriptor says ${size}`,
      [`descriptor size: ${size}`, `bytes served: ${bytes.length}`, `digest: ${digest}`],
    );
  }
  const actual = digestOf(bytes, digest);
  if (actual !== digest) throw new DigestMismatchError(redactUrl(final.url), digest, actual);
  return { bytes, bodyMs: final.exchange.bodyMs, storageHost: final.url.host };
}

/** Download and verify a blob, with the throughput of its body transfer. */
export async function verifyBlob(
  registry: RegistryClient,
  digest: string,
  size: number,
): Promise<VerifiedBlob & { storageHost: string }> {
  const { bytes, bodyMs, storageHost } = await getBlob(registry, digest, size);
  const seconds = Math.max(bodyMs, 1) / 1000;
  return {
    digest,
    bytes: bytes.length,
    throughputBytesPerSecond: Math.round(bytes.length / seconds),
    storageHost,
  };
}

function followRedirects(
  registry: RegistryClient,
  firstStep: 'blob-head' | 'blob-get' | 'config-get',
  start: URL,
  maxBodyBytes: number,
): Promise<{ exchange: HttpExchange; url: URL }> {
  const method = firstStep === 'blob-head' ? 'HEAD' : 'GET';
  return registry.sendFollowing(firstStep, method, start, {
    maxBodyBytes: maxBodyBytes + 1,
    hopStep: 'blob-redirect',
  });
}
