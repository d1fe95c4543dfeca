// The token exchange (token.ts): the cache's clock and margin, the cache key, and what each answer
// of a token service becomes. The distribution spec (docs/spec/auth/token.md) sets the reply
// fields: `token` or `access_token`, and `expires_in`, at least 60 s when absent or smaller.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  RegistryHttpError,
  TimeoutError,
  TokenServiceError,
  TransportError,
} from '../../../functions/registry/errors.ts';
import {
  MIN_TOKEN_LIFETIME_SECONDS,
  obtainToken,
  parseTokenReply,
  TokenCache,
  type TokenRequest,
  tokenCacheKey,
  tokenUrl,
} from '../../../functions/registry/token.ts';
import { type ScriptedAnswer, scriptedHttp } from './scripted-http.ts';

const realm = new URL('https://auth.example.com/token');
const anonymous: TokenRequest = {
  realm,
  service: 'registry.example.com',
  scope: 'repository:team/app:pull',
  credentials: null,
};
const withPassword: TokenRequest = {
  ...anonymous,
  credentials: { kind: 'basic', username: 'alice', password: 'hunter22' },
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('resolved');
}

const fetchToken = (answers: (ScriptedAnswer | Error)[], request = anonymous, cache = new TokenCache()) => {
  const { http, requests } = scriptedHttp(answers);
  return { promise: obtainToken(http, request, cache), requests, cache };
};

describe('TokenCache', () => {
  it('keeps a token until 5 s before a long life ends', () => {
    let now = 1_000;
    const cache = new TokenCache(() => now);
    expect(cache.set('k', 't', 300)).toEqual({ token: 't', expiresAt: 1_000 + 295_000 });
    now = 295_999;
    expect(cache.get('k')).toEqual({ token: 't', expiresAt: 296_000 });
    now = 296_000;
    expect(cache.get('k')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('gives back 10% of a short life instead of 5 s', () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    expect(cache.set('k', 't', 30).expiresAt).toBe(27_000);
    now = 26_999;
    expect(cache.get('k')?.token).toBe('t');
  });

  it('uses the wall clock by default', () => {
    const cache = new TokenCache();
    const before = Date.now();
    const { expiresAt } = cache.set('k', 't', 100);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 95_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 95_000);
  });

  it('forgets every entry holding a token, and only those', () => {
    const cache = new TokenCache(() => 0);
    cache.set('a', 'revoked', 300);
    cache.set('b', 'revoked', 300);
    cache.set('c', 'fine', 300);
    cache.forget('revoked');
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBeNull();
    expect(cache.get('c')?.token).toBe('fine');
  });
});

describe('tokenCacheKey and tokenUrl', () => {
  it('spells out realm, realm query, service, scope and a hash of the credentials', () => {
    const key = tokenCacheKey({ ...withPassword, realm: new URL('https://auth.example.com/token?x=1') });
    const [where, query, service, scope, identity] = key.split('|');
    expect([where, query, service, scope]).toEqual([
      'https://auth.example.com/token',
      '?x=1',
      'registry.example.com',
      'repository:team/app:pull',
    ]);
    expect(identity).toMatch(/^basic:alice:[0-9a-f]{32}$/);
    expect(key).not.toContain('hunter22');
    expect(tokenCacheKey(anonymous).split('|')[4]).toBe('anonymous');
    expect(tokenCacheKey({ ...anonymous, service: null }).split('|')[2]).toBe('');
  });

  it('keys the same password the same way and another password differently', () => {
    const other = {
      ...withPassword,
      credentials: { kind: 'basic' as const, username: 'alice', password: 'other' },
    };
    expect(tokenCacheKey(withPassword)).toBe(tokenCacheKey({ ...withPassword }));
    expect(tokenCacheKey(other)).not.toBe(tokenCacheKey(withPassword));
  });

  it('leaves service out of the URL when the challenge named none', () => {
    expect(tokenUrl({ ...anonymous, service: null }).toString()).toBe(
      'https://auth.example.com/token?scope=repository%3Ateam%2Fapp%3Apull',
    );
  });
});

describe('obtainToken', () => {
  it('fetches a token once, then serves it from the cache', async () => {
    const first = fetchToken([{ status: 200, body: '{"token":"t1","expires_in":300}' }]);
    expect(await first.promise).toEqual({ token: 't1', fromCache: false });
    const second = fetchToken([], anonymous, first.cache);
    expect(await second.promise).toEqual({ token: 't1', fromCache: true });
    expect(second.requests).toHaveLength(0);
  });

  it('sends Basic credentials, the token step and the error-body cap', async () => {
    const { promise, requests } = fetchToken([{ status: 200, body: '{"token":"t"}' }], withPassword);
    await promise;
    expect(requests[0]).toMatchObject({
      step: 'token',
      method: 'GET',
      headers: { authorization: `Basic ${Buffer.from('alice:hunter22').toString('base64')}` },
      maxBodyBytes: 64 * 1024,
    });
    expect(requests[0]).not.toHaveProperty('body');
  });

  it('reads 401 with credentials as rejected credentials', async () => {
    const error = await rejection(fetchToken([{ status: 401 }], withPassword).promise);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      message: 'the token service https://auth.example.com/token rejected the credentials (401)',
      credentialsGiven: true,
    });
    expect((error as AuthenticationError).httpError.status).toBe(401);
  });

  it('reads 401 without credentials as credentials required', async () => {
    const error = await rejection(fetchToken([{ status: 401 }]).promise);
    expect(error).toMatchObject({
      message:
        'the token service https://auth.example.com/token requires credentials (401) and none were given',
      credentialsGiven: false,
    });
  });

  it.each([403, 429])('passes %i on as the HTTP error it is (denied, rate limited)', async (status) => {
    const error = await rejection(fetchToken([{ status, headers: { 'retry-after': '5' } }]).promise);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect(error).toMatchObject({ status, step: 'token', headers: { 'retry-after': '5' } });
  });

  it.each([500, 404, 300, 199])('blames the token service for %i', async (status) => {
    const error = await rejection(fetchToken([{ status }]).promise);
    expect(error).toBeInstanceOf(TokenServiceError);
    expect(error).toMatchObject({
      message: `the token service https://auth.example.com/token answered ${status}`,
      realm: 'https://auth.example.com/token',
      status,
    });
    expect((error as Error).cause).toBeInstanceOf(RegistryHttpError);
  });

  it('accepts any 2xx', async () => {
    expect(await fetchToken([{ status: 299, body: '{"token":"t"}' }]).promise).toEqual({
      token: 't',
      fromCache: false,
    });
  });

  it('passes timeouts and transport errors on unchanged', async () => {
    const timeout = new TimeoutError('slow', 'token', 'request', 1000);
    expect(await rejection(fetchToken([timeout]).promise)).toBe(timeout);
    const reset = new TransportError('token', 'GET', 'https://auth.example.com/token', 'ECONNRESET', null, {
      cause: new Error('reset'),
    });
    expect(await rejection(fetchToken([reset]).promise)).toBe(reset);
  });

  it('wraps any other failure as a token service error without a status, redacting the URL', async () => {
    const cause = new Error('unexpected');
    const { http } = scriptedHttp([cause]);
    const request = { ...anonymous, realm: new URL('https://auth.example.com/token?token=secret-value') };
    const error = await rejection(obtainToken(http, request, new TokenCache()));
    expect(error).toBeInstanceOf(TokenServiceError);
    expect(error).toMatchObject({ status: null, realm: 'https://auth.example.com/token', cause });
    expect((error as Error).message).toBe(
      'GET https://auth.example.com/token?token=REDACTED&service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull: unexpected',
    );
  });
});

describe('parseTokenReply', () => {
  it.each([
    ['{"token":"a","expires_in":61}', 61],
    ['{"token":"a","expires_in":60}', 60],
    ['{"token":"a","expires_in":59}', 60],
    ['{"token":"a","expires_in":"300"}', 60],
    ['{"token":"a","expires_in":1e400}', 60],
    ['{"token":"a"}', 60],
  ])('reads the lifetime of %s as %i s', (body, expiresIn) => {
    expect(parseTokenReply(body, 'r', 200)).toEqual({ token: 'a', expiresIn });
  });

  it('prefers token over access_token', () => {
    expect(parseTokenReply('{"token":"t","access_token":"a"}', 'r', 200).token).toBe('t');
  });

  it('names the realm and status of a reply that is not JSON, keeping the cause', () => {
    try {
      parseTokenReply('<html>', 'https://auth.example.com/token', 200);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenServiceError);
      expect(error).toMatchObject({
        message: 'the token service https://auth.example.com/token answered 200 with a body that is not JSON',
        realm: 'https://auth.example.com/token',
        status: 200,
      });
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('names a reply without a token', () => {
    expect(() => parseTokenReply('{"expires_in":300}', 'https://a.example/t', 200)).toThrow(
      'the token service https://a.example/t answered without a token or access_token',
    );
  });

  it('keeps the minimum lifetime at the spec value', () => {
    expect(MIN_TOKEN_LIFETIME_SECONDS).toBe(60);
  });
});

describe('obtainToken: requests in flight are shared, never across identities', () => {
  it('asks the realm once for probes that want the same token at the same time', async () => {
    const cache = new TokenCache();
    const a = scriptedHttp([{ status: 200, body: '{"token":"shared","expires_in":300}' }]);
    const b = scriptedHttp([]);

    const [first, second] = await Promise.all([
      obtainToken(a.http, withPassword, cache),
      obtainToken(b.http, withPassword, cache),
    ]);

    expect(first).toEqual({ token: 'shared', fromCache: false });
    expect(second).toEqual({ token: 'shared', fromCache: true });
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
    expect(cache.inFlight(tokenCacheKey(withPassword))).toBeNull();
  });

  it('never hands a token in flight to a probe with other credentials (same user, other password)', async () => {
    const cache = new TokenCache();
    const other: TokenRequest = {
      ...anonymous,
      credentials: { kind: 'basic', username: 'alice', password: 'not-hunter22' },
    };
    const a = scriptedHttp([{ status: 200, body: '{"token":"alices","expires_in":300}' }]);
    const b = scriptedHttp([{ status: 401 }]);

    const [first, second] = await Promise.all([
      obtainToken(a.http, withPassword, cache),
      rejection(obtainToken(b.http, other, cache)),
    ]);

    expect(first.token).toBe('alices');
    expect(second).toBeInstanceOf(AuthenticationError);
    expect(b.requests).toHaveLength(1);
    expect(b.requests[0]!.headers?.['authorization']).toBe(
      `Basic ${Buffer.from('alice:not-hunter22').toString('base64')}`,
    );
  });

  it('asks the realm itself when the shared request fails, so its own failure is named', async () => {
    const cache = new TokenCache();
    const a = scriptedHttp([{ status: 500, body: 'down' }]);
    const b = scriptedHttp([{ status: 200, body: '{"token":"second","expires_in":300}' }]);

    const [first, second] = await Promise.all([
      rejection(obtainToken(a.http, anonymous, cache)),
      obtainToken(b.http, anonymous, cache),
    ]);

    expect(first).toBeInstanceOf(TokenServiceError);
    expect(second).toEqual({ token: 'second', fromCache: false });
    expect(b.requests).toHaveLength(1);
  });
});
