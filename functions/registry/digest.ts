/**
 * Content digests, validated before any use.
 *
 * Why: every digest the probe puts into a URL comes from the registry (an index entry, a config
 * or layer descriptor, a Docker-Content-Digest header). Unchecked, an index entry such as
 * `sha256:0/../../admin` makes the probe request another path on the registry host, with the
 * registry's credentials. So a digest is parsed here first and refused unless it is exactly what
 * docker would accept:
 * - the OCI grammar (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests):
 *   `algorithm ":" encoded`, algorithm `[a-z0-9]+([+._-][a-z0-9]+)*`, encoded `[a-zA-Z0-9=_-]+`;
 * - and an algorithm docker can verify, with its exact encoding: go-digest (which docker and
 *   containerd use) knows sha256, sha384 and sha512, lower-case hex of 64, 96 and 128 characters
 *   (opencontainers/go-digest algorithm.go, anchoredEncodedRegexps), and answers any other
 *   algorithm with ErrDigestUnsupported. The OCI spec registers sha256 and sha512.
 * A digest that passes can contain no `/`, `.`, `%`, `?` or `#`: it is a safe URL path segment.
 */

/** Hex length of each algorithm docker verifies (go-digest). */
export const DIGEST_ALGORITHMS: Readonly<Record<string, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});

/** The OCI descriptor grammar, anchored. */
const OCI_DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export type DigestCheck =
  | { valid: true; digest: string; algorithm: string; encoded: string }
  | { valid: false; reason: string };

/** Whether `value` is a digest docker would accept, and why not. */
export function checkDigest(value: unknown): DigestCheck {
  if (typeof value !== 'string') return { valid: false, reason: `not a string (${typeof value})` };
  if (!OCI_DIGEST_GRAMMAR.test(value)) {
    return { valid: false, reason: 'does not match the OCI digest grammar algorithm:encoded' };
  }
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  const length = DIGEST_ALGORITHMS[algorithm];
  if (length === undefined) {
    return {
      valid: false,
      reason: `the algorithm ${algorithm} is not one docker verifies (${Object.keys(DIGEST_ALGORITHMS).join(', ')})`,
    };
  }
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    return {
      valid: false,
      reason: `a ${algorithm} digest is ${length} lower-case hex characters; this one is ${encoded.length} characters${/[^a-f0-9]/.test(encoded) ? ' with other characters' : ''}`,
    };
  }
  return { valid: true, digest: value, algorithm, encoded };
}

/** A digest for evidence: JSON-quoted (control characters visible) and cut to 100 characters. */
export function quoteDigest(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
