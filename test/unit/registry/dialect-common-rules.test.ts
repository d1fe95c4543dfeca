/**
 * explainAnswer's own matching, rule field by rule field, and the rules every family shares
 * (COMMON_RULES) by what they explain. A field that stops being checked turns one registry's
 * answer into another diagnosis (a missing repository into "log in", a web page into a registry
 * error), so each field has a case it must refuse.
 */
import { describe, expect, it } from 'vitest';
import {
  COMMON_RULES,
  challengeError,
  type DialectRule,
  explainAnswer,
  isHtml,
  type LoginState,
  type RegistryAnswer,
} from '../../../functions/registry/dialect.ts';

const answer = (over: Partial<RegistryAnswer>): RegistryAnswer => ({
  status: 403,
  errors: [],
  body: '',
  headers: {},
  ...over,
});
const anonymous: LoginState = { scheme: 'none', credentialsGiven: false, tokenGranted: false, relogins: 0 };
const INSUFFICIENT_SCOPE =
  'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull",error="insufficient_scope"';

describe('COMMON_RULES', () => {
  it.each([401, 403])(
    'reads %i with a Bearer insufficient_scope as "missing or not visible", before any token (RFC 6750 section 3.1)',
    (status) => {
      const explained = explainAnswer(
        [],
        answer({ status, headers: { 'www-authenticate': INSUFFICIENT_SCOPE } }),
        anonymous,
      );
      expect(explained).toEqual({ meaning: 'missing-or-not-visible', rule: COMMON_RULES[0] });
    },
  );

  it('reads insufficient_scope on another status as nothing', () => {
    expect(
      explainAnswer(
        [],
        answer({ status: 404, headers: { 'www-authenticate': INSUFFICIENT_SCOPE } }),
        anonymous,
      ),
    ).toBeNull();
  });

  it('reads a 401 without insufficient_scope and without a granted token as nothing (it means: log in)', () => {
    expect(
      explainAnswer(
        [],
        answer({
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="https://auth.example.com/token"' },
        }),
        anonymous,
      ),
    ).toBeNull();
  });

  it('reads a 404 HTML page as not the registry, and a 404 registry error as nothing', () => {
    const page = answer({ status: 404, body: '<html><body>Not Found</body></html>' });
    expect(explainAnswer([], page, null)).toEqual({ meaning: 'not-registry', rule: COMMON_RULES[2] });
    expect(explainAnswer([], { ...page, status: 403 }, null)).toBeNull();
    expect(
      explainAnswer(
        [],
        answer({
          status: 404,
          errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
        }),
        null,
      ),
    ).toBeNull();
  });

  it('cites a source for every shared rule (the project rule: a rule without a capture is a guess)', () => {
    for (const rule of COMMON_RULES)
      expect(rule.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/issues\/\d+$/);
  });
});

describe('explainAnswer: every field of a rule must match', () => {
  const denied: DialectRule = { meaning: 'denied', status: [403], code: 'DENIED', source: 'test' };
  const expired: DialectRule = {
    meaning: 'token-expired',
    status: [403],
    message: /token has expired/i,
    source: 'test',
  };

  it("takes the family's rule before the shared ones", () => {
    const own: DialectRule = { ...denied, code: undefined, status: [401] };
    const refused = answer({ status: 401, headers: { 'www-authenticate': INSUFFICIENT_SCOPE } });
    expect(explainAnswer([own], refused, anonymous)?.rule).toBe(own);
  });

  it("compares the first error's code without regard to case, and refuses another code or no error", () => {
    expect(explainAnswer([denied], answer({ errors: [{ code: 'denied', message: '' }] }), null)?.rule).toBe(
      denied,
    );
    expect(
      explainAnswer([denied], answer({ errors: [{ code: 'UNAUTHORIZED', message: '' }] }), null),
    ).toBeNull();
    expect(explainAnswer([denied], answer({}), null)).toBeNull();
    // Only the first error counts.
    expect(
      explainAnswer(
        [denied],
        answer({
          errors: [
            { code: 'UNAUTHORIZED', message: '' },
            { code: 'DENIED', message: '' },
          ],
        }),
        null,
      ),
    ).toBeNull();
  });

  it("tests the first error's message, and reads a missing error as an empty message", () => {
    const message = (m: string) => answer({ errors: [{ code: 'DENIED', message: m }] });
    expect(explainAnswer([expired], message('Your authorization token has expired.'), null)?.meaning).toBe(
      'token-expired',
    );
    expect(explainAnswer([expired], message('User is not authorized'), null)).toBeNull();
    expect(explainAnswer([expired], answer({}), null)).toBeNull();
    const empty: DialectRule = { ...expired, message: /^$/ };
    expect(explainAnswer([empty], answer({}), null)?.rule).toBe(empty);
  });

  it('refuses a status the rule does not name', () => {
    expect(
      explainAnswer([denied], answer({ status: 401, errors: [{ code: 'DENIED', message: '' }] }), null),
    ).toBeNull();
  });
});

describe('challengeError', () => {
  it("reads the Bearer challenge's error even when another scheme comes first, and never another scheme's", () => {
    expect(challengeError({ 'www-authenticate': `Basic realm="x", ${INSUFFICIENT_SCOPE}` })).toBe(
      'insufficient_scope',
    );
    expect(challengeError({ 'www-authenticate': 'Basic realm="x",error="invalid_token"' })).toBeNull();
  });
});

describe('isHtml', () => {
  it('takes a document that opens with <html and attributes for a web page', () => {
    expect(isHtml({ errors: [], body: '\n<html lang="en"><body>404</body></html>', headers: {} })).toBe(true);
    expect(isHtml({ errors: [], body: '<!doctype html>\n<html>', headers: {} })).toBe(true);
  });

  it('does not take text that only mentions <html> later, or a tag that merely begins with html', () => {
    expect(isHtml({ errors: [], body: 'proxy error: expected <html> from upstream', headers: {} })).toBe(
      false,
    );
    expect(isHtml({ errors: [], body: '<htmlish>', headers: {} })).toBe(false);
  });

  it('reads the content type without regard to case, and only as its start', () => {
    expect(isHtml({ errors: [], body: 'x', headers: { 'content-type': 'TEXT/HTML' } })).toBe(true);
    expect(
      isHtml({ errors: [], body: 'x', headers: { 'content-type': 'application/json; text/html' } }),
    ).toBe(false);
  });
});
