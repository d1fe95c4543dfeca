/**
 * Failures below the registry protocol, each produced by a real peer on 127.0.0.1: a closed port,
 * a server that never answers, a connection reset, something that is not a registry, a broken
 * forward proxy, and a credential source that cannot deliver.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from '../../../functions/credentials/docker-config.ts';
import {
  closedPort,
  type RecordingServer,
  type StoppableServer,
  startHttpServer,
  startResettingServer,
  startSilentServer,
} from '../harness/servers.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis } from './expectations.ts';

describe('probe against peers that are not a working registry', () => {
  let silent: StoppableServer;
  let resetting: StoppableServer;
  let webServer: RecordingServer;
  let landingPage: RecordingServer;
  let refusingProxy: Server;
  let refusingProxyPort = 0;
  const proxySockets = new Set<Socket>();
  let dir = '';

  beforeAll(async () => {
    [silent, resetting] = await Promise.all([startSilentServer(), startResettingServer()]);
    // A web server where the registry should be: its default 404 page for every path.
    webServer = await startHttpServer((_req, res) => {
      res
        .writeHead(404, { 'content-type': 'text/html' })
        .end('<html><body><h1>404 Not Found</h1>nginx</body></html>');
    });
    // A catch-all that says 200 to everything, including /v2/, but knows nothing of manifests.
    landingPage = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>');
    });
    // A corporate proxy that wants credentials the probe does not have.
    refusingProxy = createServer((_req, res) => {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"' }).end();
    });
    refusingProxy.on('connect', (_req, socket: Socket) => {
      proxySockets.add(socket);
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n',
      );
    });
    await new Promise<void>((resolve) => refusingProxy.listen(0, '127.0.0.1', resolve));
    refusingProxyPort = (refusingProxy.address() as { port: number }).port;
    dir = await mkdtemp(join(tmpdir(), 'canary-network-'));
  });

  afterAll(async () => {
    await Promise.all([silent?.stop(), resetting?.stop(), webServer?.stop(), landingPage?.stop()]);
    for (const socket of proxySockets) socket.destroy();
    await new Promise((resolve) => refusingProxy?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with CONNECTION_REFUSED when nothing listens on the port', async () => {
    const port = await closedPort();

    const result = await probeCold(`127.0.0.1:${port}/team/app:v1`, { plainHttp: true });

    expectDiagnosis(result, 'CONNECTION_REFUSED');
    expect(result.diagnosis!.evidence.join('\n')).toContain('ECONNREFUSED');
    expect(result.steps[0]).toMatchObject({ name: 'ping', status: null, host: `127.0.0.1:${port}` });
  });

  it('fails with TIMEOUT within the deadline when the server accepts and never answers', async () => {
    const deadlineMs = 1_500;
    const started = performance.now();

    const result = await probeCold(`${silent.host}/team/app:v1`, { plainHttp: true, timeoutMs: deadlineMs });
    const elapsed = performance.now() - started;

    expectDiagnosis(result, 'TIMEOUT');
    expect(elapsed).toBeLessThan(deadlineMs + 750);
    expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(result.durationMs).toBeLessThan(deadlineMs + 750);
  });

  it('fails with TIMEOUT at the per-request timeout when it is shorter than the deadline', async () => {
    const started = performance.now();

    const result = await probeCold(`${silent.host}/team/app:v1`, {
      plainHttp: true,
      timeoutMs: 5_000,
      requestTimeoutMs: 800,
    });
    const elapsed = performance.now() - started;

    expectDiagnosis(result, 'TIMEOUT');
    expect(elapsed).toBeLessThan(800 + 750);
  });

  it('fails with CONNECTION_RESET when the server resets the connection', async () => {
    const result = await probeCold(`${resetting.host}/team/app:v1`, { plainHttp: true });

    expectDiagnosis(result, 'CONNECTION_RESET');
  });

  it('fails with PROTOCOL_ERROR when the host is a web server that answers /v2/ with an HTML 404', async () => {
    const result = await probeCold(`${webServer.host}/team/app:v1`, { plainHttp: true });

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(result.steps[0]).toMatchObject({ name: 'ping', status: 404 });
  });

  it('fails with PROTOCOL_ERROR when a catch-all server answers 200 without a Docker-Content-Digest', async () => {
    const result = await probeCold(`${landingPage.host}/team/app:v1`, { plainHttp: true });

    expectDiagnosis(result, 'PROTOCOL_ERROR');
  });

  it('fails with PROXY_ERROR when the configured HTTPS proxy refuses connections', async () => {
    const port = await closedPort();

    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      proxy: { httpsProxy: `http://127.0.0.1:${port}` },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
  });

  it('fails with PROXY_ERROR when the proxy answers CONNECT with 407 Proxy Authentication Required', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      proxy: { httpsProxy: `http://127.0.0.1:${refusingProxyPort}` },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
  });

  it('fails with CREDENTIALS_UNAVAILABLE when the docker config file cannot be read', async () => {
    const port = await closedPort();

    const result = await probeCold(`127.0.0.1:${port}/team/app:v1`, {
      plainHttp: true,
      credentials: dockerConfigCredentials({ path: join(dir, 'missing', 'config.json') }),
    });

    expectDiagnosis(result, 'CREDENTIALS_UNAVAILABLE');
    expect(result.steps).toEqual([]);
  });

  it('fails with CREDENTIALS_UNAVAILABLE when the docker config is not JSON, without echoing it', async () => {
    const path = join(dir, 'config.json');
    const secret = `secret-${crypto.randomUUID()}`;
    await writeFile(path, `{"auths": {"x": {"auth": "${secret}"`);

    const result = await probeCold('127.0.0.1:1/team/app:v1', {
      plainHttp: true,
      credentials: dockerConfigCredentials({ path }),
    });

    expectDiagnosis(result, 'CREDENTIALS_UNAVAILABLE');
    expect(JSON.stringify(result)).not.toContain(secret);
  });
});
