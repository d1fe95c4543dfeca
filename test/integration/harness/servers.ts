/**
 * Small network peers on 127.0.0.1 for the failures a registry cannot produce by itself: a port
 * with nothing behind it, a server that accepts and never speaks, and a plain HTTP(S) server with a
 * handler of the test's choosing that records what it received.
 */
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { CertKeyPair } from './certs.ts';

/** A port that was free a moment ago (the OS picked it). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await listen(server);
  const port = portOf(server);
  await close(server);
  return port;
}

/** A port with nothing listening: connecting to it is refused (ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  return freePort();
}

export interface StoppableServer {
  url: string;
  /** `127.0.0.1:PORT` (or `localhost:PORT` when asked for that name). */
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** A TCP server that accepts connections and never sends a byte: every request to it hangs. */
export async function startSilentServer(): Promise<StoppableServer & { connections(): number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createNetServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.resume();
  });
  await listen(server);
  const port = portOf(server);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await close(server);
    },
  };
}

/**
 * A TCP server that reads the start of each request and then resets the connection (RST), like a
 * crashing backend or a middlebox that kills the flow: the client sees ECONNRESET.
 */
export async function startResettingServer(): Promise<StoppableServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => socket.resetAndDestroy());
  });
  await listen(server);
  const port = portOf(server);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await close(server);
    },
  };
}

/** The head of one request a raw server read: request line and header block. */
export interface RawRequest {
  method: string;
  /** Path with query string. */
  path: string;
  /** The header lines as received, lower-cased names not guaranteed. */
  head: string;
}

export interface RawHttpServer extends StoppableServer {
  requests: RawRequest[];
  connections(): number;
}

/**
 * A TCP server that reads each request head and answers with whatever bytes `respond` returns,
 * then closes the connection: for answers node:http refuses to produce (garbage, HTTP/0.9, bad
 * chunking, NUL in headers, oversized headers, unsolicited upgrades). `respond` may return null
 * and drive the socket itself (drip-feeding, endless bodies); the server destroys it on stop().
 */
export async function startRawHttpServer(
  respond: (request: RawRequest, socket: Socket) => string | Buffer | null,
): Promise<RawHttpServer> {
  const sockets = new Set<Socket>();
  const requests: RawRequest[] = [];
  let accepted = 0;
  const server = createNetServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const head = buffered.slice(0, end);
      const [method = '', path = ''] = head.split('\r\n')[0]!.split(' ');
      const request = { method, path, head };
      requests.push(request);
      const answer = respond(request, socket);
      if (answer !== null) socket.end(answer);
    };
    socket.on('data', onData);
  });
  await listen(server);
  const port = portOf(server);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    connections: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await close(server);
    },
  };
}

/** A well-formed HTTP/1.1 answer that closes its connection, for the requests a raw server serves normally. */
export function rawAnswer(
  status: number,
  headers: Record<string, string>,
  body: string | Buffer = '',
  method = 'GET',
): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`HTTP/1.1 ${status} X`, 'Connection: close', `Content-Length: ${bytes.length}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return method === 'HEAD' ? head : Buffer.concat([head, bytes]);
}

/** One request as a recording server saw it. Headers are kept whole: tests assert on Authorization. */
export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface RecordingServer extends StoppableServer {
  requests: RecordedRequest[];
}

export interface HttpServerOptions {
  /** Serve HTTPS with this certificate. @default plain HTTP */
  tls?: CertKeyPair;
  /**
   * Host name put into `url` and `host`. The server always binds 127.0.0.1; naming it `localhost`
   * makes it a different host, for the client, from a registry at 127.0.0.1. @default '127.0.0.1'
   */
  hostName?: '127.0.0.1' | 'localhost';
}

/** An HTTP(S) server on 127.0.0.1 that records each request and answers with `handler`. */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  options: HttpServerOptions = {},
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener)
    : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server);
  const port = portOf(server);
  const host = `${options.hostName ?? '127.0.0.1'}:${port}`;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    host,
    port,
    requests,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await close(server);
    },
  };
}

function listen(server: NetServer): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function close(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: NetServer): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}
