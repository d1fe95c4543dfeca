/**
 * Every named error the registry layer throws, in one place, each with a one-line doc.
 *
 * Families: reference and parse errors (bad input), HTTP errors (the registry answered, but not
 * with what the pull path needs), transport errors (no answer: DNS, TCP, TLS, proxy, timeout), and
 * integrity errors (the bytes are not what their digest says). Every error keeps its `cause`, and
 * no error carries a password, a token or URL user-info: URLs are redacted before they get here.
 */
import type { StepName } from './types.ts';

/** Raw error bodies are kept up to this size, like go-containerregistry's transport.Error. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The input is not a valid image reference; `reason` says what is wrong with it. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(
      `invalid reference ${JSON.stringify(input.length > 300 ? `${input.slice(0, 300)}…` : input)}: ${reason}`,
    );
  }
}

/** A WWW-Authenticate header that does not follow RFC 7235 (or a Bearer challenge without a usable realm). */
export class ChallengeParseError extends Error {
  override readonly name = 'ChallengeParseError';
  constructor(
    readonly header: string,
    readonly reason: string,
  ) {
    super(`malformed WWW-Authenticate header ${JSON.stringify(header.slice(0, 500))}: ${reason}`);
  }
}

/** One entry of the registry's error body: {"errors":[{"code","message","detail"}]}. */
export interface RegistryErrorDetail {
  code: string;
  message: string;
  detail?: unknown;
}

/** The registry (or its token service) answered with a status the pull path cannot continue from. */
export class RegistryHttpError extends Error {
  override readonly name = 'RegistryHttpError';
  constructor(
    readonly step: StepName,
    readonly method: string,
    /** Redacted: no user-info, no token values. */
    readonly url: string,
    readonly status: number,
    /** The registry's error codes from the body; empty when the body was HTML, empty or not JSON. */
    readonly errors: RegistryErrorDetail[],
    /** At most MAX_ERROR_BODY_BYTES of the raw body. */
    readonly body: string,
    /** The response headers that explain failures (retry-after, www-authenticate, rate limit...). */
    readonly headers: Record<string, string>,
  ) {
    const codes = errors.map((e) => e.code).join(', ');
    super(`${method} ${url}: unexpected status ${status}${codes ? ` (${codes})` : ''}`);
  }

  /** The first registry error code from the body, upper-cased, or undefined. */
  get registryCode(): string | undefined {
    return this.errors[0]?.code?.toUpperCase();
  }
}

/** The registry or token service answered 401: credentials are missing or were rejected. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(
    message: string,
    /** Whether the probe sent credentials; decides AUTH_FAILED (true) from AUTH_REQUIRED (false). */
    readonly credentialsGiven: boolean,
    options: { cause: RegistryHttpError },
  ) {
    super(message, options);
  }

  get httpError(): RegistryHttpError {
    return this.cause as RegistryHttpError;
  }
}

/** The token service failed: 5xx, not JSON, no token in the reply, or an unusable realm URL. */
export class TokenServiceError extends Error {
  override readonly name = 'TokenServiceError';
  constructor(
    message: string,
    /** The realm, redacted to scheme://host/path. */
    readonly realm: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The realm policy refused the token realm the registry named; no request was sent to it. */
export class RealmRefusedError extends Error {
  override readonly name = 'RealmRefusedError';
  constructor(
    readonly realm: string,
    readonly reason: string,
  ) {
    super(`refused token realm ${realm}: ${reason}`);
  }
}

/** The peer broke the registry protocol: not a registry, a missing required header, an unparsable manifest. */
export class ProtocolError extends Error {
  override readonly name: string = 'ProtocolError';
  constructor(
    message: string,
    readonly evidence: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A body was larger than the cap the probe reads (manifests 4 MiB). */
export class BodyTooLargeError extends ProtocolError {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly url: string,
    readonly limitBytes: number,
    /** What made it large, when more than its bytes: e.g. a gzip body that inflates past the cap. */
    detail?: string,
  ) {
    super(`${url}: body larger than the ${limitBytes}-byte cap${detail ? ` (${detail})` : ''}`, [
      `body cap: ${limitBytes} bytes`,
      ...(detail ? [`problem: ${detail}`] : []),
    ]);
  }
}

/**
 * A redirect the probe would not follow: a metadata or link-local destination, a scheme other than
 * http(s), an unparsable or missing Location, or more than docker's 10 redirects. No request was
 * sent to the refused destination. A protocol breach, so PROTOCOL_ERROR.
 */
export class RedirectRefusedError extends ProtocolError {
  override readonly name = 'RedirectRefusedError';
  constructor(
    /** The request that answered with the redirect, redacted. */
    readonly where: string,
    readonly reason: string,
    /** Every URL visited, redacted, in order. */
    readonly chain: string[],
  ) {
    super(`${where}: redirect not followed: ${reason}`, [
      `redirect refused: ${reason}`,
      `redirects followed: ${chain.length - 1}`,
      ...boundedChain(chain),
    ]);
  }
}

/**
 * A digest from the registry (a header, an index entry, a descriptor) that docker would refuse
 * (digest.ts). Refused before it is put into any URL.
 */
export class InvalidDigestError extends ProtocolError {
  override readonly name = 'InvalidDigestError';
  constructor(
    /** Where the digest came from, e.g. `manifests[3].digest of GET https://...`. */
    readonly source: string,
    /** The digest, JSON-quoted and cut short. */
    readonly quoted: string,
    readonly reason: string,
  ) {
    super(`${source}: invalid digest ${quoted}: ${reason}`, [
      `digest: ${quoted}`,
      `from: ${source}`,
      `problem: ${reason}`,
    ]);
  }
}

/**
 * The peer's bytes are not a valid HTTP/1.1 answer: garbage or HTTP/0.9, invalid chunking,
 * forbidden characters in headers, headers over the size limit, an unsolicited protocol upgrade,
 * a body that contradicts its Content-Length. Named from undici's error (http.ts).
 */
export class MalformedResponseError extends ProtocolError {
  override readonly name = 'MalformedResponseError';
  constructor(
    readonly step: StepName,
    readonly where: string,
    /** What was wrong, in words. */
    readonly problem: string,
    evidence: string[],
    options: { cause: unknown },
  ) {
    super(`${where}: not a valid HTTP answer: ${problem}`, evidence, options);
  }
}

/**
 * A host name resolved to a metadata or link-local address (forbidden-hosts.ts); the socket never
 * connected. A registry steering the probe there is an SSRF attempt, so PROTOCOL_ERROR.
 */
export class ForbiddenAddressError extends ProtocolError {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'ERR_FORBIDDEN_ADDRESS';
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string,
    /** The request it stopped, when known. */
    where?: string,
  ) {
    super(
      `${where ? `${where}: ` : ''}${hostname} resolves to ${reason}; the probe does not connect there, because that would let a registry read cloud credentials (SSRF)`,
      [`host: ${hostname}`, `resolved address: ${address}`, `refused: ${reason}`, ...(where ? [where] : [])],
    );
  }
}

/** The first and last hops of a long chain, so evidence stays short. */
function boundedChain(chain: string[]): string[] {
  const hops = chain.map((url, i) => `hop ${i}: ${url.length > 300 ? `${url.slice(0, 300)}…` : url}`);
  return hops.length <= 6 ? hops : [...hops.slice(0, 3), `… ${hops.length - 5} more`, ...hops.slice(-2)];
}

/** No answer within the per-request timeout or the probe's overall deadline. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    message: string,
    readonly step: StepName | null,
    /** 'deadline' when the probe's overall deadline ran out, 'request' for one request's own timeout. */
    readonly kind: 'deadline' | 'request',
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The connection failed before an HTTP answer: DNS, TCP, TLS or reset. `code` is the errno / undici code. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly step: StepName,
    readonly method: string,
    readonly url: string,
    /** ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED, UND_ERR_SOCKET... or 'UNKNOWN'. */
    readonly code: string,
    /** The proxy the request went through (redacted), when one was used. */
    readonly proxy: string | null,
    options: { cause: unknown },
  ) {
    super(`${method} ${url}: ${code}: ${messageOf(options.cause)}`, options);
  }
}

/**
 * The forward proxy answered itself instead of carrying the request (proxy-answer.ts): it refused
 * the CONNECT, asked for its own credentials (407), or wrote an error page of its own. The
 * registry was not asked, or its answer never came back; the proxy is what to fix.
 */
export class ProxyRefusedError extends Error {
  override readonly name = 'ProxyRefusedError';
  constructor(
    readonly step: StepName,
    /** The request, redacted: `GET https://registry/v2/`. */
    readonly where: string,
    /** The proxy, redacted. */
    readonly proxy: string,
    /** The registry's host:port the request was for. */
    readonly target: string,
    readonly status: number,
    /** 'connect': the CONNECT tunnel (https); 'forward': a plain-HTTP request the proxy answered. */
    readonly how: 'connect' | 'forward',
    readonly evidence: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `${where}: the proxy ${proxy} answered ${status} ${how === 'connect' ? `to CONNECT ${target}` : 'itself'}`,
      options,
    );
  }
}

/** A required platform is not in the image index; `available` lists what is. */
export class PlatformMissingError extends Error {
  override readonly name = 'PlatformMissingError';
  constructor(
    readonly missing: string[],
    readonly available: string[],
    /** A multi-arch index, or a single-platform image whose config names its platform. */
    readonly source: 'index' | 'image' = 'index',
  ) {
    super(
      `platform ${missing.join(', ')} not in the ${source === 'index' ? 'index' : 'single-platform image'}; it has ${available.length ? available.join(', ') : 'no platforms'}`,
    );
  }
}

/** The bytes received do not hash to the digest they were addressed by. */
export class DigestMismatchError extends Error {
  override readonly name = 'DigestMismatchError';
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${url}: content digest ${actual} does not match the expected ${expected}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
