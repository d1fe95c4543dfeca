import { describe, expect, it } from 'vitest';
import {
  OAUTH_CLIENT_ID,
  refreshTokenCacheKey,
  refreshTokenForm,
} from '../../../functions/registry/oauth-refresh.ts';

const request = (identityToken: string, service: string | null = 'registry.docker.io') => ({
  realm: new URL('https://auth.docker.io/token'),
  service,
  scope: 'repository:library/alpine:pull',
  identityToken,
});

describe('refreshTokenForm', () => {
  it('holds the fields of the distribution OAuth2 refresh-token grant', () => {
    const form = new URLSearchParams(refreshTokenForm(request('idt-1')));

    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      service: 'registry.docker.io',
      scope: 'repository:library/alpine:pull',
      client_id: OAUTH_CLIENT_ID,
      refresh_token: 'idt-1',
    });
  });

  it('leaves service out when the challenge named none', () => {
    expect(new URLSearchParams(refreshTokenForm(request('idt-1', null))).has('service')).toBe(false);
  });
});

describe('refreshTokenCacheKey', () => {
  it('tells identity tokens apart without holding them', () => {
    const a = refreshTokenCacheKey(request('idt-secret-a'));
    const b = refreshTokenCacheKey(request('idt-secret-b'));

    expect(a).not.toBe(b);
    expect(a).not.toContain('idt-secret-a');
  });
});
