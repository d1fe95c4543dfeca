/**
 * The probe against the real registry in token mode, with the suite's token server set up the way
 * auth.docker.io is: anonymous pull tokens, Basic logins at the token service, tokens cached for
 * their life, and a token service that breaks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import { TokenCache, tokenCacheKey } from '../../../functions/registry/token.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret, stepNames } from './expectations.ts';

const PASSWORD = `dckr_pat_${crypto.randomUUID()}`;

describe.runIf(registryTestsEnabled())('probe against a token-auth registry', () => {
  const image = buildMultiArchImage();
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let privateTokens: TokenServer;
  let privateRegistry: RunningRegistry;
  // A fresh cache per probe, unless a test is about caching: tokens must not leak between tests.
  const fresh = () => ({ plainHttp: true, tokenCache: new TokenCache() });

  beforeAll(async () => {
    [tokens, privateTokens] = await Promise.all([
      startTokenServer({ users: { pusher: PASSWORD, reader: PASSWORD } }),
      startTokenServer({ users: { pusher: PASSWORD }, anonymousPull: false, service: 'private.canary.test' }),
    ]);
    [registry, privateRegistry] = await Promise.all([
      startRegistry({ mode: 'token', tokenAuthority: tokens }),
      startRegistry({ mode: 'token', tokenAuthority: privateTokens }),
    ]);
    const pusher = { username: 'pusher', password: PASSWORD };
    await Promise.all([
      pushImage({ ...registry, credentials: pusher }, 'library/app', 'v1', image),
      pushImage({ ...privateRegistry, credentials: pusher }, 'team/secret', 'v1', image),
    ]);
  });

  afterEach(() => {
    tokens.setFault(null);
    tokens.requests.length = 0;
    privateTokens.requests.length = 0;
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), privateRegistry?.stop()]);
    await Promise.all([tokens?.stop(), privateTokens?.stop()]);
  });

  it('reports the image as healthy with an anonymous pull token', async () => {
    const result = await probeCold(`${registry.host}/library/app:v1`, fresh());

    expectHealthy(result);
    expect(result.digest).toBe(image.digest);
    expect(stepNames(result).slice(0, 2)).toEqual(['ping', 'token']);
  });

  it('asks the token service for repository:NAME:pull of the registry service, without credentials', async () => {
    await probeCold(`${registry.host}/library/app:v1`, fresh());

    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0]).toMatchObject({
      service: tokens.service,
      scopes: ['repository:library/app:pull'],
      authorization: null,
      status: 200,
    });
  });

  it('logs in at the token service with Basic credentials when given, and never shows the password', async () => {
    const result = await probeCold(`${registry.host}/library/app:v1`, {
      ...fresh(),
      credentials: basicCredentials('reader', PASSWORD),
    });

    expectHealthy(result);
    expect(tokens.requests[0]).toMatchObject({ username: 'reader', status: 200 });
    expectNoSecret(JSON.stringify(result), PASSWORD, 'reader');
  });

  it('reuses a cached token for a second probe instead of asking the token service again', async () => {
    const tokenCache = new TokenCache();

    const first = await probeCold(`${registry.host}/library/app:v1`, { plainHttp: true, tokenCache });
    const second = await probeCold(`${registry.host}/library/app:v1`, { plainHttp: true, tokenCache });

    expectHealthy(first);
    expectHealthy(second);
    expect(tokens.requests).toHaveLength(1);
    expect(stepNames(second)).not.toContain('token');
  });

  it('logs in again when the registry refuses a cached token before it expires', async () => {
    const tokenCache = new TokenCache();
    // A token the registry does not accept, cached as if it had been issued earlier and then revoked.
    const key = tokenCacheKey({
      realm: new URL(tokens.realm),
      service: tokens.service,
      scope: 'repository:library/app:pull',
      credentials: null,
    });
    tokenCache.set(key, 'revoked-token', 300);

    const result = await probeCold(`${registry.host}/library/app:v1`, { plainHttp: true, tokenCache });

    expectHealthy(result);
    expect(stepNames(result).slice(0, 4)).toEqual(['ping', 'manifest-get', 'ping', 'token']);
    expect(result.steps[1]).toMatchObject({ name: 'manifest-get', status: 401 });
    expect(tokens.requests).toHaveLength(1);
    expect(tokenCache.get(key)?.token).not.toBe('revoked-token');
  });

  it('never puts the token itself into the result', async () => {
    const result = await probeCold(`${registry.host}/library/app:v1`, fresh());
    const issued = await fetch(`${tokens.realm}?service=${tokens.service}&scope=repository:library/app:pull`);
    const { token } = (await issued.json()) as { token: string };
    // The token's header and claims are stable across issues; its signature is not, so check the parts.
    const [header] = token.split('.');

    expect(JSON.stringify(result)).not.toContain(header);
  });

  it('fails with AUTH_FAILED when the token service rejects the password', async () => {
    const wrong = `wrong-${crypto.randomUUID()}`;

    const result = await probeCold(`${registry.host}/library/app:v1`, {
      ...fresh(),
      credentials: basicCredentials('reader', wrong),
    });

    expectDiagnosis(result, 'AUTH_FAILED');
    expect(tokens.requests[0]).toMatchObject({ username: 'reader', status: 401 });
    expectNoSecret(JSON.stringify(result), wrong, 'reader');
  });

  it('fails with AUTH_REQUIRED when a private repository gets no anonymous token', async () => {
    const result = await probeCold(`${privateRegistry.host}/team/secret:v1`, fresh());

    expectDiagnosis(result, 'AUTH_REQUIRED');
  });

  it('reports a private repository as healthy with credentials', async () => {
    const result = await probeCold(`${privateRegistry.host}/team/secret:v1`, {
      ...fresh(),
      credentials: basicCredentials('pusher', PASSWORD),
    });

    expectHealthy(result);
  });

  it('fails with TOKEN_SERVICE_ERROR when the token service answers 500', async () => {
    tokens.setFault('status-500');

    const result = await probeCold(`${registry.host}/library/app:v1`, fresh());

    expectDiagnosis(result, 'TOKEN_SERVICE_ERROR');
    expect(result.steps.at(-1)).toMatchObject({ name: 'token', status: 500 });
  });

  it('fails with TOKEN_SERVICE_ERROR when the token service answers 200 with something that is not JSON', async () => {
    tokens.setFault('garbage');

    const result = await probeCold(`${registry.host}/library/app:v1`, fresh());

    expectDiagnosis(result, 'TOKEN_SERVICE_ERROR');
  });

  it('fails with TOKEN_SERVICE_ERROR when the token service answers JSON without a token', async () => {
    tokens.setFault('no-token');

    const result = await probeCold(`${registry.host}/library/app:v1`, fresh());

    expectDiagnosis(result, 'TOKEN_SERVICE_ERROR');
  });

  it('names the token service, not the registry, when the realm points at a port where nothing listens', async () => {
    const { closedPort } = await import('../harness/servers.ts');
    const port = await closedPort();
    const orphan = await startRegistry({
      mode: 'token',
      storageDir: registry.storageDir,
      tokenAuthority: { ...tokens, realm: `http://127.0.0.1:${port}/token` },
    });
    try {
      const result = await probeCold(`${orphan.host}/library/app:v1`, fresh());

      // Either code is honest (the token service is a separate host that refused); what matters at
      // 3 a.m. is that the diagnosis points at the realm and not at the healthy registry.
      expect(['TOKEN_SERVICE_ERROR', 'CONNECTION_REFUSED']).toContain(result.diagnosis?.code);
      expect(result.status).toBe('failing');
      expect(result.diagnosis!.summary).toContain(`127.0.0.1:${port}`);
      expect(result.steps.at(-1)).toMatchObject({ name: 'token', status: null, host: `127.0.0.1:${port}` });
    } finally {
      await orphan.stop();
    }
  });
});
