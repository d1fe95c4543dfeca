/**
 * The authentication handshake, told once (after go-containerregistry's transport.go):
 *
 *   1.  Ping: GET /v2/ without credentials. Its answer decides the rest. Only the first probe of a
 *       registry in a process pings: later ones answer the challenge it learned
 *       (challenge-cache.ts), as containerd's authorizer answers a host's known challenge.
 *   2a. 200: the registry needs no authentication; nothing is sent, even when credentials exist.
 *   2b. 401 with a Basic challenge: credentials go straight to the registry as a Basic header,
 *       and only ever to the registry's own origin (see registry-client.ts).
 *   2c. 401 with a Bearer challenge: ask the realm it names for a token scoped to
 *       repository:NAME:pull, anonymously or with Basic credentials, then send the token as Bearer.
 *       With docker's identity token instead, the token comes from the OAuth2 refresh-token grant
 *       (a POST to the realm, see oauth-refresh.ts). An identity token is useless with Basic.
 *       The realm comes from the registry, so it is checked by the realm policy FIRST: a hostile
 *       registry could otherwise point the probe at the cloud metadata service (SSRF) or collect
 *       the credentials on a host it controls. A refused realm receives no request at all.
 *   3.  Afterwards the client owns the login (logIn): when its registry refuses a request, it
 *       answers the repository's own challenge (2b/2c for a registry whose /v2/ was open), or
 *       logs in again once for a cached token the registry no longer accepts, or pings again
 *       when a known challenge led to a 401 (Relogin below).
 */
import { CredentialsUnavailableError, type RegistryCredentials } from '../credentials/types.ts';
import { type Challenge, findBearer, parseWwwAuthenticate } from './challenge.ts';
import type { ChallengeCache } from './challenge-cache.ts';
import { ChallengeParseError, MAX_ERROR_BODY_BYTES, ProtocolError, RealmRefusedError } from './errors.ts';
import type { HttpExchange } from './http.ts';
import { obtainTokenWithIdentityToken } from './oauth-refresh.ts';
import { ping } from './ping.ts';
import type { RegistryProfile } from './profiles.ts';
import { loadRegistrableDomain } from './public-suffix.ts';
import { checkRealm } from './realm-policy.ts';
import { describeUrl, type SecretScrubber } from './redact.ts';
import { type LoginRecovery, parseErrorBody, type RegistryClient } from './registry-client.ts';
import { obtainToken, type TokenCache } from './token.ts';

export interface AuthOptions {
  credentials: RegistryCredentials | null;
  tokenCache: TokenCache;
  profile: RegistryProfile;
  /** Learns every token obtained, so it can never show up in output. */
  scrubber: SecretScrubber;
  /**
   * Fresh credentials past the provider's cache (CredentialProvider.refresh), for a registry that
   * refuses the given ones as expired. Absent when the source has nothing fresher to give.
   */
  refreshCredentials?: () => Promise<RegistryCredentials | null>;
  /** Each registry's /v2/ challenge, so only the first probe of a registry pings it. @default none: always ping */
  challengeCache?: ChallengeCache;
}

export interface AuthOutcome {
  scheme: 'none' | 'basic' | 'bearer';
  /** The ping's WWW-Authenticate header, for evidence. */
  challenge: string | null;
  /** Whether the token came from the cache (then there is no token step). */
  tokenFromCache: boolean;
}

/**
 * Runs the handshake, leaves the resulting Authorization on `registry`, and hands the client its
 * login, so that it can log in again once by itself when the registry refuses the token (see
 * Relogin below). The walk only calls this once.
 */
export async function logIn(registry: RegistryClient, options: AuthOptions): Promise<AuthOutcome> {
  const { outcome, known } = await handshake(registry, options, true);
  registry.recovery = new Relogin(registry, options, outcome, known);
  return outcome;
}

/**
 * The one recovery a refused request gets, as docker and go-containerregistry make it:
 * - /v2/ was open but the repository answers 401 with its own challenge: answer that challenge.
 * - Basic credentials that are a short-lived token are refused as expired (ECR's 403, read by its
 *   dialect): ask the source for fresh ones past its cache (CredentialProvider.refresh), when it
 *   has any, and log in with them.
 * - A Bearer token from the cache is refused (revoked, the realm's signing key rotated, ECR
 *   Public's 400 "Your Authorization Token is invalid." for an expired one, which carries no
 *   challenge: apple/container#847): forget it and run the handshake again, for a fresh token.
 *   A warm Lambda would otherwise report AUTH_FAILED for the token's whole cached life.
 * - The login came from a known challenge (no ping) and the registry answers 401: its
 *   authentication may have changed since, so forget the challenge, ping, and log in afresh.
 * A token fresh from the realm is not asked for again: the realm would hand out the same answer.
 */
class Relogin implements LoginRecovery {
  constructor(
    private readonly registry: RegistryClient,
    private options: AuthOptions,
    private outcome: AuthOutcome,
    /** Whether the login answered a known challenge instead of a ping of its own. */
    private known: boolean,
  ) {}

  async recover(refusal: HttpExchange): Promise<boolean> {
    const challenge = refusal.headers['www-authenticate'] ?? null;
    if (refusal.status === 401 && this.outcome.scheme === 'none' && challenge) {
      this.outcome = await answerChallenge(
        this.registry,
        parseWwwAuthenticate(challenge),
        challenge,
        this.options,
      );
      return true;
    }
    if (
      this.outcome.scheme === 'basic' &&
      this.options.refreshCredentials &&
      this.meaningOf(refusal) === 'token-expired'
    ) {
      // ECR's password is a 12-hour token: an expired one is replaced by the source, once.
      const credentials = await this.options.refreshCredentials();
      if (credentials?.kind === 'basic')
        this.options.scrubber.add(credentials.password, credentials.username);
      this.options = { ...this.options, credentials };
      this.registry.authorization = null;
      this.registry.credentialsGiven = false;
      this.outcome = await authenticate(this.registry, this.options);
      this.registry.relogins += 1;
      return true;
    }
    if (this.known && refusal.status === 401 && !this.outcome.tokenFromCache) {
      this.options.challengeCache?.forget(this.registry.baseUrl.origin);
      this.registry.authorization = null;
      this.registry.credentialsGiven = false;
      this.outcome = (await handshake(this.registry, this.options, false)).outcome;
      return true;
    }
    const authorization = this.registry.authorization;
    if (
      this.outcome.scheme === 'bearer' &&
      this.outcome.tokenFromCache &&
      authorization &&
      this.refusesToken(refusal)
    ) {
      this.options.tokenCache.forget(authorization.replace(/^Bearer /, ''));
      // A fresh ping too: a refused token may mean the registry moved its realm.
      this.outcome = (await handshake(this.registry, this.options, false)).outcome;
      this.registry.relogins += 1;
      return true;
    }
    return false;
  }

  /** A 401, or an answer the registry's dialect reads as an expired or invalid token. */
  private refusesToken(refusal: HttpExchange): boolean {
    if (refusal.status === 401) return true;
    const meaning = this.meaningOf(refusal);
    return meaning === 'token-expired' || meaning === 'token-invalid';
  }

  private meaningOf(refusal: HttpExchange): string | undefined {
    const body = refusal.body.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
    return this.options.profile.explain(
      { status: refusal.status, headers: refusal.headers, body, errors: parseErrorBody(body) },
      this.registry.login,
    )?.meaning;
  }
}

/** Runs the handshake and leaves the resulting Authorization on `registry`. */
export async function authenticate(registry: RegistryClient, options: AuthOptions): Promise<AuthOutcome> {
  return (await handshake(registry, options, true)).outcome;
}

/** The handshake, answering a known challenge when `reuseKnown` and the cache has one (then `known`). */
async function handshake(
  registry: RegistryClient,
  options: AuthOptions,
  reuseKnown: boolean,
): Promise<{ outcome: AuthOutcome; known: boolean }> {
  const origin = registry.baseUrl.origin;
  // 1. Ping, unless an earlier probe of this registry already did.
  const cached = reuseKnown ? (options.challengeCache?.get(origin) ?? null) : null;
  const { challenges, header } = cached ?? (await ping(registry));
  if (!cached) options.challengeCache?.set(origin, { challenges, header });
  const known = cached !== null;

  // 2a. No authentication needed.
  if (challenges.length === 0)
    return { outcome: { scheme: 'none', challenge: null, tokenFromCache: false }, known };

  return { outcome: await answerChallenge(registry, challenges, header, options), known };
}

/**
 * Steps 2b and 2c for a challenge already received: the ping's, or that of a repository request
 * that answered 401 although /v2/ was open (some registries only guard repositories).
 */
export async function answerChallenge(
  registry: RegistryClient,
  challenges: Challenge[],
  header: string | null,
  options: AuthOptions,
): Promise<AuthOutcome> {
  const credentials = options.credentials;
  const basic = credentials?.kind === 'basic' ? credentials : null;
  const identityToken = credentials?.kind === 'identity-token' ? credentials.identityToken : null;

  // 2c. Bearer, preferred when a registry offers both.
  const bearer = findBearer(challenges, header ?? '');
  if (bearer) {
    let realm: URL;
    try {
      realm = new URL(bearer.realm);
    } catch {
      throw new ChallengeParseError(
        header ?? '',
        `the Bearer realm ${JSON.stringify(bearer.realm)} is not an absolute URL`,
      );
    }
    const credentialsGiven = basic !== null || identityToken !== null;
    const decision = checkRealm(
      registry.baseUrl,
      realm,
      credentialsGiven
        ? {
            withCredentials: true,
            profile: options.profile,
            registrableDomain: await loadRegistrableDomain(),
          }
        : { withCredentials: false, profile: options.profile },
    );
    if (!decision.allowed) throw new RealmRefusedError(describeUrl(realm), decision.reason);
    const scope = `repository:${registry.repository}:pull`;
    // The credentials go out with the token request: a refusal of it is read knowing that.
    registry.credentialsGiven = credentialsGiven;
    const { token, fromCache } = identityToken
      ? await obtainTokenWithIdentityToken(
          registry.http,
          { realm, service: bearer.service, scope, identityToken },
          options.tokenCache,
        )
      : await obtainToken(
          registry.http,
          { realm, service: bearer.service, scope, credentials: basic },
          options.tokenCache,
        );
    options.scrubber.add(token);
    registry.authorization = `Bearer ${token}`;
    registry.credentialsGiven = credentialsGiven;
    registry.scheme = 'bearer';
    registry.tokenGranted = true;
    return { scheme: 'bearer', challenge: header, tokenFromCache: fromCache };
  }

  // 2b. Basic, straight to the registry.
  if (challenges.some((c) => c.scheme === 'basic')) {
    if (identityToken) {
      // Probing anonymously instead would turn a configuration mistake into AUTH_REQUIRED.
      throw new CredentialsUnavailableError(
        'the credentials are an OAuth identity token (from docker login with a browser flow), which only a Bearer token service can exchange, and this registry asks for Basic; log in with a username and password or access token instead',
        'IdentityTokenNeedsBearer',
      );
    }
    if (basic) {
      registry.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
      registry.credentialsGiven = true;
    }
    registry.scheme = 'basic';
    // Without credentials the manifest request answers 401, which becomes AUTH_REQUIRED.
    return { scheme: 'basic', challenge: header, tokenFromCache: false };
  }

  throw new ProtocolError(
    `GET ${new URL('/v2/', registry.baseUrl)}: the registry offers only ${challenges.map((c) => c.scheme).join(', ')} authentication, which the probe does not speak`,
    [`WWW-Authenticate: ${header ?? ''}`],
  );
}
