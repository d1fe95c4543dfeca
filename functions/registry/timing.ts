/**
 * Per-phase timings of connections. undici's diagnostics channels do not split DNS from TCP from
 * TLS, so the connector is wrapped and the socket's own `lookup`, `connect` and `secureConnect`
 * events are recorded. The certificate is read on the fresh socket (getPeerCertificate is
 * repeatable on Node 20, getPeerX509Certificate is not), with session caching off so that no
 * connection is a resumed session without a peer certificate.
 *
 * A log belongs to one leased dispatcher (connection-pool.ts), which one probe at a time sends
 * one request at a time over, so a connection opened while a request is in flight belongs to that
 * request; no open connection means the request reused one. A lease lives as long as the process,
 * so the log keeps only its latest connections (and counts the rest).
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import type { StepTimings, TlsInfo } from './types.ts';

export interface ConnectionTiming {
  hostname: string;
  startedAt: number;
  lookupAt: number | null;
  connectAt: number | null;
  secureAt: number | null;
  /** When the connector handed the socket (or an error) to undici. */
  readyAt: number | null;
  tls: TlsInfo | null;
  /** Through a proxy the TCP and TLS phases are not separable: `connectMs` covers tunnel and handshake. */
  viaProxy: boolean;
}

type Connector = buildConnector.connector;

/** Connections kept per log: a probe's request needs only the one it opened. */
const KEPT_CONNECTIONS = 8;

export class ConnectionLog {
  /** The latest connections, oldest first; `opened - connections.length` were dropped. */
  readonly connections: ConnectionTiming[] = [];
  private opened = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly wallClock: () => number = () => Date.now(),
  ) {}

  /** Wraps an undici connector so each connection it opens is timed and its certificate read. */
  wrap(connector: Connector, viaProxy = false): Connector {
    return (options, callback) => {
      const record: ConnectionTiming = {
        hostname: options.hostname,
        startedAt: this.now(),
        lookupAt: null,
        connectAt: null,
        secureAt: null,
        readyAt: null,
        tls: null,
        viaProxy,
      };
      this.connections.push(record);
      this.opened += 1;
      if (this.connections.length > KEPT_CONNECTIONS) this.connections.shift();
      const socket: unknown = connector(options, (error, connected) => {
        record.readyAt = this.now();
        if (!error && connected instanceof TLSSocket) record.tls = tlsInfoOf(connected, this.wallClock());
        callback(error, connected as never);
      });
      if (socket && typeof (socket as Socket).once === 'function') {
        const s = socket as Socket;
        s.once('lookup', () => {
          record.lookupAt = this.now();
        });
        s.once('connect', () => {
          record.connectAt = this.now();
        });
        s.once('secureConnect', () => {
          record.secureAt = this.now();
        });
      }
      return socket as ReturnType<Connector>;
    };
  }

  /** How many connections were opened so far; pass it to `openedSince` after the request. */
  get mark(): number {
    return this.opened;
  }

  /** The connection opened since `mark` for `hostname`, or null when the request reused one. */
  openedSince(mark: number, hostname: string): ConnectionTiming | null {
    const kept = this.opened - this.connections.length;
    const opened = this.connections.slice(Math.max(0, mark - kept)).filter((c) => c.hostname === hostname);
    return opened.at(-1) ?? null;
  }

  /**
   * The certificate of the latest connection to `hostname`, with its days remaining counted
   * again now: the connection a reused request went over is the latest one (one at a time).
   */
  latestTls(hostname: string): TlsInfo | null {
    const tls = this.connections.findLast((c) => c.hostname === hostname && c.readyAt !== null)?.tls;
    if (!tls) return null;
    return { ...tls, daysRemaining: Math.floor((Date.parse(tls.validTo) - this.wallClock()) / 86_400_000) };
  }
}

/**
 * The step's timings. dns: start to lookup; connect: lookup (or start) to TCP connect; tls: TCP
 * connect to handshake done; ttfb: connection ready (or request start, when reused) to response
 * headers; total: request start to the end of the body. A phase that did not happen is null.
 */
export function stepTimings(
  requestStart: number,
  connection: ConnectionTiming | null,
  headersAt: number | null,
  endAt: number,
): StepTimings {
  const round = (ms: number | null): number | null => (ms === null ? null : Math.round(ms * 10) / 10);
  const totalMs = round(endAt - requestStart) as number;
  if (!connection) {
    return {
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: round(headersAt === null ? null : headersAt - requestStart),
      totalMs,
    };
  }
  const c = connection;
  if (c.viaProxy) {
    const ready = c.readyAt;
    return {
      dnsMs: null,
      connectMs: round(ready === null ? null : ready - c.startedAt),
      tlsMs: null,
      ttfbMs: round(headersAt === null || ready === null ? null : headersAt - ready),
      totalMs,
    };
  }
  const dnsMs = c.lookupAt === null ? null : c.lookupAt - c.startedAt;
  const connectMs = c.connectAt === null ? null : c.connectAt - (c.lookupAt ?? c.startedAt);
  const tlsMs = c.secureAt === null || c.connectAt === null ? null : c.secureAt - c.connectAt;
  const ready = c.secureAt ?? c.connectAt;
  const ttfbMs = headersAt === null || ready === null ? null : headersAt - ready;
  return {
    dnsMs: round(dnsMs),
    connectMs: round(connectMs),
    tlsMs: round(tlsMs),
    ttfbMs: round(ttfbMs),
    totalMs,
  };
}

/** The peer certificate and protocol of a freshly handshaken TLS socket, or null (resumed session, no cert). */
export function tlsInfoOf(socket: TLSSocket, nowMs: number): TlsInfo | null {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0 || !cert.valid_to) return null;
  const validTo = new Date(cert.valid_to);
  if (Number.isNaN(validTo.getTime())) return null;
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    validTo: validTo.toISOString(),
    daysRemaining: Math.floor((validTo.getTime() - nowMs) / 86_400_000),
    protocol: socket.getProtocol() ?? null,
  };
}

function distinguishedName(name: Record<string, string | string[] | undefined> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
