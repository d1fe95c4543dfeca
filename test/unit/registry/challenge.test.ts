import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBearer, parseWwwAuthenticate } from '../../../functions/registry/challenge.ts';
import { ChallengeParseError } from '../../../functions/registry/errors.ts';

describe('parseWwwAuthenticate', () => {
  it('reads Docker Hub bearer challenges', () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"';
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } },
    ]);
  });

  it('splits a scope holding several space-separated scopes', () => {
    const header =
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull repository:c/d:pull,push"';
    expect(findBearer(parseWwwAuthenticate(header))).toEqual({
      realm: 'https://ghcr.io/token',
      service: 'ghcr.io',
      scopes: ['repository:a/b:pull', 'repository:c/d:pull,push'],
    });
  });

  it('reads several challenges in one header', () => {
    const header =
      'Basic realm="Registry Realm", Bearer realm="https://auth.example.com/t",service="x", error="invalid_token"';
    const challenges = parseWwwAuthenticate(header);
    expect(challenges.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(challenges[1]!.params).toEqual({
      realm: 'https://auth.example.com/t',
      service: 'x',
      error: 'invalid_token',
    });
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    const header = 'Bearer realm="https://a.example/t?x=1,2",error_description="say \\"hi\\", then go"';
    expect(parseWwwAuthenticate(header)[0]!.params).toEqual({
      realm: 'https://a.example/t?x=1,2',
      error_description: 'say "hi", then go',
    });
  });

  it('reads unquoted values, odd spacing and upper-case names', () => {
    const header = 'BASIC  REALM = ecr ,  service=ecr.amazonaws.com';
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'basic', params: { realm: 'ecr', service: 'ecr.amazonaws.com' } },
    ]);
  });

  it('reads a bare scheme and a token68 challenge', () => {
    expect(parseWwwAuthenticate('Negotiate abc+/==, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/==' },
      { scheme: 'basic', params: {} },
    ]);
  });

  it.each([
    ['', 'no challenge'],
    ['Bearer realm="unterminated', 'unterminated'],
    ['Bearer realm="a", =b', 'auth scheme'],
    ['Bearer a=b c', 'expected ","'],
    ['"quoted-scheme"', 'auth scheme'],
    ['Bearer realm="a" service="b"', 'expected ","'],
  ])('refuses the malformed header %j', (header, reason) => {
    expect(() => parseWwwAuthenticate(header)).toThrow(ChallengeParseError);
    expect(() => parseWwwAuthenticate(header)).toThrow(reason);
  });

  it('refuses a Bearer challenge without a realm', () => {
    const header = 'Bearer service="x"';
    expect(() => findBearer(parseWwwAuthenticate(header), header)).toThrow('no realm');
  });

  it('never throws anything but ChallengeParseError', () => {
    const alphabet = fc.constantFrom(...'Bearer realm="x,y\\" service=scope Basic ,\t=\'ab:/'.split(''));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')),
        ),
        (header) => {
          try {
            const challenges = parseWwwAuthenticate(header);
            findBearer(challenges, header);
          } catch (error) {
            expect(error).toBeInstanceOf(ChallengeParseError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips any parameters it is given', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
    const value = fc.string({ maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, value), { minLength: 1, maxLength: 5, selector: (t) => t[0] }),
        (params) => {
          const quote = (v: string) => `"${v.replace(/(["\\])/g, '\\$1')}"`;
          const header = `Bearer ${params.map(([k, v]) => `${k}=${quote(v)}`).join(', ')}, Basic realm="r"`;
          const challenges = parseWwwAuthenticate(header);
          expect(challenges[0]!.params).toEqual(Object.fromEntries(params));
          expect(challenges[1]).toEqual({ scheme: 'basic', params: { realm: 'r' } });
        },
      ),
    );
  });
});
