/**
 * Every failure maps to exactly one diagnosis code, with a one-line summary and the evidence
 * that led to it (status, the registry's error code, the header, the errno). Transport errors are
 * matched by `error.code` (errno, OpenSSL or undici code), never by class, as undici advises.
 */
import { CredentialsUnavailableError } from '../credentials/types.ts';
import type { AnswerMeaning, Explanation, LoginState } from '../registry/dialect.ts';
import {
  AuthenticationError,
  ChallengeParseError,
  DigestMismatchError,
  PlatformMissingError,
  ProtocolError,
  ProxyRefusedError,
  RealmRefusedError,
  RegistryHttpError,
  TimeoutError,
  TokenServiceError,
  TransportError,
} from '../registry/errors.ts';
import type { Invocation, RegistryProfile } from '../registry/profiles.ts';
import { type DiagnosisCode, runbookUrl } from './codes.ts';
import { nextStepsFor } from './next-steps.ts';
import type { Diagnosis } from './result.ts';

export interface DiagnoseContext {
  registry: string;
  repository: string;
  reference: string;
  plainHttp: boolean;
  profile: RegistryProfile;
  runbookBaseUrl: string;
  /** The credential provider's source name (never a secret). */
  credentialSource: string;
  platforms: string[];
  /** The registry client's login when the walk ended; null before any handshake. */
  login?: LoginState | null;
  /** How the failing run was invoked, so next steps can be pasted as they are. */
  invocation?: Invocation;
}

export interface Classification {
  code: DiagnosisCode;
  summary: string;
  evidence: string[];
  /** Facts next steps can use, e.g. the token realm. */
  facts?: {
    realm?: string;
    retryAfter?: string;
    host?: string;
    meaning?: AnswerMeaning;
    /** The credential provider's error code (CREDENTIALS_UNAVAILABLE), e.g. ENOENT, ExpiredToken. */
    providerCode?: string;
    /** What the image has and lacks (PLATFORM_MISSING). */
    platforms?: { available: string[]; missing: string[] };
    /** The proxy that refused or failed (PROXY_ERROR), so next steps test the proxy, not the registry. */
    proxy?: ProxyFacts;
  };
}

/** Which hop through a forward proxy failed, and how. */
export interface ProxyFacts {
  /** The proxy URL, redacted. */
  url: string;
  /** The proxy's host name, for getent/nc. */
  hostname: string;
  port: string;
  /**
   * unresolved: the proxy's own name does not resolve; unreachable: nothing accepts connections
   * at the proxy; refused: the proxy's access rules said no (403); auth: the proxy wants its own
   * credentials (407); upstream: the proxy could not reach the registry (502/503/504);
   * broken: the connection through the proxy broke; other: another status of the proxy's own.
   */
  failure: 'unresolved' | 'unreachable' | 'refused' | 'auth' | 'upstream' | 'broken' | 'other';
  /** The proxy's status, when it answered. */
  status?: number;
  /** The registry's host:port the request was for. */
  target: string;
}

const TRANSPORT_CODES: Record<string, DiagnosisCode> = {
  ENOTFOUND: 'DNS_FAILURE',
  EAI_AGAIN: 'DNS_FAILURE',
  EAI_FAIL: 'DNS_FAILURE',
  EAI_NONAME: 'DNS_FAILURE',
  EAI_NODATA: 'DNS_FAILURE',
  ECONNREFUSED: 'CONNECTION_REFUSED',
  EHOSTUNREACH: 'CONNECTION_REFUSED',
  ENETUNREACH: 'CONNECTION_REFUSED',
  EADDRNOTAVAIL: 'CONNECTION_REFUSED',
  ECONNRESET: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
  ECONNABORTED: 'CONNECTION_RESET',
  UND_ERR_SOCKET: 'CONNECTION_RESET',
  UND_ERR_CLOSED: 'CONNECTION_RESET',
  UND_ERR_CONNECT_TIMEOUT: 'TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'TIMEOUT',
  ETIMEDOUT: 'TIMEOUT',
  CERT_HAS_EXPIRED: 'TLS_EXPIRED',
  CERT_NOT_YET_VALID: 'TLS_EXPIRED',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS_UNTRUSTED',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_UNTRUSTED',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS_UNTRUSTED',
  CERT_UNTRUSTED: 'TLS_UNTRUSTED',
  CERT_REJECTED: 'TLS_UNTRUSTED',
  CERT_SIGNATURE_FAILURE: 'TLS_UNTRUSTED',
  CERT_CHAIN_TOO_LONG: 'TLS_UNTRUSTED',
  INVALID_CA: 'TLS_UNTRUSTED',
  CERT_REVOKED: 'TLS_UNTRUSTED',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS_HOSTNAME_MISMATCH',
  ERR_TLS_CERT_ALTNAME_FORMAT: 'TLS_HOSTNAME_MISMATCH',
  HOSTNAME_MISMATCH: 'TLS_HOSTNAME_MISMATCH',
  EPROTO: 'TLS_ERROR',
  UND_ERR_PRX_TLS: 'PROXY_ERROR',
};

const TLS_CODES = new Set<DiagnosisCode>([
  'TLS_EXPIRED',
  'TLS_UNTRUSTED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_ERROR',
]);

/** A full diagnosis: classification, pasteable next steps (generic, then the profile's) and the runbook link. */
export function diagnose(error: unknown, ctx: DiagnoseContext): Diagnosis {
  const c = classify(error, ctx);
  return {
    code: c.code,
    summary: c.summary,
    evidence: c.evidence,
    nextSteps: [
      ...nextStepsFor(c, ctx, !ctx.profile.ownsSteps.includes(c.code)),
      ...ctx.profile.nextSteps(c.code, ctx),
    ],
    runbook: runbookUrl(c.code, ctx.runbookBaseUrl),
  };
}

/** The one diagnosis code for an error, with its summary and evidence. */
export function classify(
  error: unknown,
  ctx: Pick<DiagnoseContext, 'registry' | 'credentialSource'> &
    Partial<Pick<DiagnoseContext, 'profile' | 'login' | 'repository'>>,
): Classification {
  if (error instanceof CredentialsUnavailableError) {
    return {
      code: 'CREDENTIALS_UNAVAILABLE',
      summary: `The ${ctx.credentialSource} credentials for ${ctx.registry} could not be obtained: ${error.message}`,
      evidence: [
        `credential source: ${ctx.credentialSource}`,
        `providerCode: ${error.providerCode ?? '(none)'}`,
        ...causeEvidence(error),
      ],
      ...(error.providerCode ? { facts: { providerCode: error.providerCode } } : {}),
    };
  }
  if (error instanceof RealmRefusedError) {
    return {
      code: 'TOKEN_SERVICE_ERROR',
      summary: `The probe refused the token realm ${error.realm} that ${ctx.registry} named; no request was sent to it.`,
      evidence: [`realm: ${error.realm}`, `refused: ${error.reason}`],
      facts: { realm: error.realm },
    };
  }
  if (error instanceof TokenServiceError) {
    const cause = error.cause instanceof RegistryHttpError ? httpEvidence(error.cause) : causeEvidence(error);
    return {
      code: 'TOKEN_SERVICE_ERROR',
      summary: `The token service ${error.realm} failed: ${error.message}.`,
      evidence: [
        `realm: ${error.realm}`,
        ...(error.status !== null ? [`status: ${error.status}`] : []),
        ...cause,
      ],
      facts: { realm: error.realm },
    };
  }
  if (error instanceof AuthenticationError) {
    const http = error.httpError;
    const dialect = classifyByDialect(http, ctx);
    if (dialect) return dialect;
    return {
      code: error.credentialsGiven ? 'AUTH_FAILED' : 'AUTH_REQUIRED',
      summary: error.credentialsGiven
        ? `${ctx.registry} rejected the ${ctx.credentialSource} credentials (401 at ${http.step}).`
        : `${ctx.registry} requires authentication (401 at ${http.step}) and the probe had no credentials; a repository that does not exist often answers the same way.`,
      evidence: [
        `credential source: ${ctx.credentialSource}`,
        ...httpEvidence(http),
        ...reloginEvidence(ctx.login),
      ],
    };
  }
  if (error instanceof RegistryHttpError) return classifyByDialect(error, ctx) ?? classifyHttp(error, ctx);
  if (error instanceof TimeoutError) {
    return {
      code: 'TIMEOUT',
      summary: `${error.message}.`,
      evidence: [
        ...(error.step ? [`step: ${error.step}`] : []),
        error.kind === 'deadline'
          ? `overall deadline: ${error.timeoutMs} ms`
          : `request timeout: ${error.timeoutMs} ms`,
      ],
    };
  }
  if (error instanceof ProxyRefusedError) return classifyProxyRefusal(error);
  if (error instanceof TransportError) return classifyTransport(error);
  if (error instanceof PlatformMissingError) {
    return {
      code: 'PLATFORM_MISSING',
      summary:
        error.source === 'index'
          ? `The image index has no ${error.missing.join(', ')} image; it has ${error.available.join(', ') || 'none'}.`
          : `The image is a single-platform ${error.available.join(', ')} image, with no ${error.missing.join(', ')} variant: nodes of that platform cannot run it.`,
      evidence: [
        `required: ${error.missing.join(', ')}`,
        `available: ${error.available.join(', ') || '(none)'}`,
      ],
      facts: { platforms: { available: error.available, missing: error.missing } },
    };
  }
  if (error instanceof DigestMismatchError) {
    return {
      code: 'DIGEST_MISMATCH',
      summary: `Content served for ${error.expected} hashes to ${error.actual}: corrupt storage, a broken cache or a tampering proxy.`,
      evidence: [`url: ${error.url}`, `expected: ${error.expected}`, `actual: ${error.actual}`],
    };
  }
  if (error instanceof ChallengeParseError) {
    return {
      code: 'PROTOCOL_ERROR',
      summary: `${ctx.registry} sent a malformed WWW-Authenticate challenge: ${error.reason}.`,
      evidence: [`WWW-Authenticate: ${error.header.slice(0, 500)}`, `problem: ${error.reason}`],
    };
  }
  if (error instanceof ProtocolError) {
    return {
      code: 'PROTOCOL_ERROR',
      summary: `${error.message}.`,
      evidence: error.evidence.length ? error.evidence : [error.message],
    };
  }
  // Anything else is a bug or an answer the probe did not foresee; it still ends as a diagnosis.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    code: 'PROTOCOL_ERROR',
    summary: `The probe stopped on an unexpected error: ${message}`,
    evidence: [`error: ${message}`, ...causeEvidence(error)],
  };
}

/**
 * A refusal read in the registry family's dialect (profiles.ts, dialect.ts), before the spec's
 * codes: Harbor's NOT_FOUND, ECR's DENIED for an expired token, a 401 after a granted token.
 */
function classifyByDialect(
  error: RegistryHttpError,
  ctx: Pick<DiagnoseContext, 'registry' | 'credentialSource'> &
    Partial<Pick<DiagnoseContext, 'profile' | 'login' | 'repository'>>,
): Classification | null {
  // A token service's answer is read only by rules written for it (DialectRule.atTokenService).
  const explanation = ctx.profile?.explain(error, ctx.login ?? null);
  if (!explanation) return null;
  const evidence = [
    ...(ctx.login?.credentialsGiven ? [`credential source: ${ctx.credentialSource}`] : []),
    ...httpEvidence(error),
    `read as: ${explanation.meaning} (${ctx.profile?.displayName} dialect: ${explanation.rule.source})`,
    ...reloginEvidence(ctx.login),
  ];
  return {
    ...meaningClassification(explanation, error, ctx),
    evidence,
    facts: { meaning: explanation.meaning },
  };
}

function meaningClassification(
  { meaning }: Explanation,
  error: RegistryHttpError,
  ctx: Pick<DiagnoseContext, 'registry' | 'credentialSource'> &
    Partial<Pick<DiagnoseContext, 'login' | 'repository'>>,
): Pick<Classification, 'code' | 'summary'> {
  const answer = `${error.status}${error.registryCode ? ` ${error.registryCode}` : ''}${error.errors[0]?.message ? ` "${error.errors[0].message}"` : ''}`;
  const repository = ctx.repository ?? 'the repository';
  const credentialsGiven = ctx.login?.credentialsGiven ?? false;
  switch (meaning) {
    case 'repository-missing':
      return {
        code: 'NAME_UNKNOWN',
        summary: `The repository ${repository} does not exist on ${ctx.registry} (${answer}).`,
      };
    case 'tag-missing':
      return {
        code: 'MANIFEST_UNKNOWN',
        summary: `The tag or digest does not exist in ${repository} (${answer}).`,
      };
    case 'blob-missing':
      return {
        code: 'BLOB_UNKNOWN',
        summary: `A blob the manifest references is missing (${answer}): the image is broken in the registry.`,
      };
    case 'missing-or-not-visible':
      if (error.step === 'token') {
        // The token service would not issue a pull token for the repository (GHCR's 403).
        return credentialsGiven
          ? {
              code: 'DENIED',
              summary: `The token service of ${ctx.registry} refused a pull token for ${repository} to the ${ctx.credentialSource} credentials (${answer}): either the repository does not exist, or it exists and this identity may not read it; the token service answers both alike. To tell the two apart, check the name with an identity that can see the repository (its owner, or the registry's UI).`,
            }
          : {
              code: 'AUTH_REQUIRED',
              summary: `The token service of ${ctx.registry} refused an anonymous pull token for ${repository} (${answer}): either the repository does not exist, or it is private and needs credentials. To tell the two apart, probe with credentials that can see it: a private repository then answers, a missing one still fails.`,
            };
      }
      // Not "bad password": the credentials (or the anonymous token) were accepted, and the
      // registry will not say whether the repository exists, so both causes are named.
      return credentialsGiven
        ? {
            code: 'DENIED',
            summary: `${ctx.registry} accepted the ${ctx.credentialSource} credentials, then refused ${repository} (${answer}): either the repository does not exist, or it exists and this identity may not see it. A wrong password would have been refused at login; to tell the two apart, check the name with an identity that can see the repository (its owner, or the registry's UI).`,
          }
        : {
            code: 'AUTH_REQUIRED',
            summary: `${ctx.registry} refused ${repository} to an anonymous caller (${answer}): either the repository does not exist, or it is private and needs credentials. To tell the two apart, probe with credentials that can see it: a private repository then answers, a missing one still fails.`,
          };
    case 'token-expired':
      return {
        code: 'AUTH_FAILED',
        summary: `${ctx.registry} refused the ${ctx.credentialSource} credentials as expired (${answer}): log in again for a fresh token; the password itself is not wrong.`,
      };
    case 'token-invalid':
      return {
        code: 'AUTH_FAILED',
        summary: `${ctx.registry} refused the token as invalid (${answer}), without a challenge: the token expired, was revoked, or belongs to another registry; a fresh login cures the first two.`,
      };
    case 'denied':
      return {
        code: 'DENIED',
        summary: `${error.method} ${error.url} was denied (${answer}): the identity may not pull this repository.`,
      };
    case 'not-registry':
      return {
        code: 'PROTOCOL_ERROR',
        summary: `${error.method} ${error.url} answered ${error.status} with an HTML page, not a registry error: a web UI, load balancer or proxy answered instead of the registry API.`,
      };
  }
}

function classifyHttp(error: RegistryHttpError, ctx: Pick<DiagnoseContext, 'registry'>): Classification {
  const evidence = httpEvidence(error);
  const registryCode = error.registryCode;
  const where = `${error.method} ${error.url}`;
  const status = error.status;
  if (status === 429 || registryCode === 'TOOMANYREQUESTS') {
    const retryAfter = error.headers['retry-after'];
    const message = error.errors[0]?.message ?? '';
    const pullLimit = /pull rate limit/i.test(message) || /pull rate limit/i.test(error.body);
    return {
      code: 'RATE_LIMITED',
      summary: pullLimit
        ? `${ctx.registry} refused the pull: the pull rate limit is used up (429).`
        : `${ctx.registry} is rate limiting this client (429)${retryAfter ? `; retry after ${retryAfter} s` : ''}.`,
      evidence,
      facts: retryAfter ? { retryAfter } : {},
    };
  }
  if (status === 403 || registryCode === 'DENIED') {
    return {
      code: 'DENIED',
      summary: `${where} was denied (403): the identity may not pull this repository.`,
      evidence,
    };
  }
  if (status === 407) {
    return {
      code: 'PROXY_ERROR',
      summary: `The proxy requires authentication (407) for ${where}.`,
      evidence,
    };
  }
  if (status === 404) {
    const byCode: Record<string, DiagnosisCode> = {
      NAME_UNKNOWN: 'NAME_UNKNOWN',
      MANIFEST_UNKNOWN: 'MANIFEST_UNKNOWN',
      BLOB_UNKNOWN: 'BLOB_UNKNOWN',
    };
    const fromStep: DiagnosisCode | undefined =
      error.step.startsWith('manifest') || error.step === 'platform-manifest'
        ? 'MANIFEST_UNKNOWN'
        : error.step.startsWith('blob') || error.step === 'config-get'
          ? 'BLOB_UNKNOWN'
          : undefined;
    const code = (registryCode && byCode[registryCode]) || fromStep;
    const summaries: Record<string, string> = {
      NAME_UNKNOWN: `The repository does not exist on ${ctx.registry} (404 NAME_UNKNOWN).`,
      MANIFEST_UNKNOWN: `The tag or digest does not exist in the repository (404${registryCode ? ` ${registryCode}` : ''}).`,
      BLOB_UNKNOWN: `A blob the manifest references is missing (404${registryCode ? ` ${registryCode}` : ''}): the image is broken in the registry.`,
    };
    if (code) return { code, summary: summaries[code]!, evidence };
    return { code: 'PROTOCOL_ERROR', summary: `${where} answered 404 where a registry would not.`, evidence };
  }
  if (status >= 500) {
    return {
      code: 'REGISTRY_UNAVAILABLE',
      summary: `${ctx.registry} answered ${status} at ${error.step}: the service is failing.`,
      evidence,
    };
  }
  if (status === 408) {
    return {
      code: 'TIMEOUT',
      summary: `${where} answered 408: the server timed out waiting for the request.`,
      evidence,
    };
  }
  return {
    code: 'PROTOCOL_ERROR',
    summary: `${where} answered ${status}${registryCode ? ` ${registryCode}` : ''}, which the pull path cannot continue from.`,
    evidence,
  };
}

/** The proxy answered itself: its status says which of its rules or hops to look at. */
function classifyProxyRefusal(error: ProxyRefusedError): Classification {
  const { status, proxy, target } = error;
  const failure: ProxyFacts['failure'] =
    status === 407
      ? 'auth'
      : status === 403
        ? 'refused'
        : status === 502 || status === 503 || status === 504
          ? 'upstream'
          : 'other';
  const asked = error.how === 'connect' ? `CONNECT ${target}` : `${error.where}`;
  const summaries: Record<ProxyFacts['failure'], string> = {
    auth: `The proxy ${proxy} requires its own credentials (407) and refused ${asked}; the registry was not asked.`,
    refused: `The proxy ${proxy} refused ${asked} (403): its access rules do not allow ${target}; the registry was not asked, this is not the registry denying the pull.`,
    upstream: `The proxy ${proxy} could not reach ${target} (${status} from the proxy, for ${asked}): the registry, or the proxy's route or DNS to it, is down.`,
    other: `The proxy ${proxy} answered ${asked} with ${status} itself, not the registry.`,
    unresolved: '',
    unreachable: '',
    broken: '',
  };
  return {
    code: 'PROXY_ERROR',
    summary: summaries[failure],
    evidence: error.evidence,
    facts: { host: target, proxy: { ...proxyParts(proxy), failure, status, target } },
  };
}

function classifyTransport(error: TransportError): Classification {
  const url = new URL(error.url);
  const host = url.host;
  const code: DiagnosisCode = TRANSPORT_CODES[error.code] ?? codeByPrefix(error.code);
  // Through a proxy, a failure to connect is the proxy's, except a TLS failure of the registry's certificate.
  if (error.proxy !== null && !TLS_CODES.has(code)) return classifyProxyTransport(error, code);
  const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  const summaries: Record<DiagnosisCode, string> = {
    DNS_FAILURE: `The name ${url.hostname} does not resolve (${error.code}).`,
    CONNECTION_REFUSED: `Nothing accepts connections at ${host} (${error.code}).`,
    CONNECTION_RESET: `The connection to ${host} was closed or reset before an answer (${error.code}).`,
    TIMEOUT: `${host} did not answer in time (${error.code}).`,
    TLS_EXPIRED: `The TLS certificate of ${host} is expired or not yet valid (${error.code}).`,
    TLS_UNTRUSTED: `The TLS certificate of ${host} is not signed by a trusted CA (${error.code}).`,
    TLS_HOSTNAME_MISMATCH: `The TLS certificate of ${host} is not valid for the name ${url.hostname} (${error.code}).`,
    TLS_ERROR: `The TLS handshake with ${host} failed (${error.code}); a plain-HTTP server on a TLS port looks like this.`,
    PROXY_ERROR: `The proxy ${error.proxy ?? ''} failed to connect to ${host} (${error.code}).`,
    PROTOCOL_ERROR: `${host} did not answer with valid HTTP (${error.code}).`,
  } as Record<DiagnosisCode, string>;
  return {
    code,
    summary: summaries[code] ?? `${error.message}.`,
    evidence: [
      `step: ${error.step}`,
      `url: ${error.url}`,
      `errno: ${error.code}`,
      `error: ${cause}`,
      ...(error.proxy ? [`proxy: ${error.proxy}`] : []),
    ],
    facts: { host },
  };
}

/**
 * A connection through a proxy that broke below HTTP. Through a proxy the probe resolves and
 * connects to the proxy only (the proxy resolves the registry's name and connects to it), so a
 * DNS failure or a refused connection is the proxy's own host, never the registry's.
 */
function classifyProxyTransport(error: TransportError, direct: DiagnosisCode): Classification {
  const proxy = error.proxy ?? '';
  const parts = proxyParts(proxy);
  const url = new URL(error.url);
  const target = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  const failure: ProxyFacts['failure'] =
    direct === 'DNS_FAILURE' ? 'unresolved' : direct === 'CONNECTION_REFUSED' ? 'unreachable' : 'broken';
  const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  const summaries: Record<'unresolved' | 'unreachable' | 'broken', string> = {
    unresolved: `The proxy's host name ${parts.hostname} does not resolve (${error.code}): the probe never reached the proxy ${proxy}, and ${url.hostname} was not tried (the proxy would have resolved it).`,
    unreachable: `Nothing accepts connections at the proxy ${proxy} (${error.code}): the proxy is down or the proxy URL is wrong; ${url.hostname} was not tried.`,
    broken:
      direct === 'TIMEOUT'
        ? `No answer in time through the proxy ${proxy} for ${url.host} (${error.code}): the proxy, or the registry behind it, is slow or silent.`
        : direct === 'PROXY_ERROR'
          ? `The TLS connection to the proxy ${proxy} itself failed (${error.code}): its certificate does not match ${parts.hostname}.`
          : `The connection through the proxy ${proxy} to ${url.host} broke (${error.code}): the proxy, or the registry behind it, closed it before an answer.`,
  };
  return {
    code: 'PROXY_ERROR',
    summary: summaries[failure as keyof typeof summaries],
    evidence: [
      `step: ${error.step}`,
      `url: ${error.url}`,
      `proxy: ${proxy}`,
      failure === 'broken'
        ? `failed hop: the connection through the proxy (to ${target})`
        : `failed hop: the probe to the proxy ${parts.hostname}:${parts.port}`,
      `errno: ${error.code}`,
      `error: ${cause}`,
    ],
    facts: { host: url.host, proxy: { ...parts, failure, target } },
  };
}

/** The proxy's host name and port, from its redacted URL. */
function proxyParts(proxy: string): Pick<ProxyFacts, 'url' | 'hostname' | 'port'> {
  try {
    const url = new URL(proxy);
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { url: proxy, hostname, port: url.port || (url.protocol === 'https:' ? '443' : '80') };
  } catch {
    return { url: proxy, hostname: proxy, port: '' };
  }
}

function codeByPrefix(code: string): DiagnosisCode {
  if (/^(ERR_SSL_|ERR_TLS_|SSL_|ERR_OSSL_)/.test(code)) return 'TLS_ERROR';
  if (code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_INFO') {
    return 'PROTOCOL_ERROR';
  }
  if (code.startsWith('EAI_')) return 'DNS_FAILURE';
  // An unrecognised network error: the connection broke, whatever the cause.
  return 'CONNECTION_RESET';
}

function httpEvidence(error: RegistryHttpError): string[] {
  const evidence = [`step: ${error.step}`, `${error.method} ${error.url}`, `status: ${error.status}`];
  for (const e of error.errors) {
    evidence.push(`registry error: ${e.code}${e.message ? ` ${e.message}` : ''}`);
  }
  for (const [name, value] of Object.entries(error.headers)) evidence.push(`${name}: ${value}`);
  if (error.errors.length === 0 && error.body.trim() !== '') {
    const snippet = error.body.replace(/\s+/g, ' ').trim().slice(0, 300);
    evidence.push(`body: ${snippet}${error.body.length > 300 ? '…' : ''}`);
  }
  return evidence;
}

/** Says that the refusal survived the client's one fresh login, which rules out a stale token. */
function reloginEvidence(login: LoginState | null | undefined): string[] {
  return login && login.relogins > 0
    ? [
        'the registry refused a cached token; the client logged in again once and the fresh token was refused too',
      ]
    : [];
}

function causeEvidence(error: unknown): string[] {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (!cause) return [];
  return [`cause: ${cause instanceof Error ? cause.message : String(cause)}`];
}
