/**
 * The reasons checkDigest and checkRedirect give, and the edges of their rules: a digest whose
 * encoded part is hex only at one end, an algorithm docker does not verify, a mixed-case
 * algorithm; a blank Location, a Location that is not a URL, a long hostile Location cut in the
 * evidence; the method after each redirect status (Go's net/http redirectBehavior, client.go:
 * 301/302/303 turn a POST into GET, 307/308 keep it).
 */
import { describe, expect, it } from 'vitest';
import { checkDigest, quoteDigest } from '../../../functions/registry/digest.ts';
import { checkRedirect, methodAfterRedirect } from '../../../functions/registry/redirect-policy.ts';

const hex = (n: number) => 'a'.repeat(n);

describe('checkDigest: reasons', () => {
  it('refuses an encoded part that is hex at one end only', () => {
    for (const encoded of [`G${hex(63)}`, `${hex(63)}G`]) {
      expect(checkDigest(`sha256:${encoded}`)).toEqual({
        valid: false,
        reason:
          'a sha256 digest is 64 lower-case hex characters; this one is 64 characters with other characters',
      });
    }
  });

  it('says "with other characters" only when there are some', () => {
    expect(checkDigest(`sha256:${hex(63)}`)).toEqual({
      valid: false,
      reason: 'a sha256 digest is 64 lower-case hex characters; this one is 63 characters',
    });
  });

  it('names the algorithms docker verifies when the digest uses another', () => {
    expect(checkDigest(`sha1:${hex(40)}`)).toEqual({
      valid: false,
      reason: 'the algorithm sha1 is not one docker verifies (sha256, sha384, sha512)',
    });
  });

  it('refuses an upper-case algorithm by the grammar, not by the algorithm list', () => {
    expect(checkDigest(`Sha256:${hex(64)}`)).toEqual({
      valid: false,
      reason: 'does not match the OCI digest grammar algorithm:encoded',
    });
  });
});

describe('quoteDigest', () => {
  it('quotes a value that is not a string as its text', () => {
    expect(quoteDigest(42)).toBe('"42"');
    expect(quoteDigest(null)).toBe('"null"');
  });

  it('keeps 100 characters whole and cuts the 101st', () => {
    expect(quoteDigest(hex(100))).toBe(`"${hex(100)}"`);
    expect(quoteDigest(hex(101))).toBe(`"${hex(100)}…"`);
  });
});

describe('methodAfterRedirect', () => {
  it.each([301, 302, 303])('turns a POST into GET on %i', (status) => {
    expect(methodAfterRedirect(status, 'POST')).toBe('GET');
  });

  it.each([307, 308])('keeps a POST on %i', (status) => {
    expect(methodAfterRedirect(status, 'POST')).toBe('POST');
  });

  it('keeps HEAD on every status', () => {
    for (const status of [301, 302, 303, 307, 308]) expect(methodAfterRedirect(status, 'HEAD')).toBe('HEAD');
  });
});

describe('checkRedirect: reasons', () => {
  const from = new URL('https://registry.example.com/v2/team/app/blobs/sha256:x');
  const origin = 'https://registry.example.com';

  it('refuses a blank Location as none, rather than following it back to the same URL', () => {
    expect(checkRedirect(from, '   ', origin)).toEqual({
      allowed: false,
      reason: 'the redirect has no Location header',
    });
  });

  it('quotes a Location that is not a URL, cut to 200 characters', () => {
    expect(checkRedirect(from, 'http://[bad', origin)).toEqual({
      allowed: false,
      reason: 'the Location "http://[bad" is not a URL',
    });
    const long = `http://[${'b'.repeat(300)}`;
    const decision = checkRedirect(from, long, origin);
    expect(decision).toEqual({
      allowed: false,
      reason: `the Location ${JSON.stringify(long.slice(0, 200))} is not a URL`,
    });
  });

  it('cuts a long Location to the metadata service at 200 characters in the reason, and keeps a short one whole', () => {
    const long = checkRedirect(from, `http://169.254.169.254/${'c'.repeat(300)}`, origin);
    const short = checkRedirect(from, 'http://169.254.169.254/latest/meta-data/', origin);
    if (long.allowed || short.allowed) throw new Error('the metadata address was allowed');
    const cut = `http://169.254.169.254/${'c'.repeat(200 - 'http://169.254.169.254/'.length)}…`;
    expect(long.reason.startsWith(`the Location ${cut} points at `)).toBe(true);
    expect(short.reason.startsWith('the Location http://169.254.169.254/latest/meta-data/ points at ')).toBe(
      true,
    );
    expect(short.reason).not.toContain('…');
  });
});
