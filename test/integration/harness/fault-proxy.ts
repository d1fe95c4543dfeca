/**
 * A reverse proxy in front of a real registry that injects the failures a healthy registry never
 * shows on demand: 429 and 503 answers, slowness, hangs, drip-fed bodies, blob redirects to another
 * host, and rate-limit headers. Everything else is passed through untouched, so the probe still
 * talks to the real registry.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createGzip } from 'node:zlib';
import type { CertKeyPair } from './certs.ts';
import { blobPath } from './fixture.ts';
import { type RecordingServer, startHttpServer } from './servers.ts';

export interface StatusFault {
  code: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Faults {
  /** Which requests (by path and query) the faults apply to. @default every request */
  match?: RegExp;
  /** Answer with this status instead of asking the registry. */
  status?: StatusFault;
  /** Wait this long before handling each request (latency for benchmarks). */
  delayMs?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Send the registry's headers at once, then its body `chunkBytes` at a time every `intervalMs`. */
  drip?: { chunkBytes: number; intervalMs: number };
  /** Headers added to every proxied answer, e.g. `DOCKER_HUB_LOW_RATE_LIMIT`. */
  addHeaders?: Record<string, string>;
  /**
   * Answer blob GET/HEAD with 307 to this base URL plus the blob path, as registries that keep
   * layers in S3 or a CDN do. Applies to blob requests whatever `match` says.
   */
  redirectBlobsTo?: string;
  /**
   * Answer manifest GET/HEAD with 307 to this base URL plus the same path, as registry.k8s.io
   * sends every manifest request to a regional Artifact Registry host (crane trace in
   * https://github.com/kubernetes/registry.k8s.io/issues/116: `HTTP/2.0 307 Temporary Redirect`,
   * `Content-Type: text/html; charset=utf-8`, `Location: https://asia-east1-docker.pkg.dev/v2/...`,
   * an `<a href>` body). The path is kept here; registry.k8s.io also rewrites it to its AR
   * repository. Applies to manifest requests whatever `match` says.
   */
  redirectManifestsTo?: string;
  /**
   * Send the registry's bodies gzip-encoded, as a CDN or proxy may: Go's transport (and so docker)
   * asks for gzip and decodes it.
   */
  gzipBodies?: boolean;
}

/** Docker Hub's rate-limit headers with 5 of 100 pulls left: a RATE_LIMIT_LOW condition. */
export const DOCKER_HUB_LOW_RATE_LIMIT: Readonly<Record<string, string>> = Object.freeze({
  'ratelimit-limit': '100;w=21600',
  'ratelimit-remaining': '5;w=21600',
  'docker-ratelimit-source': '1.2.3.4',
});

/** Docker Hub's pull-limit answer: 429, Retry-After, `toomanyrequests` body and an exhausted budget. */
export function tooManyRequests(retryAfterSeconds = 3600): StatusFault {
  return {
    code: 429,
    headers: {
      'content-type': 'application/json',
      'retry-after': String(retryAfterSeconds),
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '0;w=21600',
      'docker-ratelimit-source': '1.2.3.4',
    },
    body: JSON.stringify({
      errors: [
        {
          code: 'TOOMANYREQUESTS',
          message:
            'You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit',
        },
      ],
    }),
  };
}

/** A registry behind a load balancer with no healthy backend. */
export function serviceUnavailable(): StatusFault {
  return {
    code: 503,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }),
  };
}

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface FaultProxyOptions {
  /** The registry's base URL. */
  target: string;
  /** CA to trust when the target is one of the suite's TLS registries. */
  targetCaPem?: string | null;
  /** Serve HTTPS with this certificate. @default plain HTTP */
  tls?: CertKeyPair;
}

export interface FaultProxy {
  url: string;
  /** `127.0.0.1:PORT`: use it as the registry in an image reference. */
  host: string;
  port: number;
  requests: ProxiedRequest[];
  /** Replaces the active faults. */
  setFaults(faults: Faults): void;
  /** Pass everything through again. */
  clearFaults(): void;
  stop(): Promise<void>;
}

const BLOB_PATH = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})(\?.*)?$/;
const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/?]+(\?.*)?$/;

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const secure = target.protocol === 'https:';
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, ...(options.targetCaPem ? { ca: options.targetCaPem } : {}) })
    : new HttpAgent({ keepAlive: true });
  let faults: Faults = {};
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '/';
    const active = faults;
    const applies = active.match ? active.match.test(path) : true;
    if (applies && active.hang) return; // the socket stays open until stop()
    if (applies && active.delayMs) await sleep(active.delayMs);
    if (applies && active.status) {
      res.writeHead(active.status.code, active.status.headers ?? {});
      res.end(req.method === 'HEAD' ? undefined : (active.status.body ?? ''));
      return;
    }
    const blob = BLOB_PATH.exec(path);
    if (active.redirectBlobsTo && blob && (req.method === 'GET' || req.method === 'HEAD')) {
      // A pre-signed-URL look-alike: the storage host authorises by query string, never by header.
      const location = `${active.redirectBlobsTo.replace(/\/$/, '')}${path.replace(/\?.*$/, '')}?X-Amz-Signature=fixture`;
      res.writeHead(307, { location, 'content-length': '0' }).end();
      return;
    }
    if (
      active.redirectManifestsTo &&
      MANIFEST_PATH.test(path) &&
      (req.method === 'GET' || req.method === 'HEAD')
    ) {
      const location = `${active.redirectManifestsTo.replace(/\/$/, '')}${path}`;
      const body = `<a href="${location}">Temporary Redirect</a>.\n\n`;
      res.writeHead(307, {
        location,
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        server: 'Google Frontend',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    await forward(req, res, applies ? active : {});
  };

  const forward = (req: IncomingMessage, res: ServerResponse, active: Faults): Promise<void> =>
    new Promise((resolve) => {
      const headers = { ...req.headers, host: target.host };
      delete headers.connection;
      const send = secure ? httpsRequest : httpRequest;
      const upstream = send(
        new URL(req.url ?? '/', target),
        { method: req.method, headers, agent },
        (answer) => {
          const outHeaders = { ...answer.headers, ...(active.addHeaders ?? {}) };
          delete outHeaders.connection;
          if (active.gzipBodies && req.method !== 'HEAD') {
            delete outHeaders['content-length'];
            res.writeHead(answer.statusCode ?? 502, { ...outHeaders, 'content-encoding': 'gzip' });
            answer.pipe(createGzip()).pipe(res);
            answer.on('end', resolve);
            return;
          }
          if (!active.drip) {
            res.writeHead(answer.statusCode ?? 502, outHeaders);
            answer.pipe(res);
            answer.on('end', resolve);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', async () => {
            res.writeHead(answer.statusCode ?? 502, outHeaders);
            res.flushHeaders();
            const body = Buffer.concat(chunks);
            const { chunkBytes, intervalMs } = active.drip!;
            for (let offset = 0; offset < body.length && !res.destroyed; offset += chunkBytes) {
              await sleep(intervalMs);
              res.write(body.subarray(offset, offset + chunkBytes));
            }
            res.end();
            resolve();
          });
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: upstream failed: ${error.message}`);
        resolve();
      });
      req.pipe(upstream);
    });

  const server = await startHttpServer(handle, options.tls ? { tls: options.tls } : {});
  return {
    url: server.url,
    host: server.host,
    port: server.port,
    requests: server.requests,
    setFaults: (next) => {
      faults = next;
    },
    clearFaults: () => {
      faults = {};
    },
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      await server.stop();
      agent.destroy();
    },
  };
}

/**
 * The storage side of a blob redirect: serves blobs straight from a registry's storage directory
 * and records every request with all its headers, so a test can assert that no Authorization
 * header ever arrives. Named `localhost` (bound to 127.0.0.1), it is another host than the
 * registry at 127.0.0.1 for any client.
 */
export async function startBlobStore(storageDir: string): Promise<RecordingServer> {
  return startHttpServer(
    async (req, res) => {
      const digest = /(sha256:[a-f0-9]{64})/.exec(req.url ?? '')?.[1];
      const path = digest ? blobPath(storageDir, digest) : null;
      const size = path
        ? await stat(path).then(
            (s) => s.size,
            () => null,
          )
        : null;
      if (!path || size === null) {
        res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<Error><Code>NoSuchKey</Code></Error>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      if (req.method === 'HEAD') res.end();
      else createReadStream(path).pipe(res);
    },
    { hostName: 'localhost' },
  );
}
