import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../../../functions/probe/probe.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { buildImage, sha256 } from '../probe/fake-registry.ts';

/** A self-signed certificate for the given subjectAltName, valid for `days`. */
function selfSigned(dir: string, name: string, san: string, days: number) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

const image = buildImage();
function registryHandler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/v2/') return res.end('{}');
  const manifest = /^\/v2\/app\/manifests\/(.+)$/.exec(path);
  const m = manifest && image.manifests.get(manifest[1]!);
  if (m) {
    res.writeHead(200, { 'content-type': m.mediaType, 'docker-content-digest': sha256(m.body) });
    return res.end(req.method === 'HEAD' ? undefined : m.body);
  }
  const blob = /^\/v2\/app\/blobs\/(.+)$/.exec(path);
  if (blob && image.blobs.has(blob[1]!)) {
    res.writeHead(200, { 'content-length': image.blobs.get(blob[1]!)!.length });
    return res.end();
  }
  res.writeHead(404);
  res.end();
}

let dir: string;
let ipCert: { key: string; cert: string };
let nameCert: { key: string; cert: string };
const servers: Server[] = [];
const sockets = new Set<Socket>();
let ipPort: number;
let namePort: number;
let proxyPort: number;
let refusingProxyPort: number;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rc-tls-'));
  ipCert = selfSigned(dir, 'loopback-registry', 'IP:127.0.0.1', 5);
  nameCert = selfSigned(dir, 'registry.test', 'DNS:registry.test', 90);
  ipPort = await listen(createHttpsServer(ipCert, registryHandler));
  namePort = await listen(createHttpsServer(nameCert, registryHandler));
  // A CONNECT proxy that tunnels every target to the registry.test server.
  const proxy = createHttpServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (_req, client: Socket, head: Buffer) => {
    const upstream = connect(namePort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxyPort = await listen(proxy);
  const refusing = createHttpServer();
  refusing.on('connect', (_req, client: Socket) => {
    client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  refusingProxyPort = await listen(refusing);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

const tokenCache = new TokenCache();

describe('TLS', () => {
  it('times the handshake and reads the certificate with a custom CA, warning when it expires soon', async () => {
    const result = await probeImage(`127.0.0.1:${ipPort}/app:v1`, {
      caCertificates: [ipCert.cert],
      tokenCache,
    });
    expect(result.diagnosis).toBeNull();
    expect(result.status).toBe('degraded');
    expect(result.warnings.map((w) => w.code)).toEqual(['CERT_EXPIRING']);
    expect(result.tls).toMatchObject({
      subject: 'CN=loopback-registry',
      issuer: 'CN=loopback-registry',
      protocol: 'TLSv1.3',
    });
    expect(result.tls!.daysRemaining).toBeGreaterThanOrEqual(4);
    expect(result.tls!.daysRemaining).toBeLessThanOrEqual(5);
    expect(result.steps[0]!.timings.tlsMs).not.toBeNull();
    expect(result.steps[0]!.timings.connectMs).not.toBeNull();
  });

  it('diagnoses TLS_UNTRUSTED without the CA', async () => {
    const result = await probeImage(`127.0.0.1:${ipPort}/app:v1`, { tokenCache });
    expect(result.diagnosis?.code).toBe('TLS_UNTRUSTED');
    expect(result.diagnosis?.evidence).toContain('errno: DEPTH_ZERO_SELF_SIGNED_CERT');
    // The certificate that failed is read without trusting it, for the evidence.
    expect(result.diagnosis?.evidence).toContain('certificate subject: CN=loopback-registry');
    expect(result.tls?.subject).toBe('CN=loopback-registry');
  });

  it('diagnoses TLS_HOSTNAME_MISMATCH for a certificate issued to another name', async () => {
    const result = await probeImage(`127.0.0.1:${namePort}/app:v1`, {
      caCertificates: [nameCert.cert],
      tokenCache,
    });
    expect(result.diagnosis?.code).toBe('TLS_HOSTNAME_MISMATCH');
  });
});

describe('proxy', () => {
  it('tunnels through HTTPS_PROXY, still reading the registry certificate', async () => {
    const result = await probeImage('registry.test/app:v1', {
      caCertificates: [nameCert.cert],
      proxy: { httpsProxy: `http://127.0.0.1:${proxyPort}` },
      tokenCache,
    });
    expect(result.diagnosis).toBeNull();
    expect(result.tls?.subject).toBe('CN=registry.test');
    // Through a proxy, tunnel and handshake are one phase.
    expect(result.steps[0]!.timings).toMatchObject({ dnsMs: null, tlsMs: null });
    expect(result.steps[0]!.timings.connectMs).not.toBeNull();
  });

  it('sends plain-HTTP registry requests to HTTP_PROXY as absolute URLs, without a CONNECT tunnel', async () => {
    // Go (and so docker) forwards http:// requests through the proxy; many proxies refuse CONNECT
    // to any port but 443. This "proxy" answers forwarded requests itself and drops any CONNECT.
    const seen: { method: string; url: string }[] = [];
    const forwarding = createHttpServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      registryHandler(req, res);
    });
    forwarding.on('connect', (req, socket: Socket) => {
      seen.push({ method: 'CONNECT', url: req.url ?? '' });
      socket.destroy();
    });
    const port = await new Promise<number>((resolve) =>
      forwarding.listen(0, '127.0.0.1', () => resolve((forwarding.address() as AddressInfo).port)),
    );
    try {
      const result = await probeImage('registry.test:5000/app:v1', {
        plainHttp: true,
        proxy: { httpProxy: `http://127.0.0.1:${port}` },
        tokenCache,
      });

      expect(result.diagnosis).toBeNull();
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((r) => r.method !== 'CONNECT')).toBe(true);
      expect(seen[0]).toEqual({ method: 'GET', url: 'http://registry.test:5000/v2/' });
    } finally {
      await new Promise((resolve) => forwarding.close(resolve));
    }
  });

  it('diagnoses PROXY_ERROR when the proxy refuses the tunnel', async () => {
    const result = await probeImage('registry.test/app:v1', {
      proxy: { httpsProxy: `http://127.0.0.1:${refusingProxyPort}` },
      tokenCache,
    });
    expect(result.diagnosis?.code).toBe('PROXY_ERROR');
    expect(result.diagnosis?.evidence.join('\n')).toContain('403');
  });

  it('diagnoses PROXY_ERROR when nothing listens at the proxy address', async () => {
    const closed = createHttpServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const result = await probeImage('registry.test/app:v1', {
      proxy: { httpsProxy: `http://127.0.0.1:${port}` },
      tokenCache,
    });
    expect(result.diagnosis?.code).toBe('PROXY_ERROR');
  });
});
