/**
 * A small programmable HTTP server on 127.0.0.1 for unit tests of the probe: each test gives the
 * routes it needs, and every request is recorded (method, path, headers) for assertions such as
 * "no Authorization reached the storage host". The real registry is exercised by test/integration.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface FakeServer {
  /** host:port */
  host: string;
  url: string;
  requests: RecordedRequest[];
  routes: Map<string, Route>;
  close(): Promise<void>;
}

export async function startFakeServer(fallback?: Route): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Route>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    const route = routes.get(`${req.method} ${path}`) ?? routes.get(`* ${path}`) ?? fallback;
    if (route) route(req, res);
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
        }),
      );
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A content-addressed image: an index with amd64 and arm64 manifests, their configs and layers. */
export function buildImage() {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { body: Buffer; mediaType: string }>();
  const addBlob = (data: Buffer) => {
    const digest = sha256(data);
    blobs.set(digest, data);
    return { digest, size: data.length };
  };
  const entries = [];
  for (const arch of ['amd64', 'arm64']) {
    const layer = addBlob(Buffer.from(`layer ${arch} `.repeat(50)));
    const config = addBlob(Buffer.from(JSON.stringify({ os: 'linux', architecture: arch })));
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    );
    manifests.set(sha256(body), { body, mediaType });
    entries.push({
      mediaType,
      digest: sha256(body),
      size: body.length,
      platform: { os: 'linux', architecture: arch },
    });
  }
  const indexType = 'application/vnd.oci.image.index.v1+json';
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: indexType, manifests: entries }));
  manifests.set(sha256(index), { body: index, mediaType: indexType });
  manifests.set('v1', { body: index, mediaType: indexType });
  return { blobs, manifests, indexDigest: sha256(index) };
}

/** Registry routes for `repo` serving `image`; `guard` may answer instead (auth checks) by returning true. */
export function serveImage(
  server: FakeServer,
  repo: string,
  image: ReturnType<typeof buildImage>,
  guard: (req: IncomingMessage, res: ServerResponse) => boolean = () => false,
  extraHeaders: Record<string, string> = {},
) {
  for (const [ref, m] of image.manifests) {
    server.routes.set(`* /v2/${repo}/manifests/${ref}`, (req, res) => {
      if (guard(req, res)) return;
      res.writeHead(200, {
        'content-type': m.mediaType,
        'content-length': m.body.length,
        'docker-content-digest': sha256(m.body),
        ...extraHeaders,
      });
      res.end(req.method === 'HEAD' ? undefined : m.body);
    });
  }
  for (const [digest, data] of image.blobs) {
    server.routes.set(`* /v2/${repo}/blobs/${digest}`, (req, res) => {
      if (guard(req, res)) return;
      res.writeHead(200, { 'content-length': data.length, 'docker-content-digest': digest });
      res.end(req.method === 'HEAD' ? undefined : data);
    });
  }
}
