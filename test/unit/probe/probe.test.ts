import { afterEach, describe, expect, it, vi } from 'vitest';
import { basicCredentials, CredentialsUnavailableError } from '../../../functions/credentials/types.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { InvalidReferenceError } from '../../../functions/registry/errors.ts';
import { TokenCache, tokenCacheKey } from '../../../functions/registry/token.ts';
import { RunDeadline } from '../../../functions/run/deadline.ts';
import { ECR_EXPIRED_TOKEN, ECR_PUBLIC_INVALID_TOKEN } from '../../integration/harness/captures/index.ts';
import { warmManifestCache } from '../../integration/probe/cold-probe.ts';
import { buildImage, type FakeServer, serveImage, startFakeServer } from './fake-registry.ts';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server() {
  const s = await startFakeServer();
  servers.push(s);
  return s;
}

const open = (s: FakeServer) => s.routes.set('GET /v2/', (_req, res) => res.end('{}'));

/** A registry with Docker Hub's flow: Bearer challenge, token from a realm on the same host. */
async function tokenRegistry(
  options: { password?: string; tokenReply?: (res: import('node:http').ServerResponse) => void } = {},
) {
  const s = await server();
  const image = buildImage();
  s.routes.set('GET /v2/', (_req, res) => {
    res.writeHead(401, { 'www-authenticate': `Bearer realm="${s.url}/token",service="fake-registry"` });
    res.end();
  });
  s.routes.set('GET /token', (req, res) => {
    if (options.tokenReply) return options.tokenReply(res);
    const auth = req.headers.authorization;
    if (options.password !== undefined) {
      const expected = `Basic ${Buffer.from(`robot:${options.password}`).toString('base64')}`;
      if (auth !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'tok-secret-123', expires_in: 300 }));
  });
  serveImage(s, 'team/app', image, (req, res) => {
    if (req.headers.authorization === 'Bearer tok-secret-123') return false;
    res.writeHead(401, {
      'www-authenticate': `Bearer realm="${s.url}/token",service="fake-registry",scope="repository:team/app:pull"`,
    });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return true;
  });
  return { s, image };
}

const base = { plainHttp: true, tokenCache: undefined as TokenCache | undefined };

describe('probeImage against a registry whose /v2/ is open but whose repositories are not', () => {
  it("answers the repository's own Bearer challenge and walks on", async () => {
    const { s } = await tokenRegistry();
    open(s);

    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache: new TokenCache() });

    expect(result.diagnosis).toBeNull();
    expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.steps.slice(0, 4).map((st) => `${st.name} ${st.status}`)).toEqual([
      'ping 200',
      'manifest-get 401',
      'token 200',
      'manifest-get 200',
    ]);
  });

  it('reports AUTH_REQUIRED when the repository still refuses after its challenge was answered', async () => {
    const { s } = await tokenRegistry({
      tokenReply: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'tok-refused', expires_in: 300 }));
      },
    });
    open(s);

    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache: new TokenCache() });

    expect(result.diagnosis?.code).toBe('AUTH_REQUIRED');
    expect(result.steps.filter((st) => st.name === 'token')).toHaveLength(1);
  });
});

describe('probeImage with a cached token the registry refuses', () => {
  it('logs in again only once, and reports the refusal when the fresh token is refused too', async () => {
    const { s } = await tokenRegistry({
      tokenReply: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'tok-also-refused', expires_in: 300 }));
      },
    });
    const tokenCache = new TokenCache();
    tokenCache.set(
      tokenCacheKey({
        realm: new URL(`${s.url}/token`),
        service: 'fake-registry',
        scope: 'repository:team/app:pull',
        credentials: null,
      }),
      'tok-stale',
      300,
    );

    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache });

    expect(result.diagnosis?.code).toBe('AUTH_REQUIRED');
    expect(result.steps.map((st) => `${st.name} ${st.status}`)).toEqual([
      'ping 401',
      'manifest-get 401',
      'ping 401',
      'token 200',
      'manifest-get 401',
    ]);
  });
});

describe('probeImage on ECR Public with a cached token it calls invalid (apple/container#847)', () => {
  /** A registry that answers any token but a fresh one with ECR Public's 400 and no challenge. */
  async function ecrPublicLike() {
    const { s } = await tokenRegistry();
    serveImage(s, 'team/app', buildImage(), (req, res) => {
      if (req.headers.authorization === 'Bearer tok-secret-123') return false;
      res.writeHead(ECR_PUBLIC_INVALID_TOKEN.response.status, ECR_PUBLIC_INVALID_TOKEN.response.headers);
      res.end(req.method === 'HEAD' ? undefined : ECR_PUBLIC_INVALID_TOKEN.response.body);
      return true;
    });
    const tokenCache = new TokenCache();
    tokenCache.set(
      tokenCacheKey({
        realm: new URL(`${s.url}/token`),
        service: 'fake-registry',
        scope: 'repository:team/app:pull',
        credentials: null,
      }),
      'tok-stale',
      300,
    );
    return { s, tokenCache };
  }

  it('logs in again inside the registry client, once, and walks on with the fresh token', async () => {
    const { s, tokenCache } = await ecrPublicLike();

    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache, profile: 'ecr-public' });

    expect(result.diagnosis).toBeNull();
    expect(result.steps.slice(0, 5).map((st) => `${st.name} ${st.status}`)).toEqual([
      'ping 401',
      'manifest-get 400',
      'ping 401',
      'token 200',
      'manifest-get 200',
    ]);
  });

  it('does not log in again where the dialect does not call the 400 a refused token', async () => {
    const { s, tokenCache } = await ecrPublicLike();

    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache, profile: 'generic' });

    expect(result.diagnosis?.code).toBe('DENIED');
    expect(result.steps.filter((st) => st.name === 'token')).toHaveLength(0);
  });
});

describe('probeImage on ECR with a password it calls expired (flipt-io/flipt#3043)', () => {
  /** A Basic registry that refuses any password but `fresh` with ECR's expired-token 403. */
  async function ecrLike() {
    const s = await server();
    s.routes.set('GET /v2/', (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="ecr"' });
      res.end();
    });
    const fresh = `Basic ${Buffer.from('AWS:fresh-7f3a').toString('base64')}`;
    serveImage(s, 'team/app', buildImage(), (req, res) => {
      if (req.headers.authorization === fresh) return false;
      res.writeHead(ECR_EXPIRED_TOKEN.response.status, ECR_EXPIRED_TOKEN.response.headers);
      res.end(req.method === 'HEAD' ? undefined : ECR_EXPIRED_TOKEN.response.body);
      return true;
    });
    return s;
  }

  it('asks the credential source for a fresh token once, past its cache, and walks on', async () => {
    const s = await ecrLike();
    const resolve = vi.fn(async () => ({ kind: 'basic', username: 'AWS', password: 'stale' }) as const);
    const refresh = vi.fn(async () => ({ kind: 'basic', username: 'AWS', password: 'fresh-7f3a' }) as const);

    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      profile: 'ecr',
      credentials: { source: 'ecr', resolve, refresh },
    });

    expect(result.diagnosis).toBeNull();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(result)).not.toContain('fresh-7f3a');
  });

  it('names the token as expired when the source has nothing fresher (a docker config)', async () => {
    const s = await ecrLike();

    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      profile: 'ecr',
      credentials: {
        source: 'docker-config',
        resolve: async () => ({ kind: 'basic', username: 'AWS', password: 'stale' }) as const,
      },
    });

    expect(result.diagnosis?.code).toBe('AUTH_FAILED');
    expect(result.diagnosis?.summary).toContain('refused the docker-config credentials as expired');
  });

  it('asks once only: a fresh token refused too is reported, with the fresh login in the evidence', async () => {
    const s = await ecrLike();
    const refresh = vi.fn(async () => ({ kind: 'basic', username: 'AWS', password: 'also-stale' }) as const);

    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      profile: 'ecr',
      credentials: {
        source: 'ecr',
        resolve: async () => ({ kind: 'basic', username: 'AWS', password: 'stale' }) as const,
        refresh,
      },
    });

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(result.diagnosis?.code).toBe('AUTH_FAILED');
    expect(result.diagnosis?.evidence).toContain(
      'the registry refused a cached token; the client logged in again once and the fresh token was refused too',
    );
  });
});

describe('probeImage', () => {
  it('walks the pull path through a token realm and reports a healthy multi-arch image', async () => {
    const { s, image } = await tokenRegistry();
    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      tokenCache: new TokenCache(),
      platforms: ['linux/arm64'],
    });
    expect(result.diagnosis).toBeNull();
    expect(result.status).toBe('healthy');
    expect(result.digest).toBe(image.indexDigest);
    expect(result.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    // Cold: nothing of the repository is cached, so the tag is GET without a HEAD first.
    expect(result.steps.map((st) => st.name)).toEqual([
      'ping',
      'token',
      'manifest-get',
      'platform-manifest',
      'blob-head',
    ]);
    const tokenRequest = s.requests.find((r) => r.path === '/token');
    expect(tokenRequest).toBeDefined();
    expect(JSON.stringify(result)).not.toContain('tok-secret-123');
  });

  it('asks the realm for repository:NAME:pull with the challenge service', async () => {
    const { s } = await tokenRegistry();
    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache: new TokenCache() });
    const tokenStep = result.steps.find((st) => st.name === 'token')!;
    const url = new URL(tokenStep.url);
    expect(url.searchParams.get('service')).toBe('fake-registry');
    expect(url.searchParams.get('scope')).toBe('repository:team/app:pull');
  });

  it('reuses a cached token on the next probe', async () => {
    const { s } = await tokenRegistry();
    const tokenCache = new TokenCache();
    await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache });
    const second = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache });
    expect(second.status).toBe('healthy');
    expect(second.steps.map((st) => st.name)).not.toContain('token');
  });

  it('diagnoses AUTH_FAILED when the token service rejects the password, and never prints it', async () => {
    const { s } = await tokenRegistry({ password: 'right-password' });
    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      tokenCache: new TokenCache(),
      credentials: basicCredentials('robot', 'wrong-password-xyz'),
    });
    expect(result.diagnosis?.code).toBe('AUTH_FAILED');
    expect(JSON.stringify(result)).not.toContain('wrong-password-xyz');
    expect(JSON.stringify(result)).not.toContain(Buffer.from('robot:wrong-password-xyz').toString('base64'));
  });

  it('passes with the right password', async () => {
    const { s } = await tokenRegistry({ password: 'right-password' });
    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      tokenCache: new TokenCache(),
      credentials: basicCredentials('robot', 'right-password'),
    });
    expect(result.status).toBe('healthy');
  });

  it('diagnoses TOKEN_SERVICE_ERROR when the token service answers 500', async () => {
    const { s } = await tokenRegistry({
      tokenReply: (res) => {
        res.writeHead(500);
        res.end('<html>oops</html>');
      },
    });
    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache: new TokenCache() });
    expect(result.diagnosis?.code).toBe('TOKEN_SERVICE_ERROR');
    expect(result.diagnosis?.evidence).toContain('status: 500');
  });

  it('diagnoses TOKEN_SERVICE_ERROR when the token reply has no token', async () => {
    const { s } = await tokenRegistry({
      tokenReply: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"nothing":"here"}');
      },
    });
    const result = await probeImage(`${s.host}/team/app:v1`, { ...base, tokenCache: new TokenCache() });
    expect(result.diagnosis?.code).toBe('TOKEN_SERVICE_ERROR');
    expect(result.diagnosis?.summary).toContain('without a token');
  });

  it('refuses a realm on another host when credentials would go there, and sends it nothing', async () => {
    const registry = await server();
    const collector = await server();
    const realm = `http://localhost:${collector.host.split(':')[1]}/token`;
    registry.routes.set('GET /v2/', (_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="x"` });
      res.end();
    });
    const result = await probeImage(`${registry.host}/team/app:v1`, {
      ...base,
      tokenCache: new TokenCache(),
      credentials: basicCredentials('robot', 'pw-1234'),
    });
    expect(result.diagnosis?.code).toBe('TOKEN_SERVICE_ERROR');
    expect(result.diagnosis?.evidence.some((e) => e.startsWith('refused:'))).toBe(true);
    expect(collector.requests).toHaveLength(0);
  });

  it('refuses a metadata-service realm even without credentials', async () => {
    const registry = await server();
    registry.routes.set('GET /v2/', (_req, res) => {
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="http://169.254.169.254/latest/meta-data/",service="x"',
      });
      res.end();
    });
    const result = await probeImage(`${registry.host}/team/app:v1`, {
      ...base,
      tokenCache: new TokenCache(),
      timeoutMs: 2_000,
    });
    expect(result.diagnosis?.code).toBe('TOKEN_SERVICE_ERROR');
    expect(result.steps.map((st) => st.name)).toEqual(['ping']);
  });

  it('diagnoses AUTH_REQUIRED when a Basic registry gets no credentials', async () => {
    const s = await server();
    const image = buildImage();
    s.routes.set('GET /v2/', (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Registry Realm"' });
      res.end();
    });
    serveImage(s, 'app', image, (req, res) => {
      if (req.headers.authorization) return false;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Registry Realm"' });
      res.end();
      return true;
    });
    const result = await probeImage(`${s.host}/app:v1`, base);
    expect(result.diagnosis?.code).toBe('AUTH_REQUIRED');
    const withCreds = await probeImage(`${s.host}/app:v1`, {
      ...base,
      credentials: basicCredentials('u', 'p4ss'),
    });
    expect(withCreds.status).toBe('healthy');
  });

  it('follows a blob redirect by hand and sends no Authorization to the storage host', async () => {
    const { s, image } = await tokenRegistry();
    const storage = await server();
    for (const [digest, data] of image.blobs) {
      s.routes.set(`* /v2/team/app/blobs/${digest}`, (_req, res) => {
        res.writeHead(307, { location: `${storage.url}/store/${digest.slice(7)}?X-Amz-Signature=abc` });
        res.end();
      });
      storage.routes.set(`* /store/${digest.slice(7)}`, (req, res) => {
        res.writeHead(200, { 'content-length': data.length });
        res.end(req.method === 'HEAD' ? undefined : data);
      });
    }
    const result = await probeImage(`${s.host}/team/app:v1`, {
      ...base,
      tokenCache: new TokenCache(),
      verifyBlob: true,
    });
    expect(result.status).toBe('healthy');
    const redirects = result.steps.filter((st) => st.name === 'blob-redirect');
    expect(redirects.map((st) => st.host)).toEqual([storage.host, storage.host]);
    expect(redirects[0]!.url).toContain('X-Amz-Signature=REDACTED');
    expect(storage.requests.length).toBe(2);
    expect(storage.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(result.verifiedBlob?.bytes).toBeGreaterThan(0);
  });

  // Docker's limit: containerd core/remotes/docker/resolver.go stops after 10 redirects, as Go does.
  it('stops after 10 redirects with PROTOCOL_ERROR, having sent 10 requests for the blob', async () => {
    const s = await server();
    open(s);
    const image = buildImage();
    serveImage(s, 'app', image);
    for (const digest of image.blobs.keys()) {
      s.routes.set(`* /v2/app/blobs/${digest}`, (_req, res) => {
        res.writeHead(302, { location: `/v2/app/blobs/${digest}` });
        res.end();
      });
    }
    const result = await probeImage(`${s.host}/app:v1`, base);
    expect(result.diagnosis?.code).toBe('PROTOCOL_ERROR');
    expect(result.diagnosis?.summary).toContain('stopped after 10 redirects');
    expect(result.diagnosis?.evidence).toContain('redirects followed: 9');
    expect(result.steps.filter((st) => st.url.includes('/blobs/'))).toHaveLength(10);
  });

  it('diagnoses DIGEST_MISMATCH when a layer does not hash to its digest', async () => {
    const s = await server();
    open(s);
    const image = buildImage();
    serveImage(s, 'app', image);
    for (const [digest, data] of image.blobs) {
      s.routes.set(`* /v2/app/blobs/${digest}`, (req, res) => {
        const corrupt = Buffer.from(data);
        corrupt[0] = corrupt[0]! ^ 0xff;
        res.writeHead(200, { 'content-length': data.length });
        res.end(req.method === 'HEAD' ? undefined : corrupt);
      });
    }
    const result = await probeImage(`${s.host}/app:v1`, { ...base, verifyBlob: true });
    expect(result.diagnosis?.code).toBe('DIGEST_MISMATCH');
  });

  it('diagnoses PLATFORM_MISSING, listing the platforms that exist', async () => {
    const s = await server();
    open(s);
    serveImage(s, 'app', buildImage());
    const result = await probeImage(`${s.host}/app:v1`, { ...base, platforms: ['linux/s390x'] });
    expect(result.diagnosis?.code).toBe('PLATFORM_MISSING');
    expect(result.diagnosis?.evidence).toContain('available: linux/amd64, linux/arm64');
  });

  it('tells NAME_UNKNOWN from MANIFEST_UNKNOWN by repeating a 404 HEAD as GET', async () => {
    const s = await server();
    open(s);
    s.routes.set('* /v2/app/manifests/nope', (req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        req.method === 'HEAD'
          ? undefined
          : JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
      );
    });
    // The repository exists: after MANIFEST_UNKNOWN the probe asks tags/list to be sure.
    s.routes.set('GET /v2/app/tags/list', (_req, res) =>
      res.end(JSON.stringify({ name: 'app', tags: ['v1'] })),
    );
    // Warm (a manifest of each repository kept), so the tag is HEADed first; a fresh ping each.
    const warm = (repository: string) => ({
      ...base,
      manifestCache: warmManifestCache(s.host, repository),
      challengeCache: new ChallengeCache(),
    });
    const missingTag = await probeImage(`${s.host}/app:nope`, warm('app'));
    expect(missingTag.diagnosis?.code).toBe('MANIFEST_UNKNOWN');
    const missingRepo = await probeImage(`${s.host}/other:v1`, warm('other'));
    expect(missingRepo.diagnosis?.code).toBe('NAME_UNKNOWN');
    expect(missingRepo.steps.map((st) => `${st.name} ${st.method} ${st.status}`)).toEqual([
      'ping GET 200',
      'manifest-head HEAD 404',
      'manifest-get GET 404',
    ]);
  });

  it('names a missing Docker-Content-Digest header as a protocol breach', async () => {
    const s = await server();
    open(s);
    s.routes.set('HEAD /v2/app/manifests/v1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      res.end();
    });
    const result = await probeImage(`${s.host}/app:v1`, {
      ...base,
      manifestCache: warmManifestCache(s.host, 'app'),
    });
    expect(result.diagnosis?.code).toBe('PROTOCOL_ERROR');
    expect(result.diagnosis?.summary).toContain('did not include Docker-Content-Digest header');
  });

  it('diagnoses a malformed challenge as PROTOCOL_ERROR', async () => {
    const s = await server();
    s.routes.set('GET /v2/', (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="unterminated' });
      res.end();
    });
    const result = await probeImage(`${s.host}/app:v1`, base);
    expect(result.diagnosis?.code).toBe('PROTOCOL_ERROR');
    expect(result.diagnosis?.evidence[0]).toContain('WWW-Authenticate');
  });

  it('diagnoses a server that is not a registry as PROTOCOL_ERROR', async () => {
    const s = await server();
    s.routes.set('GET /v2/', (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>Not Found</html>');
    });
    const result = await probeImage(`${s.host}/app:v1`, base);
    expect(result.diagnosis?.code).toBe('PROTOCOL_ERROR');
    expect(result.diagnosis?.summary).toContain('does not serve the registry v2 API');
  });

  it('diagnoses RATE_LIMITED with Retry-After and the pull-limit message', async () => {
    const s = await server();
    open(s);
    s.routes.set('* /v2/app/manifests/v1', (_req, res) => {
      res.writeHead(429, { 'retry-after': '60', 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [
            { code: 'TOOMANYREQUESTS', message: 'You have reached your unauthenticated pull rate limit.' },
          ],
        }),
      );
    });
    const result = await probeImage(`${s.host}/app:v1`, base);
    expect(result.diagnosis?.code).toBe('RATE_LIMITED');
    expect(result.diagnosis?.evidence).toContain('retry-after: 60');
  });

  it('diagnoses REGISTRY_UNAVAILABLE on 503 and DENIED on 403', async () => {
    const s = await server();
    open(s);
    s.routes.set('* /v2/down/manifests/v1', (_req, res) => {
      res.writeHead(503);
      res.end();
    });
    s.routes.set('* /v2/secret/manifests/v1', (_req, res) => {
      res.writeHead(403);
      res.end();
    });
    expect((await probeImage(`${s.host}/down:v1`, base)).diagnosis?.code).toBe('REGISTRY_UNAVAILABLE');
    expect((await probeImage(`${s.host}/secret:v1`, base)).diagnosis?.code).toBe('DENIED');
  });

  it('warns RATE_LIMIT_LOW and reports the rate limit from manifest headers', async () => {
    const s = await server();
    open(s);
    serveImage(s, 'app', buildImage(), undefined, {
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '7;w=21600',
      'docker-ratelimit-source': '203.0.113.7',
    });
    const result = await probeImage(`${s.host}/app:v1`, base);
    expect(result.status).toBe('degraded');
    expect(result.rateLimit).toEqual({
      limit: 100,
      remaining: 7,
      windowSeconds: 21600,
      source: '203.0.113.7',
    });
    expect(result.warnings.map((w) => w.code)).toEqual(['RATE_LIMIT_LOW']);
  });

  it('ends a registry that never answers as TIMEOUT within the deadline, with the step recorded', async () => {
    const s = await server();
    open(s);
    s.routes.set('* /v2/app/manifests/v1', () => {});
    const started = performance.now();
    const result = await probeImage(`${s.host}/app:v1`, { ...base, timeoutMs: 500 });
    expect(performance.now() - started).toBeLessThan(1_200);
    expect(result.diagnosis?.code).toBe('TIMEOUT');
    expect(result.steps.at(-1)).toMatchObject({ name: 'manifest-get', status: null });
  });

  it("stops by the run's signal: the hard stop handed down ends it before its own deadline", async () => {
    const s = await server();
    open(s);
    s.routes.set('* /v2/app/manifests/v1', () => {});
    // The invocation ends in 400 ms; the target's hard stop is derived from it and would be 30 s.
    const invocation = RunDeadline.in(400);
    const stop = invocation.before(0).within(30_000);
    const started = performance.now();

    const result = await probeImage(`${s.host}/app:v1`, {
      ...base,
      timeoutMs: 30_000,
      requestTimeoutMs: 30_000,
      stop,
    });

    expect(performance.now() - started).toBeLessThan(5_000);
    expect(stop.signal.aborted).toBe(true);
    expect(result.diagnosis?.code).toBe('TIMEOUT');
    expect(result.steps.at(-1)).toMatchObject({ name: 'manifest-get', status: null });
  });

  it('winds down within the hard stop: after its own deadline the walk fails naming its step', async () => {
    const s = await server();
    open(s);
    s.routes.set('* /v2/app/manifests/v1', () => {});
    const stop = RunDeadline.in(10_000);

    const result = await probeImage(`${s.host}/app:v1`, { ...base, timeoutMs: 300, stop });

    expect(stop.signal.aborted).toBe(false);
    expect(result.diagnosis?.code).toBe('TIMEOUT');
    expect(result.diagnosis?.evidence.join('\n')).toContain('step: manifest-get');
  });

  it('keeps the deadline when the credential provider hangs', async () => {
    const s = await server();
    const started = performance.now();
    const result = await probeImage(`${s.host}/app:v1`, {
      ...base,
      timeoutMs: 300,
      credentials: { source: 'stuck', resolve: () => new Promise(() => {}) },
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.diagnosis?.code).toBe('TIMEOUT');
  });

  it('diagnoses CREDENTIALS_UNAVAILABLE with the provider code', async () => {
    const s = await server();
    const result = await probeImage(`${s.host}/app:v1`, {
      ...base,
      credentials: {
        source: 'ecr',
        resolve: async () => {
          throw new CredentialsUnavailableError('GetAuthorizationToken was denied', 'AccessDeniedException');
        },
      },
    });
    expect(result.diagnosis?.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(result.diagnosis?.evidence).toContain('providerCode: AccessDeniedException');
    expect(s.requests).toHaveLength(0);
  });

  it('throws InvalidReferenceError, and only that, for a bad reference', async () => {
    await expect(probeImage('library/Alpine')).rejects.toBeInstanceOf(InvalidReferenceError);
  });
});
