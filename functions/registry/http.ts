/**
 * The one way the probe talks HTTP: undici requests with per-phase timings, capped body reads,
 * a per-request timeout inside one overall deadline, a custom CA, and proxies chosen like docker.
 *
 * One client per probe, with one connection per origin, so that whether a request reused a
 * connection (and so which phases it paid for) is predictable, and so that the TLS certificate is
 * read from a fresh handshake rather than a resumed session. The connections themselves are leased
 * from a process-wide pool (connection-pool.ts): the next probe of the same registry, in this run
 * or the next run of a warm Lambda, reuses them, and the connector is built once per trust settings.
 */
import { maxHeaderSize } from 'node:http';
import type { SecureContext } from 'node:tls';
import { createGunzip } from 'node:zlib';
import { buildConnector, Client, type Dispatcher, ProxyAgent } from 'undici';
import { ConnectionPool, identityOf, type Lease, sharedConnectionPool } from './connection-pool.ts';
import type { Deadline } from './deadline.ts';
import {
  BodyTooLargeError,
  ForbiddenAddressError,
  MAX_ERROR_BODY_BYTES,
  MalformedResponseError,
  ProxyRefusedError,
  TimeoutError,
  TransportError,
} from './errors.ts';
import { guardedLookup, type LookupFunction } from './forbidden-hosts.ts';
import { type ProxySettings, proxyFor } from './proxy.ts';
import { proxyAnswerSignature, refusedConnectStatus, refusedForwardStatus } from './proxy-answer.ts';
import { redactUrl } from './redact.ts';
import type { ConnectionLog, ConnectionTiming } from './timing.ts';
import { stepTimings } from './timing.ts';
import { trustedContext, trustKey } from './trust.ts';
import type { RegistryStep as ProbeStep, StepName, TlsInfo } from './types.ts';

export interface HttpClientOptions {
  deadline: Deadline;
  /** Cap on any single request, within the deadline. */
  requestTimeoutMs: number;
  /** Extra trusted CAs (PEM), added to Node's default roots. */
  caCertificates?: string[];
  proxy?: ProxySettings;
  /** Called once per request, on success and on failure, so steps are recorded even when a probe fails. */
  onStep?: (step: ProbeStep) => void;
  /** Monotonic clock in ms. */
  now?: () => number;
  /** Wall clock in ms, for certificate expiry. */
  wallClock?: () => number;
  /**
   * The registry's own host name: its addresses are the user's choice. Every other name (a token
   * realm, a redirect target) is refused when it resolves to a metadata or link-local address.
   */
  trustedHost?: string;
  /** DNS lookup, for tests. @default dns.lookup */
  lookup?: LookupFunction;
  /**
   * Where connections are leased from. @default the process's pool (sharedConnectionPool), or a
   * pool of this client's own when it was given its own clocks.
   */
  pool?: ConnectionPool;
}

export interface HttpRequest {
  step: StepName;
  /** POST only for the OAuth2 refresh-token grant at a token realm (docker's identity tokens). */
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** Request body (a POST's form). */
  body?: string;
  /** Cap on a successful response's body. Error bodies are always capped at 64 KiB. @default 64 KiB */
  maxBodyBytes?: number;
  /** What to do when a successful body passes the cap: keep the first bytes, or fail. @default 'truncate' */
  bodyOverflow?: 'truncate' | 'error';
}

export interface HttpExchange {
  step: ProbeStep;
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  bodyTruncated: boolean;
  /** The certificate of the connection the request went over (opened for it or reused); null for plain HTTP. */
  tls: TlsInfo | null;
  /** Time spent reading the body, for throughput. */
  bodyMs: number;
  /** The proxy the request went through (redacted), or null. */
  proxy: string | null;
}

/**
 * A lease this client holds, whether a request over it failed, and how many are still in flight
 * (a probe cut off at its hard stop closes with its request still running): either way it is
 * destroyed at close, not returned.
 */
interface Held {
  lease: Lease;
  failed: boolean;
  inFlight: number;
}

/** Connectors by trust settings, built once per process (the secure context is trust.ts's). */
const connectors = new Map<string, buildConnector.connector>();
const MAX_CONNECTORS = 64;

export class HttpClient {
  private readonly now: () => number;
  private readonly pool: ConnectionPool;
  /** Everything a connection depends on apart from its origin (see connection-pool.ts). */
  private readonly settingsKey: string;
  private readonly connector: buildConnector.connector;
  /**
   * One undici Client (one connection) per origin, leased for this probe. An Agent drops and
   * replaces its client after a server closes a connection (registries answer HEAD with
   * Connection: close), which made reuse unpredictable; a Client simply reconnects.
   */
  private readonly held = new Map<string, Held>();
  private readonly tlsOptions: { secureContext?: SecureContext };

  constructor(private readonly options: HttpClientOptions) {
    this.pool =
      options.pool ??
      (options.now || options.wallClock
        ? new ConnectionPool(options.now, options.wallClock)
        : sharedConnectionPool);
    this.now = options.now ?? this.pool.now;
    const secureContext = trustedContext(options.caCertificates);
    this.tlsOptions = secureContext ? { secureContext } : {};
    this.settingsKey = [
      options.trustedHost ?? '-',
      trustKey(options.caCertificates),
      options.requestTimeoutMs,
      identityOf(options.lookup),
    ].join('|');
    let connector = connectors.get(this.settingsKey);
    if (!connector) {
      connector = buildConnector({
        ...this.tlsOptions,
        maxCachedSessions: 0,
        // HTTP/2 where the registry offers it over TLS, as docker does (Go's net/http speaks h2 to any
        // HTTPS server that offers it: https://pkg.go.dev/net/http#hdr-HTTP_2). Over HTTP/1.1 the
        // distribution registry closes the connection after every HEAD, so each HEAD of the walk cost
        // a new TLS handshake; an h2 connection survives it (bench/RESULTS.md).
        allowH2: true,
        timeout: options.requestTimeoutMs,
        lookup: guardedLookup(options.trustedHost ?? null, options.lookup),
      } as buildConnector.BuildOptions);
      if (connectors.size >= MAX_CONNECTORS) connectors.delete(connectors.keys().next().value!);
      connectors.set(this.settingsKey, connector);
    }
    this.connector = connector;
  }

  /** Sends one request and reads its body up to the cap. Throws TransportError or TimeoutError when no answer came. */
  async send(request: HttpRequest): Promise<HttpExchange> {
    const proxyUrl = proxyFor(request.url, this.options.proxy ?? {});
    const held = proxyUrl ? this.proxyAgent(proxyUrl) : this.directClient(request.url);
    held.inFlight += 1;
    try {
      return await this.sendOver(held, request, proxyUrl);
    } finally {
      held.inFlight -= 1;
    }
  }

  private async sendOver(held: Held, request: HttpRequest, proxyUrl: URL | null): Promise<HttpExchange> {
    const { url, method } = request;
    const proxy = proxyUrl ? redactUrl(proxyUrl) : null;
    const { dispatcher, log } = held.lease;
    const { signal, timeoutMs } = this.options.deadline.requestSignal(this.options.requestTimeoutMs);
    const mark = log.mark;
    const start = this.now();
    let headersAt: number | null = null;
    let status: number | null = null;
    let phase = 'connecting';

    const record = (connection: ConnectionTiming | null, endAt: number): ProbeStep => {
      const step: ProbeStep = {
        name: request.step,
        method,
        url: redactUrl(url),
        status,
        host: url.host,
        timings: stepTimings(start, connection, headersAt, endAt),
        reusedConnection: connection === null && headersAt !== null,
      };
      this.options.onStep?.(step);
      return step;
    };

    let response: Dispatcher.ResponseData;
    try {
      response = await this.options.deadline.race(
        dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method,
          headers: request.headers ?? {},
          ...(request.body !== undefined ? { body: request.body } : {}),
          signal,
        }),
      );
    } catch (error) {
      held.failed = true;
      const connection = log.openedSince(mark, url.hostname);
      // No new connection means a reused one, which was already connected.
      if (connection === null || connection.readyAt !== null) phase = 'waiting for the response headers';
      record(connection, this.now());
      throw this.failure(error, request, signal, timeoutMs, phase, proxy);
    }
    headersAt = this.now();
    status = response.statusCode;
    phase = 'reading the body';
    const connection = log.openedSince(mark, url.hostname);
    const headers = flattenHeaders(response.headers);
    const success = status >= 200 && status < 300;
    const limit = success ? (request.maxBodyBytes ?? MAX_ERROR_BODY_BYTES) : MAX_ERROR_BODY_BYTES;
    // Go's transport (and so docker) asks for gzip and decodes it; the probe decodes gzip as it
    // reads, so the cap holds for the decoded bytes and a compression bomb stops there. Any other
    // coding reaches docker as bytes it cannot parse. Error bodies are read as they came: evidence.
    const encoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
    const gzip = success && method !== 'HEAD' && (encoding === 'gzip' || encoding === 'x-gzip');
    const where = `${method} ${redactUrl(url)}`;
    if (success && method !== 'HEAD' && encoding !== '' && encoding !== 'identity' && !gzip) {
      // undici's body emits RequestAbortedError when destroyed before its end; nobody reads this
      // body any more, so that error is expected and must not become an uncaught exception.
      response.body.on('error', () => {});
      response.body.destroy();
      held.failed = true;
      record(connection, this.now());
      const problem = `the body is ${encoding}-encoded, a coding the probe did not ask for and docker does not decode`;
      throw new MalformedResponseError(
        request.step,
        where,
        problem,
        [`step: ${request.step}`, where, `content-encoding: ${encoding}`, `problem: ${problem}`],
        { cause: null },
      );
    }
    let body: { bytes: Buffer; truncated: boolean };
    const progress = { bytes: 0 };
    try {
      body = await this.options.deadline.race(readCapped(response.body, limit, signal, gzip, progress));
    } catch (error) {
      held.failed = true;
      record(connection, this.now());
      const cut = signal.aborted ? null : cutShortProblem(error, headers, progress.bytes);
      if (cut) {
        throw new MalformedResponseError(
          request.step,
          where,
          cut.problem,
          [
            `step: ${request.step}`,
            where,
            `status: ${status}`,
            `problem: ${cut.problem}`,
            `received: ${progress.bytes} bytes of the body`,
            `announced: ${cut.announced}`,
            `undici: ${messageOf(error)}`,
            ...(proxy ? [`proxy: ${proxy}`] : []),
          ],
          { cause: error },
        );
      }
      throw this.failure(error, request, signal, timeoutMs, phase, proxy);
    }
    const endAt = this.now();
    const step = record(connection, endAt);
    // A plain-HTTP request goes to the proxy as an absolute URL, so the proxy may answer it
    // itself (an https request is tunnelled: what comes back through the tunnel is the registry's).
    const signature =
      proxy !== null && url.protocol === 'http:' && status >= 400 ? proxyAnswerSignature(headers) : null;
    if (signature && proxy !== null) {
      const text = body.bytes.toString('utf8').replace(/\s+/g, ' ').trim();
      throw new ProxyRefusedError(request.step, where, proxy, hostPort(url), status, 'forward', [
        `step: ${request.step}`,
        where,
        `proxy: ${proxy}`,
        `answered by: ${signature.writer}, not the registry (${signature.header}: ${headers[signature.header]})`,
        `status: ${status}`,
        ...['x-squid-error', 'proxy-status', 'server', 'via']
          .filter((name) => name !== signature.header && headers[name] !== undefined)
          .map((name) => `${name}: ${headers[name]}`),
        ...(text ? [`body: ${text.slice(0, 300)}${text.length > 300 ? '…' : ''}`] : []),
      ]);
    }
    if (success && body.truncated && request.bodyOverflow === 'error') {
      throw new BodyTooLargeError(
        where,
        limit,
        gzip
          ? 'the gzip-encoded body inflates past the cap (a compression bomb, or an oversized body)'
          : undefined,
      );
    }
    return {
      step,
      status,
      headers,
      body: body.bytes,
      bodyTruncated: body.truncated,
      tls: connection ? connection.tls : log.latestTls(url.hostname),
      bodyMs: endAt - headersAt,
      proxy,
    };
  }

  /**
   * The probe is over: its connections go back to the pool for the next probe, except those a
   * request failed on (aborted, timed out, cut short), which are ended at once.
   */
  async close(): Promise<void> {
    const held = [...this.held.values()];
    this.held.clear();
    const failed: Dispatcher[] = [];
    for (const h of held) {
      if (h.failed || h.inFlight > 0) failed.push(h.lease.dispatcher);
      else this.pool.release(h.lease);
    }
    await Promise.allSettled(failed.map((d) => d.destroy()));
  }

  private lease(key: string, create: (log: ConnectionLog) => Dispatcher): Held {
    let held = this.held.get(key);
    if (!held) {
      held = { lease: this.pool.acquire(`${this.settingsKey}|${key}`, create), failed: false, inFlight: 0 };
      this.held.set(key, held);
    }
    return held;
  }

  private directClient(url: URL): Held {
    return this.lease(
      url.origin,
      (log) =>
        new Client(url.origin, {
          connect: log.wrap(this.connector),
          allowH2: true,
          pipelining: 1,
          headersTimeout: this.options.requestTimeoutMs,
          bodyTimeout: this.options.requestTimeoutMs,
        }),
    );
  }

  private proxyAgent(proxyUrl: URL): Held {
    const key = proxyUrl.toString();
    return this.lease(
      `proxy:${key}`,
      (log) =>
        new ProxyAgent({
          uri: key,
          requestTls: { ...this.tlsOptions, maxCachedSessions: 0, timeout: this.options.requestTimeoutMs },
          // The proxy is the user's own choice, so its name is resolved without the metadata guard,
          // through the same lookup as every other name (a test's resolver reaches it too).
          proxyTls: {
            ...this.tlsOptions,
            timeout: this.options.requestTimeoutMs,
            ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
          },
          connections: 1,
          // http:// registries get absolute-URL requests through the proxy, as Go (and so docker)
          // sends them; many proxies refuse CONNECT to ports other than 443. https:// still tunnels.
          proxyTunnel: false,
          // Wrap the tunnel connector so the connection to the registry (through the proxy) is timed
          // as one phase and its certificate is still read.
          factory: (origin: string | URL, opts: object) => {
            const { connect, ...rest } = opts as Client.Options & { connect?: unknown };
            return new Client(origin, {
              ...rest,
              ...(typeof connect === 'function'
                ? { connect: log.wrap(connect as buildConnector.connector, true) }
                : {}),
            });
          },
        } as ProxyAgent.Options),
    );
  }

  private failure(
    error: unknown,
    request: HttpRequest,
    signal: AbortSignal,
    timeoutMs: number,
    phase: string,
    proxy: string | null,
  ): Error {
    const where = `${request.method} ${redactUrl(request.url)}`;
    const forbidden = findForbiddenAddress(error);
    if (forbidden) {
      return new ForbiddenAddressError(forbidden.hostname, forbidden.address, forbidden.reason, where);
    }
    if (error instanceof TimeoutError || signal.aborted) {
      const deadline = this.options.deadline.expired;
      const limit = deadline ? this.options.deadline.timeoutMs : timeoutMs;
      const what = this.options.deadline.cancelled
        ? 'the probe was cancelled by its caller'
        : deadline
          ? `the probe's ${limit} ms deadline passed`
          : `no answer within ${limit} ms`;
      return new TimeoutError(
        `${where}: ${what} while ${phase}`,
        request.step,
        deadline ? 'deadline' : 'request',
        limit,
        {
          cause: error,
        },
      );
    }
    const refused = proxy !== null ? (refusedConnectStatus(error) ?? refusedForwardStatus(error)) : null;
    if (refused !== null && proxy !== null) {
      const how = refusedConnectStatus(error) !== null ? 'connect' : 'forward';
      return new ProxyRefusedError(
        request.step,
        where,
        proxy,
        hostPort(request.url),
        refused,
        how,
        [
          `step: ${request.step}`,
          where,
          `proxy: ${proxy}`,
          how === 'connect'
            ? `the proxy answered CONNECT ${hostPort(request.url)} with ${refused}, so no tunnel to the registry was opened`
            : `the proxy answered ${refused} itself; the request did not reach the registry`,
          `undici: ${messageOf(error)}`,
        ],
        { cause: error },
      );
    }
    const malformed = malformedResponseProblem(error);
    if (malformed) {
      return new MalformedResponseError(
        request.step,
        where,
        malformed.problem,
        [
          `step: ${request.step}`,
          where,
          `problem: ${malformed.problem}`,
          `undici: ${malformed.undici}`,
          ...(malformed.received ? [`received: ${malformed.received}`] : []),
          ...(proxy ? [`proxy: ${proxy}`] : []),
        ],
        { cause: error },
      );
    }
    return new TransportError(request.step, request.method, redactUrl(request.url), errorCode(error), proxy, {
      cause: error,
    });
  }
}

/** host:port, with the scheme's default port spelled out, as a CONNECT names it. */
function hostPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The ForbiddenAddressError a guarded lookup raised, wherever undici wrapped it. */
function findForbiddenAddress(error: unknown): ForbiddenAddressError | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof ForbiddenAddressError) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * What was wrong with an answer that undici refused to parse, or null when the error is not about
 * the answer's bytes (a reset, a refused connection, TLS). Matched by name as well as by code:
 * undici 7's HTTPParserError carries no usable `code`. Its createError passes
 * `constants.ERROR[ret]`, a lookup of llhttp's numeric error in a table that maps names to numbers
 * (node_modules/undici/lib/dispatcher/client-h1.js:417, lib/llhttp/constants.js:6), so the
 * constructor (lib/core/errors.js:310-316) sets `code` to undefined. Unmatched, garbage, HTTP/0.9,
 * bad chunking and NULs in headers all looked like a connection reset.
 */
export function malformedResponseProblem(
  error: unknown,
): { problem: string; undici: string; received?: string } | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { name, code, message, data } = current as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      data?: unknown;
    };
    const text = typeof message === 'string' ? message : '';
    const undici = `${String(name)} (${typeof code === 'string' ? code : 'no code'}): ${text}`;
    const problem = problemOf(String(name), typeof code === 'string' ? code : '', text);
    if (problem) {
      return {
        problem,
        undici,
        ...(typeof data === 'string' && data !== '' ? { received: JSON.stringify(data.slice(0, 80)) } : {}),
      };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function problemOf(name: string, code: string, message: string): string | null {
  if (name === 'HTTPParserError' || code.startsWith('HPE_')) {
    const reason = /\(([^()]*)\)\s*$/.exec(message)?.[1] ?? message;
    if (/^Expected HTTP\//.test(reason)) {
      return 'the answer does not start with an HTTP/1.x status line (garbage, HTTP/0.9, or another protocol on this port)';
    }
    return `llhttp refused the bytes: ${reason}`;
  }
  if (/^Z_/.test(code)) return `the gzip-encoded body does not decompress (${message})`;
  switch (code) {
    case 'UND_ERR_HEADERS_OVERFLOW':
      return `the response headers are larger than the ${maxHeaderSize}-byte limit (Node's --max-http-header-size, which undici applies)`;
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'the body does not match its Content-Length header (too long, repeated or contradicted by Transfer-Encoding)';
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return 'the response is larger than the client accepts';
    case 'UND_ERR_SOCKET':
      if (message === 'bad upgrade') {
        return 'the server switched protocols (101 Upgrade) although the probe asked for no upgrade';
      }
      if (message === 'bad response') {
        return 'the server sent a response the request did not ask for (an interim 1xx such as 100 Continue, or an answer before the request)';
      }
      return null;
    default:
      return null;
  }
}

/**
 * A body the server ended early: the headers came, then the connection closed (a FIN, not a reset)
 * before the Content-Length bytes or the chunked body's last chunk. undici 7 reports it three ways
 * (node_modules/undici/lib/dispatcher/client-h1.js, onHttpSocketEnd, around line 953): on a
 * keep-alive answer as SocketError 'other side closed' (UND_ERR_SOCKET), the same error as a close
 * before any answer; on a `Connection: close` answer llhttp is finished at EOF, giving
 * ResponseContentLengthMismatchError (UND_ERR_RES_CONTENT_LENGTH_MISMATCH) for a short
 * Content-Length body and HTTPParserError 'Invalid EOF state' mid-chunk. Only the phase (after
 * the headers) and the announced framing tell a truncated answer (docker: "unexpected EOF") from
 * a dropped connection. A reset mid-body (ECONNRESET) stays a reset. Null otherwise.
 */
export function cutShortProblem(
  error: unknown,
  headers: Readonly<Record<string, string>>,
  received: number,
): { problem: string; announced: string } | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  let closed = false;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown };
    if (code === 'UND_ERR_SOCKET' && message === 'other side closed') closed = true;
    if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') closed = true;
    if (name === 'HTTPParserError' && typeof message === 'string' && /Invalid EOF state/.test(message))
      closed = true;
    current = (current as { cause?: unknown }).cause;
  }
  if (!closed) return null;
  const length = headers['content-length']?.trim();
  // More bytes than announced is another breach (malformedResponseProblem names it).
  if (length !== undefined && /^\d+$/.test(length) && received < Number(length)) {
    return {
      problem: `the server closed the connection after ${received} of the ${length} bytes its Content-Length announced (a truncated answer)`,
      announced: `content-length: ${length}`,
    };
  }
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    return {
      problem: `the server closed the connection in the middle of a chunked body, after ${received} bytes, before its last (zero-length) chunk (a truncated answer)`,
      announced: `transfer-encoding: ${headers['transfer-encoding']}`,
    };
  }
  return null;
}

/** The most specific error code on the error, its causes, or the first of an AggregateError's errors. */
export function errorCode(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  let found: string | undefined;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    // Keep looking past undici's wrappers for the errno or OpenSSL code underneath.
    if (typeof code === 'string' && (found === undefined || found.startsWith('UND_ERR_'))) found = code;
    const errors = (current as { errors?: unknown[] }).errors;
    current = (current as { cause?: unknown }).cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return found ?? 'UNKNOWN';
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Reads at most `limit` bytes and drops the rest; a drip-feeding server is cut off by the signal.
 * With `gunzip` the cap counts the decoded bytes.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  signal: AbortSignal,
  gunzip = false,
  /** Counts the bytes as they came off the wire (before decoding), for a body cut short. */
  progress: { bytes: number } = { bytes: 0 },
): Promise<{ bytes: Buffer; truncated: boolean }> {
  let source: AsyncIterable<unknown> & { destroy(error?: Error): void } = body;
  if (gunzip) {
    const inflate = createGunzip();
    // pipe() reads the body in flowing mode, so one more 'data' listener sees the same chunks.
    body.on('data', (chunk: Buffer) => {
      progress.bytes += chunk.length;
    });
    body.on('error', (error) => inflate.destroy(error));
    body.pipe(inflate);
    source = inflate;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const onAbort = () => {
    const reason = signal.reason instanceof Error ? signal.reason : new Error('aborted');
    body.destroy(reason);
    if (source !== body) source.destroy(reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      if (!gunzip) progress.bytes += buf.length;
      if (size + buf.length > limit) {
        chunks.push(buf.subarray(0, limit - size));
        size = limit;
        truncated = true;
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (truncated) {
      body.destroy();
      if (source !== body) source.destroy();
    }
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}
