import { describe, expect, it } from 'vitest';
import { TokenServiceError } from '../../../functions/registry/errors.ts';
import { parseTokenReply, TokenCache, tokenCacheKey, tokenUrl } from '../../../functions/registry/token.ts';

const realm = new URL('https://auth.example.com/token?client=x');

describe('token', () => {
  it.each([
    ['{"token":"a","expires_in":300}', { token: 'a', expiresIn: 300 }],
    ['{"access_token":"b"}', { token: 'b', expiresIn: 60 }],
    ['{"token":"","access_token":"c","expires_in":10}', { token: 'c', expiresIn: 60 }],
  ])('reads %s', (body, expected) => {
    expect(parseTokenReply(body, 'r', 200)).toEqual(expected);
  });

  it.each(['not json', '[]', '{"token":5}', 'null'])('refuses the reply %s', (body) => {
    expect(() => parseTokenReply(body, 'r', 200)).toThrow(TokenServiceError);
  });

  it('keeps the realm query and adds service and scope', () => {
    const url = tokenUrl({ realm, service: 'reg', scope: 'repository:a/b:pull', credentials: null });
    expect(url.toString()).toBe(
      'https://auth.example.com/token?client=x&service=reg&scope=repository%3Aa%2Fb%3Apull',
    );
  });

  it('caches a token for its life on an injectable clock', () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.set('k', 't', 60);
    now = 50_000;
    expect(cache.get('k')?.token).toBe('t');
    now = 60_000;
    expect(cache.get('k')).toBeNull();
  });

  it('keys tokens by credential identity without holding the password', () => {
    const request = { realm, service: 's', scope: 'repository:a:pull' };
    const anonymous = tokenCacheKey({ ...request, credentials: null });
    const alice = tokenCacheKey({
      ...request,
      credentials: { kind: 'basic', username: 'alice', password: 'hunter2-secret' },
    });
    const alice2 = tokenCacheKey({
      ...request,
      credentials: { kind: 'basic', username: 'alice', password: 'other-secret' },
    });
    expect(new Set([anonymous, alice, alice2]).size).toBe(3);
    expect(alice).not.toContain('hunter2-secret');
  });
});
