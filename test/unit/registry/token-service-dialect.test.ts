/**
 * Dialect rules for a token service's own answer (DialectRule.atTokenService): GHCR's 403 DENIED
 * at /token (coollabsio/coolify#5575, body from Bossett/bsky-feeds#155) is "missing or not yours";
 * rules written for the registry's answers never read a token service's, and the other way round.
 */
import { describe, expect, it } from 'vitest';
import type { LoginState } from '../../../functions/registry/dialect.ts';
import { profileForHost } from '../../../functions/registry/profiles.ts';

const DENIED = {
  status: 403,
  errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
  body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
  headers: { 'content-type': 'application/json' },
};
const anonymous: LoginState = { scheme: 'none', credentialsGiven: false, tokenGranted: false, relogins: 0 };
const granted: LoginState = { scheme: 'bearer', credentialsGiven: false, tokenGranted: true, relogins: 0 };

describe('token service dialect rules', () => {
  it("reads GHCR's 403 at the token request as missing or not visible", () => {
    const explanation = profileForHost('ghcr.io').explain({ ...DENIED, step: 'token' }, anonymous);
    expect(explanation?.meaning).toBe('missing-or-not-visible');
    expect(explanation?.rule.source).toBe('https://github.com/coollabsio/coolify/issues/5575');
  });

  it("leaves another family's token 403 unexplained (its code is the spec's DENIED)", () => {
    expect(
      profileForHost('registry.example.com').explain({ ...DENIED, step: 'token' }, anonymous),
    ).toBeNull();
  });

  it('does not let the registry rules read a token answer, even after a token (the after-token rule)', () => {
    expect(profileForHost('registry.example.com').explain({ ...DENIED, step: 'token' }, granted)).toBeNull();
  });

  it('does not read a GHCR manifest 403 without a token by the token rule', () => {
    expect(profileForHost('ghcr.io').explain({ ...DENIED, step: 'manifest-get' }, anonymous)).toBeNull();
    expect(profileForHost('ghcr.io').explain({ ...DENIED, step: 'manifest-get' }, granted)?.meaning).toBe(
      'missing-or-not-visible',
    );
  });
});
