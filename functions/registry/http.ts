/**
 * The one way the probe talks HTTP: undici requests with per-phase timings, capped body reads,
 * a per-request timeout inside one overall deadline, a custom CA, and proxies chosen like docker.
 *
 * One client per probe, with one connection per origin, so that whether a request reused a
 * connection (and so which phases it paid for) is predictable, and so that the TLS certificate is
 * read from a fresh handshake rather than a resumed session.
 */
import type { SecureContext } from 'node:tls';
import { buildConnector, Client, type Dispatcher, ProxyAgent } from 'undici';
import type { Deadline } from './deadline.ts';
import { BodyTooLargeError, MAX_ERROR_BODY_BYTES, TimeoutError, TransportError } from './errors.ts';
import { type ProxySettings, proxyFor } from './proxy.ts';
import { redactUrl } from './redact.ts';
import { ConnectionLog, type ConnectionTiming, stepTimings } from './timing.ts';
import { trustedContext } from './trust.ts';
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
  /** The certificate of the connection opened for this request; null when reused or plain HTTP. */
  tls: TlsInfo | null;
  /** Time spent reading the body, for throughput. */
  bodyMs: number;
  /** The proxy the request went through (redacted), or null. */
  proxy: string | null;
}

export class HttpClient {
  private readonly log: ConnectionLog;
  private readonly now: () => number;
  private readonly connector: buildConnector.connector;
  /** One undici Client (one connection) per origin. An Agent drops and replaces its client after a
   * server closes a connection (registries answer HEAD with Connection: close), which made reuse
   * unpredictable; a Client simply reconnects. */
  private readonly direct = new Map<string, Client>();
  private readonly proxies = new Map<string, ProxyAgent>();
  private readonly tlsOptions: { secureContext?: SecureContext };

  constructor(private readonly options: HttpClientOptions) {
    this.now = options.now ?? (() => performance.now());
    this.log = new ConnectionLog(this.now, options.wallClock ?? (() => Date.now()));
    const secureContext = trustedContext(options.caCertificates);
    this.tlsOptions = secureContext ? { secureContext } : {};
    this.connector = this.log.wrap(
      buildConnector({ ...this.tlsOptions, maxCachedSessions: 0, timeout: options.requestTimeoutMs }),
    );
  }

  /** Sends one request and reads its body up to the cap. Throws TransportError or TimeoutError when no answer came. */
  async send(request: HttpRequest): Promise<HttpExchange> {
    const { url, method } = request;
    const proxyUrl = proxyFor(url, this.options.proxy ?? {});
    const proxy = proxyUrl ? redactUrl(proxyUrl) : null;
    const dispatcher = proxyUrl ? this.proxyAgent(proxyUrl) : this.directClient(url);
    const { signal, timeoutMs } = this.options.deadline.requestSignal(this.options.requestTimeoutMs);
    const mark = this.log.mark;
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
      const connection = this.log.openedSince(mark, url.hostname);
      // No new connection means a reused one, which was already connected.
      if (connection === null || connection.readyAt !== null) phase = 'waiting for the response headers';
      record(connection, this.now());
      throw this.failure(error, request, signal, timeoutMs, phase, proxy);
    }
    headersAt = this.now();
    status = response.statusCode;
    phase = 'reading the body';
    const connection = this.log.openedSince(mark, url.hostname);
    const headers = flattenHeaders(response.headers);
    const success = status >= 200 && status < 300;
    const limit = success ? (request.maxBodyBytes ?? MAX_ERROR_BODY_BYTES) : MAX_ERROR_BODY_BYTES;
    let body: { bytes: Buffer; truncated: boolean };
    try {
      body = await this.options.deadline.race(readCapped(response.body, limit, signal));
    } catch (error) {
      record(connection, this.now());
      throw this.failure(error, request, signal, timeoutMs, phase, proxy);
    }
    const endAt = this.now();
    const step = record(connection, endAt);
    if (success && body.truncated && request.bodyOverflow === 'error') {
      throw new BodyTooLargeError(`${method} ${redactUrl(url)}`, limit);
    }
    return {
      step,
      status,
      headers,
      body: body.bytes,
      bodyTruncated: body.truncated,
      tls: connection?.tls ?? null,
      bodyMs: endAt - headersAt,
      proxy,
    };
  }

  /** Ends every connection at once: a probe is over, nothing in flight matters any more. */
  async close(): Promise<void> {
    const all: Dispatcher[] = [...this.direct.values(), ...this.proxies.values()];
    await Promise.allSettled(all.map((d) => d.destroy()));
  }

  private directClient(url: URL): Client {
    let client = this.direct.get(url.origin);
    if (!client) {
      client = new Client(url.origin, {
        connect: this.connector,
        pipelining: 1,
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
      });
      this.direct.set(url.origin, client);
    }
    return client;
  }

  private proxyAgent(proxyUrl: URL): ProxyAgent {
    const key = proxyUrl.toString();
    let agent = this.proxies.get(key);
    if (!agent) {
      agent = new ProxyAgent({
        uri: key,
        requestTls: { ...this.tlsOptions, maxCachedSessions: 0, timeout: this.options.requestTimeoutMs },
        proxyTls: { ...this.tlsOptions, timeout: this.options.requestTimeoutMs },
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
              ? { connect: this.log.wrap(connect as buildConnector.connector, true) }
              : {}),
          });
        },
      } as ProxyAgent.Options);
      this.proxies.set(key, agent);
    }
    return agent;
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
    return new TransportError(request.step, request.method, redactUrl(request.url), errorCode(error), proxy, {
      cause: error,
    });
  }
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

/** Reads at most `limit` bytes and drops the rest; a drip-feeding server is cut off by the signal. */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  signal: AbortSignal,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const onAbort = () => body.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
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
    if (truncated) body.destroy();
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}
