/**
 * A forward proxy that answers itself, or cannot be reached, is named as the cause: never the
 * registry behind it. Every proxy here is a real server on 127.0.0.1 answering the way Squid does;
 * the registry names (*.canary.invalid) are never resolved by the probe, only by the proxy.
 *
 * Squid's 403 headers are those captured in mozilla/identity-ops#34 (squid/3.1.10, an
 * http_access deny: X-Squid-Error: ERR_ACCESS_DENIED 0, Server: squid/3.1.10, Via: 1.0 localhost
 * (squid/3.1.10)) and sipgate/sipgate.io#35 (squid/3.1.20), with its "Access Denied" page text.
 * undici's report of a refused CONNECT: node_modules/undici/lib/dispatcher/proxy-agent.js:196-200;
 * of a plain-HTTP 407: proxy-agent.js:57-63.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../../functions/probe/diagnose.ts';
import { Deadline } from '../../../functions/registry/deadline.ts';
import type { LookupFunction } from '../../../functions/registry/forbidden-hosts.ts';
import { HttpClient } from '../../../functions/registry/http.ts';
import { profileForHost } from '../../../functions/registry/profiles.ts';
import { closedPort } from '../harness/servers.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis } from './expectations.ts';

/** Squid's ERR_ACCESS_DENIED answer, as captured in mozilla/identity-ops#34. */
const SQUID_DENIED_HEADERS = {
  Server: 'squid/3.1.10',
  'Mime-Version': '1.0',
  'Content-Type': 'text/html',
  'X-Squid-Error': 'ERR_ACCESS_DENIED 0',
  'X-Cache': 'MISS from localhost',
  Via: '1.0 localhost (squid/3.1.10)',
};
const SQUID_DENIED_PAGE =
  '<html><body><h2>The requested URL could not be retrieved</h2><p>Access Denied.</p><p>Access control configuration prevents your request from being allowed at this time.</p></body></html>';

interface Proxy {
  url: string;
  port: number;
  /** Absolute URLs of plain-HTTP requests, and host:port of CONNECTs, in order. */
  seen: string[];
  stop(): Promise<void>;
}

/** A forward proxy on 127.0.0.1 that answers every request and every CONNECT itself. */
async function startProxy(status: number, headers: Record<string, string>, body = ''): Promise<Proxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    res.writeHead(status, headers).end(body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    seen.push(`CONNECT ${req.url}`);
    sockets.add(socket);
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.end(
      `HTTP/1.1 ${status} Refused\r\n${lines.join('')}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a forward proxy that answers itself is named, not the registry', () => {
  let squid: Proxy;
  let authProxy: Proxy;
  let forwarding: Proxy;
  let upstreamDown: Proxy;

  beforeAll(async () => {
    [squid, authProxy, forwarding, upstreamDown] = await Promise.all([
      // Squid with an http_access deny for the registry: 403 to plain-HTTP requests and to CONNECT.
      startProxy(403, SQUID_DENIED_HEADERS, SQUID_DENIED_PAGE),
      // A proxy that wants its own credentials.
      startProxy(407, { 'Proxy-Authenticate': 'Basic realm="corp"', Server: 'squid/5.7' }),
      // A proxy that carried the request: the 403 is the registry's own, passed on with a Via header.
      startProxy(
        403,
        { 'Content-Type': 'application/json', Via: '1.1 proxy (squid/5.7)' },
        '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
      ),
      // Squid when it cannot connect to the registry (ERR_CONNECT_FAIL is a 503).
      startProxy(503, { 'X-Squid-Error': 'ERR_CONNECT_FAIL 111', Server: 'squid/5.7' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([squid, authProxy, forwarding, upstreamDown].map((p) => p?.stop()));
  });

  it('reads a plain-HTTP 403 from Squid as PROXY_ERROR naming the proxy, not DENIED', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      plainHttp: true,
      proxy: { httpProxy: squid.url },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
    const d = result.diagnosis!;
    expect(d.summary).toContain(`The proxy ${squid.url}/ refused`);
    expect(d.summary).toContain('(403)');
    expect(d.summary).toContain('not the registry denying the pull');
    expect(d.evidence).toContain(`proxy: ${squid.url}/`);
    expect(d.evidence).toContain('answered by: Squid, not the registry (x-squid-error: ERR_ACCESS_DENIED 0)');
    expect(d.evidence).toContain('via: 1.0 localhost (squid/3.1.10)');
    expect(d.evidence.some((e) => e.startsWith('body: ') && e.includes('Access Denied.'))).toBe(true);
    const steps = d.nextSteps.join('\n');
    expect(steps).toContain(`-x '${squid.url}/' http://registry.canary.invalid/v2/`);
    expect(steps).toContain("The proxy's access rules refuse registry.canary.invalid:80");
    expect(steps).toContain('NO_PROXY');
    expect(steps).not.toMatch(/pull permission/);
    // The proxy got the absolute-URL request; nothing else was contacted.
    expect(squid.seen).toEqual(['http://registry.canary.invalid/v2/']);
  });

  it('names the proxy and the CONNECT it refused (403) for an HTTPS registry', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      proxy: { httpsProxy: squid.url },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
    const d = result.diagnosis!;
    expect(d.summary).toBe(
      `The proxy ${squid.url}/ refused CONNECT registry.canary.invalid:443 (403): its access rules do not allow registry.canary.invalid:443; the registry was not asked, this is not the registry denying the pull.`,
    );
    expect(d.evidence).toContain(
      'the proxy answered CONNECT registry.canary.invalid:443 with 403, so no tunnel to the registry was opened',
    );
    expect(d.evidence).toContain('undici: Proxy response (403) !== 200 when HTTP Tunneling');
    expect(d.nextSteps.join('\n')).toContain('and CONNECT to its port');
    expect(squid.seen).toContain('CONNECT registry.canary.invalid:443');
  });

  it('keeps a 403 the proxy only forwarded (a Via header, no proxy signature) as the registry refusal', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      plainHttp: true,
      proxy: { httpProxy: forwarding.url },
    });

    expectDiagnosis(result, 'DENIED');
  });

  it('names the proxy and its 407 when it wants its own credentials for a plain-HTTP request', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      plainHttp: true,
      proxy: { httpProxy: authProxy.url },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
    const d = result.diagnosis!;
    expect(d.summary).toContain(`The proxy ${authProxy.url}/ requires its own credentials (407)`);
    expect(d.evidence).toContain(`proxy: ${authProxy.url}/`);
    expect(d.evidence).toContain('undici: Proxy Authentication Required (407)');
    expect(d.nextSteps.join('\n')).toContain(`http://USER:PASSWORD@127.0.0.1:${authProxy.port}`);
  });

  it('says the proxy could not reach the registry when Squid answers 503 ERR_CONNECT_FAIL itself', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      plainHttp: true,
      proxy: { httpProxy: upstreamDown.url },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
    const d = result.diagnosis!;
    expect(d.summary).toContain(
      `The proxy ${upstreamDown.url}/ could not reach registry.canary.invalid:80 (503 from the proxy`,
    );
    expect(d.evidence).toContain(
      'answered by: Squid, not the registry (x-squid-error: ERR_CONNECT_FAIL 111)',
    );
    expect(d.nextSteps.join('\n')).toContain('The proxy could not reach registry.canary.invalid:80');
  });

  it('names the proxy host, not the registry, when nothing listens at the proxy', async () => {
    const port = await closedPort();
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      proxy: { httpsProxy: `http://127.0.0.1:${port}` },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
    const d = result.diagnosis!;
    expect(d.summary).toContain(
      `Nothing accepts connections at the proxy http://127.0.0.1:${port}/ (ECONNREFUSED)`,
    );
    expect(d.evidence).toContain(`failed hop: the probe to the proxy 127.0.0.1:${port}`);
    expect(d.nextSteps[0]).toBe(`nc -vz 127.0.0.1 ${port}   # is the proxy listening?`);
  });
});

describe('a proxy whose access list allows the registry and not its token service', () => {
  let proxy: Proxy;
  let server: Server;

  beforeAll(async () => {
    // The proxy forwards the registry (here it answers for it: a 401 challenge naming the realm)
    // and refuses the realm's host with Squid's ERR_ACCESS_DENIED page.
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if ((req.url ?? '').startsWith('http://registry.canary.invalid/')) {
        res
          .writeHead(401, {
            'www-authenticate':
              'Bearer realm="http://auth.canary.invalid/token",service="registry.canary.invalid"',
            'content-type': 'application/json',
          })
          .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      res.writeHead(403, SQUID_DENIED_HEADERS).end(SQUID_DENIED_PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    proxy = { url: `http://127.0.0.1:${port}`, port, seen, stop: async () => {} };
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is PROXY_ERROR at the token step, not TOKEN_SERVICE_ERROR', async () => {
    const result = await probeCold('registry.canary.invalid/team/app:v1', {
      plainHttp: true,
      proxy: { httpProxy: proxy.url },
    });

    expectDiagnosis(result, 'PROXY_ERROR');
    const d = result.diagnosis!;
    expect(d.evidence).toContain('step: token');
    expect(d.summary).toContain(`The proxy ${proxy.url}/ refused GET http://auth.canary.invalid/token`);
    expect(d.nextSteps.join('\n')).toContain("The proxy's access rules refuse auth.canary.invalid:80");
    expect(proxy.seen.some((url) => url.startsWith('http://auth.canary.invalid/token'))).toBe(true);
  });
});

describe('a proxy whose own name does not resolve', () => {
  // The test's resolver answers every name as DNS would for an unknown one, so no query leaves
  // the machine; the HttpClient resolves the proxy's name through it (http.ts proxyTls.lookup).
  const asked: string[] = [];
  const unresolvable: LookupFunction = (hostname, _options, callback) => {
    asked.push(hostname);
    callback(
      Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }),
      '',
      4,
    );
  };

  it('is PROXY_ERROR naming the proxy host; the registry name is never looked up', async () => {
    const http = new HttpClient({
      deadline: new Deadline(5_000),
      requestTimeoutMs: 2_000,
      proxy: { httpsProxy: 'http://proxy.corp.invalid:3128' },
      lookup: unresolvable,
    });
    const error = await http
      .send({ step: 'ping', method: 'GET', url: new URL('https://registry.canary.invalid/v2/') })
      .then(
        () => null,
        (e: unknown) => e,
      );
    await http.close();

    const d = diagnose(error, {
      registry: 'registry.canary.invalid',
      repository: 'team/app',
      reference: 'v1',
      plainHttp: false,
      profile: profileForHost('registry.canary.invalid'),
      runbookBaseUrl: 'https://runbooks.example',
      credentialSource: 'anonymous',
      platforms: ['linux/amd64'],
    });
    expect(d.code).toBe('PROXY_ERROR');
    expect(d.summary).toBe(
      "The proxy's host name proxy.corp.invalid does not resolve (ENOTFOUND): the probe never reached the proxy http://proxy.corp.invalid:3128/, and registry.canary.invalid was not tried (the proxy would have resolved it).",
    );
    expect(d.evidence).toContain('failed hop: the probe to the proxy proxy.corp.invalid:3128');
    expect(d.nextSteps[0]).toBe(
      "getent hosts proxy.corp.invalid   # the proxy's name, not the registry's: the probe resolves only the proxy",
    );
    expect(d.nextSteps.join('\n')).toContain("the config's httpsProxy");
    expect(d.runbook).toBe('https://runbooks.example/PROXY_ERROR.md');
    expect(asked).toEqual(['proxy.corp.invalid']);
  });
});
