/**
 * Digest validation (digest.ts): the OCI descriptor grammar
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests) narrowed to what
 * go-digest verifies (opencontainers/go-digest algorithm.go: sha256, sha384, sha512 as lower-case
 * hex of 64, 96, 128 characters), checked before any digest reaches a URL.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDigest, DIGEST_ALGORITHMS } from '../../../functions/registry/digest.ts';

const OCI_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const BASE = new URL('https://registry.example.com');

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const validDigest = fc
  .constantFrom(...Object.entries(DIGEST_ALGORITHMS))
  .chain(([algorithm, length]) => hex(length).map((h) => `${algorithm}:${h}`));

/** Strings a hostile registry might put where a digest goes. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'sha256:0/../../admin',
    'sha256:../../../v2/_catalog',
    'sha256:%2e%2e%2fadmin',
    'sha256:abc?x=1',
    'sha256:abc#frag',
    'sha256:\u0000',
    `sha256:${'a'.repeat(64)}/`,
    `sha256:${'a'.repeat(64)}\n`,
    ` sha256:${'a'.repeat(64)}`,
    `SHA256:${'a'.repeat(64)}`,
    `sha256:${'ａ'.repeat(64)}`,
  ),
  validDigest.map((d) => `${d}/../x`),
  validDigest.chain((d) => fc.string().map((tail) => `${d}${tail}`)),
);

describe('checkDigest', () => {
  it('law: every accepted digest matches the OCI grammar and its algorithm’s exact hex form', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, validDigest), (value) => {
        const check = checkDigest(value);
        if (!check.valid) return;
        expect(value).toMatch(OCI_GRAMMAR);
        const length = DIGEST_ALGORITHMS[check.algorithm];
        expect(length).toBeDefined();
        expect(check.encoded).toMatch(new RegExp(`^[a-f0-9]{${length}}$`));
      }),
      { numRuns: 3000 },
    );
  });

  it('law: an accepted digest is one URL path segment: no /.., no encoding, no query or fragment', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, validDigest), (value) => {
        if (!checkDigest(value).valid) return;
        const url = new URL(`/v2/team/app/blobs/${value}`, BASE);
        expect(url.pathname).toBe(`/v2/team/app/blobs/${value}`);
        expect(url.pathname).not.toContain('/..');
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
        expect(encodeURIComponent(value).replace(/%3A/g, ':')).toBe(value);
      }),
      { numRuns: 3000 },
    );
  });

  it('law: every well-formed sha256, sha384 and sha512 digest is accepted', () => {
    fc.assert(
      fc.property(validDigest, (value) => {
        expect(checkDigest(value)).toMatchObject({ valid: true, digest: value });
      }),
    );
  });

  it('law: a hex part of the wrong length is refused for every algorithm', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.entries(DIGEST_ALGORITHMS)),
        fc.integer({ min: 1, max: 200 }),
        ([algorithm, length], other) => {
          fc.pre(other !== length);
          expect(checkDigest(`${algorithm}:${'a'.repeat(other)}`).valid).toBe(false);
        },
      ),
    );
  });

  it.each([
    ['sha256:0/../../admin', 'OCI digest grammar'],
    [`sha256:${'A'.repeat(64)}`, 'lower-case hex'],
    [`sha256:${'a'.repeat(63)}`, '63 characters'],
    [`sha512:${'a'.repeat(64)}`, '128 lower-case hex'],
    [`md5:${'a'.repeat(32)}`, 'the algorithm md5 is not one docker verifies'],
    [`blake3:${'a'.repeat(64)}`, 'the algorithm blake3'],
    [`sha256+b64u:${'a'.repeat(43)}`, 'the algorithm sha256+b64u'],
    [42, 'not a string (number)'],
    ['', 'OCI digest grammar'],
  ])('refuses %j: %s', (value, reason) => {
    const check = checkDigest(value);

    expect(check.valid).toBe(false);
    expect(!check.valid && check.reason).toContain(reason);
  });

  it('accepts sha384, which go-digest verifies and the OCI spec does not register', () => {
    expect(checkDigest(`sha384:${'b'.repeat(96)}`).valid).toBe(true);
  });
});
