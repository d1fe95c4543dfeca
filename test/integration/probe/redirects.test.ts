/**
 * Redirects of every request, against the real distribution registry fronted by a proxy that
 * answers as registry.k8s.io does: GET /v2/ 200, every manifest request a 307 to another registry
 * host (https://github.com/kubernetes/registry.k8s.io/issues/116, crane trace of 2022-10-13:
 * `HTTP/2.0 307 Temporary Redirect`, `Location: https://asia-east1-docker.pkg.dev/v2/k8s-artifacts-prod/...`;
 * https://github.com/kubernetes/registry.k8s.io/blob/main/docs/debugging.md lists the hosts a pull
 * visits). And hostile redirects on loopback: to the metadata service, to other schemes, in a loop.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { type RecordingServer, startHttpServer, startSilentServer } from '../harness/servers.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret } from './expectations.ts';

const PASSWORD = `front_${crypto.randomUUID()}`;
const PING = /^\/v2\/$/;

describe.runIf(registryTestsEnabled())(
  'probe of a registry that redirects manifests, as registry.k8s.io',
  () => {
    const image = buildMultiArchImage();
    let registry: RunningRegistry;
    let front: FaultProxy;

    beforeAll(async () => {
      registry = await startRegistry({ mode: 'plain' });
      await pushImage(registry, 'k8s-artifacts-prod/images/pause', '3.9', image);
      front = await startFaultProxy({ target: registry.url });
      front.setFaults({ redirectManifestsTo: registry.url });
    });

    afterAll(async () => {
      await front?.stop();
      await registry?.stop();
    });

    it('follows the 307 of every manifest request and reports the image as healthy', async () => {
      const result = await probeCold(`${front.host}/k8s-artifacts-prod/images/pause:3.9`, {
        plainHttp: true,
      });

      expectHealthy(result);
      expect(result.digest).toBe(image.digest);
      // Cold: the tag is GET at once (no HEAD could spare the GET).
      const gets = result.steps.filter((s) => s.name === 'manifest-get');
      expect(gets.map((s) => [s.host, s.status])).toEqual([
        [front.host, 307],
        [registry.host, 200],
      ]);
    });

    it('follows the redirect of the platform manifests fetched by digest too', async () => {
      const result = await probeCold(`${front.host}/k8s-artifacts-prod/images/pause:3.9`, {
        plainHttp: true,
      });
      const platform = result.steps.filter((s) => s.name === 'platform-manifest');

      expect(platform.map((s) => s.status)).toEqual([307, 200]);
      expect(platform[1]!.host).toBe(registry.host);
    });
  },
);

describe.runIf(registryTestsEnabled())('probe redirected to a registry host that wants its own token', () => {
  const image = buildMultiArchImage();
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let front: FaultProxy;

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { pusher: PASSWORD } });
    registry = await startRegistry({ mode: 'token', tokenAuthority: tokens });
    await pushImage(
      { ...registry, credentials: { username: 'pusher', password: PASSWORD } },
      'team/app',
      'v1',
      image,
    );
    front = await startFaultProxy({ target: registry.url });
    tokens.requests.length = 0; // the push's own logins
  });

  afterEach(() => {
    tokens.requests.length = 0;
    front.requests.length = 0;
  });

  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
    await tokens?.stop();
  });

  it("answers the new host's challenge with an anonymous token and never sends it the front's credentials", async () => {
    // The front wants Basic credentials; the host it redirects to is another origin.
    front.setFaults({
      match: PING,
      status: { code: 401, headers: { 'www-authenticate': 'Basic realm="front"' } },
      redirectManifestsTo: registry.url,
      redirectBlobsTo: registry.url,
    });

    const result = await probeCold(`${front.host}/team/app:v1`, {
      plainHttp: true,
      tokenCache: new TokenCache(),
      credentials: basicCredentials('reader', PASSWORD),
    });

    expectHealthy(result);
    expect(tokens.requests.length).toBeGreaterThan(0);
    for (const request of tokens.requests) {
      expect(request.authorization).toBeNull();
      expect(request.username).toBeNull();
      expect(request.scopes).toEqual(['repository:team/app:pull']);
    }
    expect(front.requests.find((r) => r.url.includes('/manifests/'))?.headers.authorization).toMatch(
      /^Basic /,
    );
    expectNoSecret(JSON.stringify(result), PASSWORD, 'reader');
  });
});

describe.runIf(registryTestsEnabled())('probe whose token realm redirects', () => {
  const image = buildMultiArchImage();
  let tokens: TokenServer;
  let mover: RecordingServer;
  let pushTarget: RunningRegistry;
  let registry: RunningRegistry;
  let target = '';

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { pusher: PASSWORD } });
    target = tokens.realm;
    // The realm the registry names answers 307 to wherever the test says: a load balancer that
    // moved /token, or a hostile one.
    mover = await startHttpServer((req, res) => {
      const query = (req.url ?? '').replace(/^[^?]*/, '');
      res.writeHead(307, { location: `${target}${query}`, 'content-length': '0' }).end();
    });
    // Pushed through the real realm (fetch drops credentials on a cross-origin redirect, so a
    // push through the mover would be anonymous), then served from the same storage by a
    // registry whose challenge names the mover.
    pushTarget = await startRegistry({ mode: 'token', tokenAuthority: tokens });
    await pushImage(
      { ...pushTarget, credentials: { username: 'pusher', password: PASSWORD } },
      'team/app',
      'v1',
      image,
    );
    registry = await startRegistry({
      mode: 'token',
      tokenAuthority: { ...tokens, realm: `${mover.url}/token` },
      storageDir: pushTarget.storageDir,
    });
    tokens.requests.length = 0;
  });

  afterEach(() => {
    tokens.requests.length = 0;
    mover.requests.length = 0;
  });

  afterAll(async () => {
    await registry?.stop();
    await pushTarget?.stop();
    await Promise.all([mover?.stop(), tokens?.stop()]);
  });

  it('follows the realm to the token service and sends the Basic credentials only to the realm it was given', async () => {
    target = tokens.realm;

    const result = await probeCold(`${registry.host}/team/app:v1`, {
      plainHttp: true,
      tokenCache: new TokenCache(),
      credentials: basicCredentials('reader', PASSWORD),
    });

    expectHealthy(result);
    expect(result.steps.filter((s) => s.name === 'token').map((s) => s.status)).toEqual([307, 200]);
    expect(mover.requests[0]!.headers.authorization).toMatch(/^Basic /);
    // Another origin: the token service gets an anonymous request (and grants anonymous pull).
    expect(tokens.requests.map((r) => r.authorization)).toEqual([null]);
    expectNoSecret(JSON.stringify(result), PASSWORD, 'reader');
  });

  it('refuses a realm that redirects to the metadata service, with TOKEN_SERVICE_ERROR naming it', async () => {
    target = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';

    const result = await probeCold(`${registry.host}/team/app:v1`, {
      plainHttp: true,
      tokenCache: new TokenCache(),
    });

    expectDiagnosis(result, 'TOKEN_SERVICE_ERROR');
    expect(result.diagnosis!.summary).toContain('link-local address 169.254.169.254');
    expect(result.steps.some((s) => s.host.startsWith('169.254'))).toBe(false);
  });
});

describe('probe against registries whose redirects are hostile', () => {
  let hostile: RecordingServer;
  let location = '';

  beforeAll(async () => {
    hostile = await startHttpServer((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' }).end();
        return;
      }
      if (req.url?.startsWith('/v2/team/app/manifests/')) {
        res.writeHead(307, { location, 'content-length': '0' }).end();
        return;
      }
      if (req.url === '/loop') {
        res.writeHead(308, { location: '/loop', 'content-length': '0' }).end();
        return;
      }
      res.writeHead(404).end();
    });
  });

  afterEach(() => {
    hostile.requests.length = 0;
  });

  afterAll(async () => {
    await hostile?.stop();
  });

  it.each([
    [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'link-local address 169.254.169.254',
    ],
    ['http://2852039166/latest/meta-data/', 'link-local address 169.254.169.254'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'link-local address 169.254.169.254'],
    ['http://[::ffff:169.254.169.254]/', 'link-local address 169.254.169.254'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'cloud metadata address fd00:ec2::254'],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      'cloud metadata service (metadata.google.internal)',
    ],
    ['http://[fe80::1]/', 'link-local address fe80::1'],
  ])('refuses the redirect to %s with PROTOCOL_ERROR and sends it nothing', async (target, named) => {
    location = target;

    const result = await probeCold(`${hostile.host}/team/app:v1`, { plainHttp: true });

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    const evidence = result.diagnosis!.evidence.join('\n');
    expect(evidence).toContain('redirect refused: 307');
    expect(evidence).toContain(named);
    // Every request the HTTP client dispatches becomes a step, failed connections included.
    expect(result.steps.map((s) => s.host)).toEqual([hostile.host, hostile.host]);
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1:PORT/', 'gopher://127.0.0.1:PORT/_GET'])(
    'refuses the redirect to %s before opening any connection',
    async (target) => {
      const silent = await startSilentServer();
      location = target.replace('PORT', String(silent.port));

      const result = await probeCold(`${hostile.host}/team/app:v1`, { plainHttp: true });
      await silent.stop();

      expectDiagnosis(result, 'PROTOCOL_ERROR');
      expect(result.diagnosis!.evidence.join('\n')).toMatch(
        /the Location uses the (file|ftp|gopher): scheme/,
      );
      expect(silent.connections()).toBe(0);
      expect(result.steps).toHaveLength(2);
    },
  );

  it('stops a redirect loop after 10 answers with PROTOCOL_ERROR, the chain summarised', async () => {
    location = '/loop';

    const result = await probeCold(`${hostile.host}/team/app:v1`, { plainHttp: true });

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(result.diagnosis!.summary).toContain('stopped after 10 redirects');
    expect(result.diagnosis!.evidence).toContain('redirects followed: 9');
    expect(result.diagnosis!.evidence.length).toBeLessThan(12);
    expect(result.steps.filter((s) => s.name === 'manifest-get')).toHaveLength(10);
  });

  it("refuses a redirected host's token realm at the metadata address, sending it nothing", async () => {
    const foreign = await startHttpServer((_req, res) => {
      res
        .writeHead(401, {
          'www-authenticate': 'Bearer realm="http://169.254.169.254/latest/meta-data/",service="x"',
        })
        .end();
    });
    location = `${foreign.url}/v2/team/app/manifests/v1`;

    const result = await probeCold(`${hostile.host}/team/app:v1`, {
      plainHttp: true,
      tokenCache: new TokenCache(),
    });
    await foreign.stop();

    expectDiagnosis(result, 'TOKEN_SERVICE_ERROR');
    expect(result.diagnosis!.evidence.join('\n')).toContain('link-local address 169.254.169.254');
    expect(result.diagnosis!.evidence.join('\n')).toContain(`named by ${foreign.host}, where a redirect led`);
    expect(result.steps.some((s) => s.host.startsWith('169.254'))).toBe(false);
  });
});
