// WWW-Authenticate grammar (RFC 7235 section 2.1 and 4.1, RFC 7230 section 3.2.6 for token and
// quoted-string) rule by rule, and the law that a parsed header, written out again, parses to the
// same challenges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Challenge, findBearer, parseWwwAuthenticate } from '../../../functions/registry/challenge.ts';
import { ChallengeParseError } from '../../../functions/registry/errors.ts';

function failure(header: string): string {
  try {
    parseWwwAuthenticate(header);
  } catch (error) {
    if (error instanceof ChallengeParseError) return error.reason;
    throw error;
  }
  throw new Error(`${JSON.stringify(header)} parsed`);
}

/** Writes challenges back as a header: every value quoted, quotes and backslashes escaped. */
function serialise(challenges: Challenge[]): string {
  const quote = (v: string) => `"${v.replace(/(["\\])/g, '\\$1')}"`;
  return challenges
    .map((c) => {
      if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`;
      const params = Object.entries(c.params).map(([k, v]) => `${k}=${quote(v)}`);
      return params.length ? `${c.scheme} ${params.join(', ')}` : c.scheme;
    })
    .join(', ');
}

describe('parseWwwAuthenticate: parameters', () => {
  it('keeps the first of two parameters with the same name', () => {
    // RFC 7235 section 2.2: each parameter name MUST only occur once per challenge; a second
    // realm must not let a hostile header redirect the token request.
    expect(parseWwwAuthenticate('Bearer realm="https://a.example/t",REALM="https://evil.example/t"')).toEqual(
      [{ scheme: 'bearer', params: { realm: 'https://a.example/t' } }],
    );
  });

  it('reads an empty quoted value and an empty token value', () => {
    expect(parseWwwAuthenticate('Bearer realm="",service=,scope=')[0]!.params).toEqual({
      realm: '',
      service: '',
      scope: '',
    });
  });

  it('reads tabs and spaces around "=" and after commas', () => {
    expect(parseWwwAuthenticate('Bearer\trealm\t=\t"r" ,\tservice = s')[0]!.params).toEqual({
      realm: 'r',
      service: 's',
    });
  });

  it('skips empty list elements between and around challenges', () => {
    expect(parseWwwAuthenticate(' , Bearer realm="a", , service="b",, Basic realm="c" ,')).toEqual([
      { scheme: 'bearer', params: { realm: 'a', service: 'b' } },
      { scheme: 'basic', params: { realm: 'c' } },
    ]);
  });

  it('keeps every byte of a quoted value, escapes resolved', () => {
    expect(parseWwwAuthenticate('Bearer error_description="a\\\\b \\"c\\" =,d\\e"')[0]!.params).toEqual({
      error_description: 'a\\b "c" =,de',
    });
  });
});

describe('parseWwwAuthenticate: schemes and token68', () => {
  it('lower-cases the scheme and the parameter names, not the values', () => {
    expect(parseWwwAuthenticate('bEaReR Realm="HTTPS://A.example/T"')).toEqual([
      { scheme: 'bearer', params: { realm: 'HTTPS://A.example/T' } },
    ]);
  });

  it('reads bare schemes separated by commas', () => {
    expect(parseWwwAuthenticate('Bearer,Basic , Negotiate')).toEqual([
      { scheme: 'bearer', params: {} },
      { scheme: 'basic', params: {} },
      { scheme: 'negotiate', params: {} },
    ]);
  });

  it('reads token68 with "=" padding and spaces before the next challenge', () => {
    expect(parseWwwAuthenticate('Negotiate YII+/ab-._~==  , Basic realm="r"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YII+/ab-._~==' },
      { scheme: 'basic', params: { realm: 'r' } },
    ]);
  });

  it('reads token68 followed by a tab before the next challenge', () => {
    expect(parseWwwAuthenticate('Negotiate abc=\t, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc=' },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('reads name=value as a parameter, not as token68', () => {
    expect(parseWwwAuthenticate('Custom abc=def')).toEqual([{ scheme: 'custom', params: { abc: 'def' } }]);
  });

  it('reads token68 at the very end of the header, and before a comma', () => {
    expect(parseWwwAuthenticate('Negotiate abc')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc' },
    ]);
    expect(parseWwwAuthenticate('Bearer a,b')).toEqual([
      { scheme: 'bearer', params: {}, token68: 'a' },
      { scheme: 'b', params: {} },
    ]);
  });

  it('reads a token after a parameter and a comma as the next scheme', () => {
    expect(parseWwwAuthenticate('Bearer realm="a", service')).toEqual([
      { scheme: 'bearer', params: { realm: 'a' } },
      { scheme: 'service', params: {} },
    ]);
  });
});

describe('parseWwwAuthenticate: malformed headers', () => {
  it.each([
    ['Bearer a b', 'expected "=" after "a"'],
    ['Bearerrealm="x"', 'expected a space after the scheme "Bearerrealm"'],
    ['Bearer realm=@', 'invalid value for "realm" at offset 13'],
    ['Bearer realm="a\\', 'unterminated quoted string'],
    ['Bearer realm="a', 'unterminated quoted string'],
    ['Bearer realm="a" service="b"', 'expected "," after a parameter at offset 17'],
    ['=', 'expected an auth scheme at offset 0'],
    ['Bearer "x"', 'expected a parameter name at offset 7'],
    ['Bearer ==', 'expected a parameter name at offset 7'],
    ['Basic realm="a", ="b"', 'expected an auth scheme at offset 17'],
    ['   ', 'no challenge in the header'],
    [',,', 'no challenge in the header'],
  ])('refuses %j: %s', (header, reason) => {
    expect(failure(header)).toBe(reason);
  });

  it('carries the header it refused', () => {
    try {
      parseWwwAuthenticate('Bearer a b');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ChallengeParseError);
      expect((error as ChallengeParseError).header).toBe('Bearer a b');
    }
  });
});

describe('findBearer', () => {
  it('takes the first Bearer challenge among several', () => {
    const header = 'Basic realm="b", Bearer realm="first", Bearer realm="second"';
    expect(findBearer(parseWwwAuthenticate(header), header)).toEqual({
      realm: 'first',
      service: null,
      scopes: [],
    });
  });

  it('returns null without a Bearer challenge', () => {
    expect(findBearer(parseWwwAuthenticate('Basic realm="r"'))).toBeNull();
  });

  it('splits scopes on spaces and drops empty ones', () => {
    const header = 'Bearer realm="r",scope="  a:b:pull   c:d:pull "';
    expect(findBearer(parseWwwAuthenticate(header), header)?.scopes).toEqual(['a:b:pull', 'c:d:pull']);
  });

  it('gives an empty scope no scopes', () => {
    expect(findBearer(parseWwwAuthenticate('Bearer realm="r",scope=""'))?.scopes).toEqual([]);
  });

  it('carries an empty header when the caller gives none', () => {
    expect(() => findBearer(parseWwwAuthenticate('Bearer service="s"'))).toThrow(
      expect.objectContaining({ reason: 'the Bearer challenge has no realm', header: '' }),
    );
  });

  it('refuses an empty realm like a missing one, carrying the header', () => {
    const header = 'Bearer realm="",service="s"';
    expect(() => findBearer(parseWwwAuthenticate(header), header)).toThrow(
      expect.objectContaining({ reason: 'the Bearer challenge has no realm', header }),
    );
  });
});

describe('laws', () => {
  const scheme = fc.stringMatching(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,8}$/);
  const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
  const value = fc.string({ maxLength: 20 });
  const token68 = fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,12}=*$/);
  const challenge: fc.Arbitrary<Challenge> = fc.oneof(
    fc.record({
      scheme: scheme.map((s) => s.toLowerCase()),
      params: fc.dictionary(name, value, { maxKeys: 4 }),
    }),
    fc.record({ scheme: scheme.map((s) => s.toLowerCase()), params: fc.constant({}), token68 }),
  );

  it('parses written-out challenges to the same challenges', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), (challenges) => {
        expect(parseWwwAuthenticate(serialise(challenges))).toEqual(challenges);
      }),
      { numRuns: 500 },
    );
  });

  it('parses any header it accepts, written out again, to the same value', () => {
    const piece = fc.constantFrom(
      'Bearer',
      'Basic',
      ' ',
      ',',
      '=',
      '"',
      '\\',
      'realm',
      'service',
      'x',
      'a+b/',
      '\t',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        const header = pieces.join('');
        let parsed: Challenge[];
        try {
          parsed = parseWwwAuthenticate(header);
        } catch (error) {
          expect(error).toBeInstanceOf(ChallengeParseError);
          return;
        }
        expect(parseWwwAuthenticate(serialise(parsed))).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});
