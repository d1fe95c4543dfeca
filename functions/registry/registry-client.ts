/**
 * Requests to one repository of one registry, with the authorization the handshake produced.
 * This is where two rules that matter for security and diagnosis live:
 * - Authorization goes only to the registry's own origin. A redirect to blob storage (S3,
 *   CloudFront, GCS...) must not receive it: the distribution spec says clients MUST NOT forward
 *   it, it would hand a registry token to a third party, and S3 rejects such requests anyway
 *   ("Only one auth mechanism allowed").
 * - Every answer that the pull path cannot continue from becomes a named error carrying the
 *   status, the registry's error codes from the body and the headers that explain it.
 */
import type { LoginState } from './dialect.ts';
import {
  AuthenticationError,
  MAX_ERROR_BODY_BYTES,
  type RegistryErrorDetail,
  RegistryHttpError,
} from './errors.ts';
import type { HttpClient, HttpExchange } from './http.ts';
import { rateLimitFromHeaders } from './ratelimit.ts';
import { redactUrl } from './redact.ts';
import { type ForeignChallengeHandler, sendFollowingRedirects } from './redirects.ts';
import type { RateLimit, StepName, TlsInfo } from './types.ts';

/** Response headers kept on errors because they explain failures. */
const EVIDENCE_HEADERS = [
  'www-authenticate',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'docker-ratelimit-source',
  'content-type',
  'docker-distribution-api-version',
  'server',
  'location',
];

/**
 * The registry's login, as the client sees it (go-containerregistry's bearer transport owns its
 * token the same way): asked at most once per client whether a refused answer can be cured by
 * logging in again, or by answering the repository's own challenge. When it says yes, the request
 * is sent once more with the new authorization; the walk never handles a token.
 */
export interface LoginRecovery {
  recover(refusal: HttpExchange): Promise<boolean>;
}

export interface SendOptions {
  accept?: string;
  maxBodyBytes?: number;
  bodyOverflow?: 'truncate' | 'error';
  /** The step name of each redirect hop. @default the request's own step */
  hopStep?: StepName;
}

export class RegistryClient {
  /** The latest rate limit any response declared; null while none has. */
  rateLimit: RateLimit | null = null;
  /** The certificate of the first TLS connection to the registry itself. */
  tls: TlsInfo | null = null;
  /** The value of the Authorization header for the registry's origin, or null for anonymous access. */
  authorization: string | null = null;
  /** Whether credentials went into `authorization` (decides AUTH_FAILED from AUTH_REQUIRED). */
  credentialsGiven = false;
  /** Answers the challenge of a host a redirect led to (foreign-challenge.ts); null takes its 401. */
  answerForeignChallenge: ForeignChallengeHandler | null = null;
  /** The handshake's scheme; 'none' until a challenge was answered. */
  scheme: LoginState['scheme'] = 'none';
  /** Whether a Bearer token was granted: a 401 after that means the token was refused, not "log in". */
  tokenGranted = false;
  /** How many times the client logged in again after a refused token. */
  relogins = 0;
  /** Set by the handshake (auth.ts logIn); null for a client that never logs in again. */
  recovery: LoginRecovery | null = null;
  /** Whether the one recovery was spent. */
  private recoveryUsed = false;

  constructor(
    readonly http: HttpClient,
    /** scheme://host[:port] of the registry. */
    readonly baseUrl: URL,
    readonly repository: string,
  ) {}

  /** The URL of a path under /v2/<repository>/. */
  repositoryUrl(suffix: string): URL {
    return new URL(`/v2/${this.repository}/${suffix}`, this.baseUrl);
  }

  /**
   * Sends one request and follows its redirects (redirects.ts). Returns the final 2xx answer;
   * anything else becomes a named error, judged by the URL that gave it.
   */
  async send(
    step: StepName,
    method: 'GET' | 'HEAD',
    url: URL,
    options: SendOptions = {},
  ): Promise<HttpExchange> {
    return (await this.sendFollowing(step, method, url, options)).exchange;
  }

  /** As send, with the URL the answer finally came from (a blob's storage host). */
  async sendFollowing(
    step: StepName,
    method: 'GET' | 'HEAD',
    url: URL,
    options: SendOptions = {},
  ): Promise<{ exchange: HttpExchange; url: URL }> {
    const headers: Record<string, string> = {};
    if (options.accept) headers['accept'] = options.accept;
    // Only ever for the registry's own origin: see the module comment.
    if (this.authorization) headers['authorization'] = this.authorization;
    const followed = await sendFollowingRedirects(
      this.http,
      {
        step,
        method,
        url,
        headers,
        maxBodyBytes: options.maxBodyBytes ?? MAX_ERROR_BODY_BYTES,
        bodyOverflow: options.bodyOverflow ?? 'truncate',
      },
      {
        credentialOrigin: this.baseUrl.origin,
        ...(options.hopStep ? { hopStep: options.hopStep } : {}),
        answerForeignChallenge: this.answerForeignChallenge,
        onAnswer: (answer, at) => this.observe(answer, at),
      },
    );
    const { exchange } = followed;
    const finalUrl = followed.url;
    const { status } = exchange;
    if (status >= 200 && status < 300) return { exchange, url: finalUrl };
    if (status >= 400 && this.recovery && !this.recoveryUsed && finalUrl.origin === this.baseUrl.origin) {
      // Spent only when tried: a HEAD's bodiless 400 may not say what the GET's body then says.
      // Once spent, a retry that is refused too is reported, never retried again.
      let recovered: boolean;
      try {
        recovered = await this.recovery.recover(exchange);
      } catch (error) {
        this.recoveryUsed = true;
        throw error;
      }
      if (recovered) {
        this.recoveryUsed = true;
        return this.sendFollowing(step, method, url, options);
      }
    }
    const error = httpErrorFrom(exchange, step, method, finalUrl);
    if (status === 401 && finalUrl.origin === this.baseUrl.origin) {
      throw new AuthenticationError(
        this.credentialsGiven
          ? `${method} ${error.url}: the registry rejected the credentials (401)`
          : `${method} ${error.url}: the registry requires authentication (401) and no credentials were given`,
        this.credentialsGiven,
        { cause: error },
      );
    }
    throw error;
  }

  /** What the client knows of its login, for reading a refusal (dialect.ts). */
  get login(): LoginState {
    return {
      scheme: this.scheme,
      credentialsGiven: this.credentialsGiven,
      tokenGranted: this.tokenGranted,
      relogins: this.relogins,
    };
  }

  /** Keeps the registry's certificate and rate limit from any response of the registry's own origin. */
  observe(exchange: HttpExchange, url: URL): void {
    if (url.origin !== this.baseUrl.origin) return;
    if (this.tls === null && exchange.tls !== null) this.tls = exchange.tls;
    const rateLimit = rateLimitFromHeaders(exchange.headers);
    if (rateLimit) this.rateLimit = rateLimit;
  }
}

/** A RegistryHttpError from a response, with the registry's error codes parsed from the body when it is JSON. */
export function httpErrorFrom(
  exchange: HttpExchange,
  step: StepName,
  method: string,
  url: URL,
): RegistryHttpError {
  const body = exchange.body.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
  const headers: Record<string, string> = {};
  for (const name of EVIDENCE_HEADERS) {
    const value = exchange.headers[name];
    if (value !== undefined) headers[name] = name === 'location' ? redactUrl(safeUrl(value, url)) : value;
  }
  return new RegistryHttpError(
    step,
    method,
    redactUrl(url),
    exchange.status,
    parseErrorBody(body),
    body,
    headers,
  );
}

/** The `errors` of a registry error body, or [] when the body is HTML, empty or not the registry format. */
export function parseErrorBody(body: string): RegistryErrorDetail[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      code: typeof e['code'] === 'string' ? e['code'] : 'UNKNOWN',
      message: typeof e['message'] === 'string' ? e['message'] : '',
      ...(e['detail'] !== undefined ? { detail: e['detail'] } : {}),
    }));
}

function safeUrl(value: string, base: URL): string {
  try {
    return new URL(value, base).toString();
  } catch {
    return value;
  }
}
