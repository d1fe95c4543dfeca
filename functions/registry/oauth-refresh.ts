/**
 * Step 2c with docker's identity token: the token comes from the OAuth2 refresh-token grant of the
 * distribution token spec ("Docker Registry v2 authentication using OAuth2"), which is how docker
 * uses the `identitytoken` that `docker login` stores for registries with a browser login:
 *
 *   POST realm   (application/x-www-form-urlencoded)
 *     grant_type=refresh_token&service=...&scope=...&client_id=registry-canary&refresh_token=...
 *   -> 200 { "access_token": "...", "expires_in": 300, ... }
 *
 * The identity token goes in the body, never in the URL: URLs end up in steps and logs. The
 * realm has passed the realm policy with credentials before this is called.
 */
import { createHash } from 'node:crypto';
import { AuthenticationError } from './errors.ts';
import type { HttpClient } from './http.ts';
import { describeUrl } from './redact.ts';
import { exchangeForToken, type TokenCache } from './token.ts';

/** The client_id docker's spec asks every client to send; it names the tool, not the user. */
export const OAUTH_CLIENT_ID = 'registry-canary';

export interface RefreshTokenRequest {
  realm: URL;
  service: string | null;
  /** e.g. repository:library/alpine:pull */
  scope: string;
  identityToken: string;
}

/** Cache key. The identity token is never stored: its hash stands for the identity. */
export function refreshTokenCacheKey(request: RefreshTokenRequest): string {
  const identity = createHash('sha256').update(request.identityToken).digest('hex').slice(0, 32);
  return [
    describeUrl(request.realm),
    request.realm.search,
    request.service ?? '',
    request.scope,
    `identity-token:${identity}`,
  ].join('|');
}

/** The form body of the refresh-token grant. */
export function refreshTokenForm(request: RefreshTokenRequest): string {
  const form = new URLSearchParams({ grant_type: 'refresh_token' });
  if (request.service !== null) form.set('service', request.service);
  form.set('scope', request.scope);
  form.set('client_id', OAUTH_CLIENT_ID);
  form.set('refresh_token', request.identityToken);
  return form.toString();
}

/** A bearer token for the identity token, from the cache or from the realm. */
export async function obtainTokenWithIdentityToken(
  http: HttpClient,
  request: RefreshTokenRequest,
  cache: TokenCache,
): Promise<{ token: string; fromCache: boolean }> {
  const realm = describeUrl(request.realm);
  return exchangeForToken(
    http,
    {
      cacheKey: refreshTokenCacheKey(request),
      method: 'POST',
      url: request.realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: refreshTokenForm(request),
      // RFC 6749 answers a bad refresh token with 400 invalid_grant; some services use 401.
      refusal: (exchange, cause) =>
        exchange.status === 400 || exchange.status === 401
          ? new AuthenticationError(
              `the token service ${realm} rejected the identity token (${exchange.status}${oauthError(exchange.body)})`,
              true,
              { cause },
            )
          : null,
    },
    cache,
  );
}

/** `: invalid_grant` from an OAuth error body, when it holds a plain error code. */
function oauthError(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    // Only a short code: a hostile service could echo the token back in a longer field.
    return typeof parsed.error === 'string' && /^[\w.-]{1,64}$/.test(parsed.error) ? `: ${parsed.error}` : '';
  } catch {
    return '';
  }
}
