/**
 * Step 2c of the handshake: a Bearer token from the realm the registry named,
 * GET realm?service=...&scope=repository:NAME:pull, anonymously or with Basic credentials.
 * Replies carry `token` or `access_token` (OAuth2 name) and `expires_in`, which the distribution
 * spec says to treat as at least 60 s. Tokens are cached for their life, keyed by realm, service,
 * scope and credential identity, so warm Lambda runs and repeated CLI probes do not ask again.
 */
import { createHash } from 'node:crypto';
import type { RegistryCredentials } from '../credentials/types.ts';
import {
  AuthenticationError,
  MAX_ERROR_BODY_BYTES,
  ProxyRefusedError,
  type RegistryHttpError,
  TimeoutError,
  TokenServiceError,
  TransportError,
} from './errors.ts';
import type { HttpClient, HttpExchange } from './http.ts';
import { describeUrl, redactUrl } from './redact.ts';
import { sendFollowingRedirects } from './redirects.ts';
import { httpErrorFrom } from './registry-client.ts';

/** The distribution spec's minimum (and default) token lifetime. */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;

export interface TokenRequest {
  realm: URL;
  service: string | null;
  /** e.g. repository:library/alpine:pull */
  scope: string;
  credentials: Extract<RegistryCredentials, { kind: 'basic' }> | null;
}

export interface Token {
  token: string;
  /** Absolute expiry on the cache's clock (ms). */
  expiresAt: number;
}

/**
 * Token cache for the tokens' lives. The clock is injectable so tests can move time. Requests in
 * flight are shared too: the targets of one run that start together on one repository with the
 * same identity ask the realm once, not once each. Both are keyed by tokenCacheKey, which holds
 * the credential identity, so a token is never handed to a probe with other credentials.
 */
export class TokenCache {
  private readonly entries = new Map<string, Token>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  get(key: string): Token | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry;
  }

  set(key: string, token: string, expiresInSeconds: number): Token {
    const lifetimeMs = expiresInSeconds * 1000;
    // Give a little back so a token is not used in the second it expires.
    const margin = Math.min(5_000, lifetimeMs * 0.1);
    const entry = { token, expiresAt: this.now() + lifetimeMs - margin };
    this.entries.set(key, entry);
    return entry;
  }

  /** Drops every entry holding `token`: the registry no longer accepts it (revoked, signing key rotated). */
  forget(token: string): void {
    for (const [key, entry] of this.entries) if (entry.token === token) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The token a request in flight for `key` will bring, or null when none is in flight. */
  inFlight(key: string): Promise<string> | null {
    return this.pending.get(key) ?? null;
  }

  /** Shares `request` with the callers that come for `key` while it is in flight. */
  track(key: string, request: Promise<string>): void {
    this.pending.set(key, request);
    const done = () => {
      if (this.pending.get(key) === request) this.pending.delete(key);
    };
    request.then(done, done);
  }
}

/** Cache key. The password is never stored: its hash stands for the identity. */
export function tokenCacheKey(request: TokenRequest): string {
  const identity = request.credentials
    ? `basic:${request.credentials.username}:${createHash('sha256').update(request.credentials.password).digest('hex').slice(0, 32)}`
    : 'anonymous';
  return [
    describeUrl(request.realm),
    request.realm.search,
    request.service ?? '',
    request.scope,
    identity,
  ].join('|');
}

/** The URL a token is requested from: the realm's own query plus service and scope. */
export function tokenUrl(request: TokenRequest): URL {
  const url = new URL(request.realm.toString());
  if (request.service !== null) url.searchParams.set('service', request.service);
  url.searchParams.set('scope', request.scope);
  return url;
}

/** A token from the cache, or from the realm. Returns whether it came from the cache (no step recorded then). */
export async function obtainToken(
  http: HttpClient,
  request: TokenRequest,
  cache: TokenCache,
): Promise<{ token: string; fromCache: boolean }> {
  const realm = describeUrl(request.realm);
  const headers: Record<string, string> = {};
  if (request.credentials) {
    const { username, password } = request.credentials;
    headers['authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  return exchangeForToken(
    http,
    {
      cacheKey: tokenCacheKey(request),
      method: 'GET',
      url: tokenUrl(request),
      headers,
      refusal: (exchange, cause) =>
        exchange.status === 401
          ? new AuthenticationError(
              request.credentials
                ? `the token service ${realm} rejected the credentials (401)`
                : `the token service ${realm} requires credentials (401) and none were given`,
              request.credentials !== null,
              { cause },
            )
          : null,
    },
    cache,
  );
}

/** One request to a token service, as the GET above and the refresh-token grant (oauth-refresh.ts) make it. */
export interface TokenServiceRequest {
  cacheKey: string;
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** The error for an answer that refuses the identity (401, or the grant's 400), or null for any other. */
  refusal: (exchange: HttpExchange, cause: RegistryHttpError) => Error | null;
}

/**
 * A token from the cache, or from the token service: what every grant shares. A refusal of the
 * identity is the caller's to name; 403 (denied) and 429 (rate limited) mean the same as from the
 * registry; any other failure is the token service's.
 */
export async function exchangeForToken(
  http: HttpClient,
  request: TokenServiceRequest,
  cache: TokenCache,
): Promise<{ token: string; fromCache: boolean }> {
  const cached = cache.get(request.cacheKey);
  if (cached) return { token: cached.token, fromCache: true };
  // Another probe is asking for the same token: wait for its answer rather than ask again. Should
  // it fail, this probe asks itself, so that its own result names its own failing request.
  const inFlight = cache.inFlight(request.cacheKey);
  if (inFlight) {
    const shared = await inFlight.catch(() => null);
    if (shared !== null) return { token: shared, fromCache: true };
  }
  const asked = askTokenService(http, request, cache);
  cache.track(
    request.cacheKey,
    asked.then((r) => r.token),
  );
  return asked;
}

async function askTokenService(
  http: HttpClient,
  request: TokenServiceRequest,
  cache: TokenCache,
): Promise<{ token: string; fromCache: boolean }> {
  const { method, url } = request;
  const realm = describeUrl(url);
  let exchange: HttpExchange;
  let answeredBy: URL;
  try {
    // A token service may redirect too (a load balancer moving /token); the Basic credentials or
    // refresh token go only to the realm's own origin (redirects.ts).
    ({ exchange, url: answeredBy } = await sendFollowingRedirects(
      http,
      {
        step: 'token',
        method,
        url,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        maxBodyBytes: MAX_ERROR_BODY_BYTES,
      },
      { credentialOrigin: url.origin },
    ));
  } catch (error) {
    // A proxy that refused the realm (its access list may allow the registry and not the token
    // host) is the proxy's failure, not the token service's.
    if (
      error instanceof TimeoutError ||
      error instanceof TransportError ||
      error instanceof ProxyRefusedError
    ) {
      throw error;
    }
    throw new TokenServiceError(`${method} ${redactUrl(url)}: ${(error as Error).message}`, realm, null, {
      cause: error,
    });
  }
  const { status } = exchange;
  if (status < 200 || status >= 300) {
    const cause = httpErrorFrom(exchange, 'token', method, answeredBy);
    const refusal = request.refusal(exchange, cause);
    if (refusal) throw refusal;
    if (status === 403 || status === 429) throw cause;
    throw new TokenServiceError(`the token service ${realm} answered ${status}`, realm, status, { cause });
  }
  const { token, expiresIn } = parseTokenReply(exchange.body.toString('utf8'), realm, status);
  cache.set(request.cacheKey, token, expiresIn);
  return { token, fromCache: false };
}

/** `token` or `access_token`, and `expires_in` (at least 60 s). Anything else is a TokenServiceError. */
export function parseTokenReply(
  body: string,
  realm: string,
  status: number,
): { token: string; expiresIn: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new TokenServiceError(
      `the token service ${realm} answered ${status} with a body that is not JSON`,
      realm,
      status,
      {
        cause,
      },
    );
  }
  const reply = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const token = [reply['token'], reply['access_token']].find(
    (t): t is string => typeof t === 'string' && t !== '',
  );
  if (!token) {
    throw new TokenServiceError(
      `the token service ${realm} answered without a token or access_token`,
      realm,
      status,
    );
  }
  const expires = reply['expires_in'];
  const expiresIn =
    typeof expires === 'number' && Number.isFinite(expires) && expires > MIN_TOKEN_LIFETIME_SECONDS
      ? expires
      : MIN_TOKEN_LIFETIME_SECONDS;
  return { token, expiresIn };
}
