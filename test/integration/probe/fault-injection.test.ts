/**
 * Failures a healthy registry shows only under load or in the cloud, injected by the fault proxy
 * in front of the real registry: rate limits, outages, slowness, hangs, drip-fed bodies, denied
 * access, and blob redirects to a storage host that must never see the registry's credentials.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import {
  DOCKER_HUB_LOW_RATE_LIMIT,
  type FaultProxy,
  serviceUnavailable,
  startBlobStore,
  startFaultProxy,
  tooManyRequests,
} from '../harness/fault-proxy.ts';
import { buildMultiArchImage, pushImage, smallestLayer } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import type { RecordingServer } from '../harness/servers.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret, stepNames } from './expectations.ts';

const PASSWORD = `dckr_pat_${crypto.randomUUID()}`;
const MANIFESTS = /\/manifests\//;

describe.runIf(registryTestsEnabled())('probe through a fault-injecting proxy', () => {
  const image = buildMultiArchImage();
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  const ref = (): string => `${proxy.host}/library/app:v1`;
  const plain = { plainHttp: true };

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    await pushImage(registry, 'library/app', 'v1', image);
    proxy = await startFaultProxy({ target: registry.url });
  });

  afterEach(() => {
    proxy.clearFaults();
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('reports the image as healthy through the proxy when no fault is set', async () => {
    const result = await probeCold(ref(), plain);

    expectHealthy(result);
    expect(result.digest).toBe(image.digest);
  });

  it('fails with RATE_LIMITED on a Docker Hub pull-limit 429 and keeps Retry-After as evidence', async () => {
    proxy.setFaults({ match: MANIFESTS, status: tooManyRequests(3600) });

    const result = await probeCold(ref(), plain);

    expectDiagnosis(result, 'RATE_LIMITED');
    expect(result.diagnosis!.evidence.join('\n')).toContain('3600');
    expect(result.steps.at(-1)!.status).toBe(429);
  });

  it('reads the exhausted budget from the headers of the 429', async () => {
    proxy.setFaults({ match: MANIFESTS, status: tooManyRequests() });

    const result = await probeCold(ref(), plain);

    expect(result.rateLimit).toEqual({ limit: 100, remaining: 0, windowSeconds: 21600, source: '1.2.3.4' });
  });

  it('fails with RATE_LIMITED on a bare 429 without a body', async () => {
    proxy.setFaults({ match: MANIFESTS, status: { code: 429 } });

    const result = await probeCold(ref(), plain);

    expectDiagnosis(result, 'RATE_LIMITED');
  });

  it('fails with REGISTRY_UNAVAILABLE when the registry answers 503', async () => {
    proxy.setFaults({ status: serviceUnavailable() });

    const result = await probeCold(ref(), plain);

    expectDiagnosis(result, 'REGISTRY_UNAVAILABLE');
    expect(result.steps[0]).toMatchObject({ name: 'ping', status: 503 });
  });

  it('fails with REGISTRY_UNAVAILABLE when only the manifest endpoint answers 503', async () => {
    proxy.setFaults({ match: MANIFESTS, status: serviceUnavailable() });

    const result = await probeCold(ref(), plain);

    expectDiagnosis(result, 'REGISTRY_UNAVAILABLE');
  });

  it('fails with DENIED when the registry answers 403 DENIED, as ECR does for a repository policy', async () => {
    proxy.setFaults({
      match: MANIFESTS,
      status: {
        code: 403,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
        }),
      },
    });

    const result = await probeCold(ref(), plain);

    expectDiagnosis(result, 'DENIED');
  });

  it('parses the rate-limit headers and warns RATE_LIMIT_LOW with 5 of 100 pulls left', async () => {
    proxy.setFaults({ match: MANIFESTS, addHeaders: DOCKER_HUB_LOW_RATE_LIMIT });

    const result = await probeCold(ref(), plain);

    expect(result.status).toBe('degraded');
    expect(result.diagnosis).toBeNull();
    expect(result.rateLimit).toEqual({ limit: 100, remaining: 5, windowSeconds: 21600, source: '1.2.3.4' });
    expect(result.warnings.map((w) => w.code)).toEqual(['RATE_LIMIT_LOW']);
  });

  it('stays healthy with a comfortable rate-limit budget', async () => {
    proxy.setFaults({
      match: MANIFESTS,
      addHeaders: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' },
    });

    const result = await probeCold(ref(), plain);

    expectHealthy(result);
    expect(result.rateLimit).toMatchObject({ limit: 100, remaining: 76, windowSeconds: 21600, source: null });
  });

  it('tolerates empty rate-limit header values without failing', async () => {
    proxy.setFaults({
      match: MANIFESTS,
      addHeaders: { 'ratelimit-limit': ';w=21600', 'ratelimit-remaining': '' },
    });

    const result = await probeCold(ref(), plain);

    expectHealthy(result);
  });

  it('warns SLOW and reports degraded when the probe takes longer than the threshold', async () => {
    proxy.setFaults({ delayMs: 60 });

    const result = await probeCold(ref(), { ...plain, slowThresholdMs: 150 });

    expect(result.status).toBe('degraded');
    expect(result.warnings.map((w) => w.code)).toEqual(['SLOW']);
    // Every request waited 60 ms at the proxy, one after another.
    expect(result.durationMs).toBeGreaterThanOrEqual(result.steps.length * 60);
  });

  it('fails with TIMEOUT within the deadline when the manifest request hangs after a good ping', async () => {
    proxy.setFaults({ match: MANIFESTS, hang: true });
    const started = performance.now();

    const result = await probeCold(ref(), { ...plain, timeoutMs: 1_500 });

    expectDiagnosis(result, 'TIMEOUT');
    expect(performance.now() - started).toBeLessThan(1_500 + 750);
    expect(result.steps[0]).toMatchObject({ name: 'ping', status: 200 });
  });

  it('fails with TIMEOUT within the deadline when the manifest body is drip-fed', async () => {
    proxy.setFaults({ match: MANIFESTS, drip: { chunkBytes: 1, intervalMs: 300 } });
    const started = performance.now();

    const result = await probeCold(ref(), { ...plain, timeoutMs: 2_000 });

    expectDiagnosis(result, 'TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2_000 + 750);
  });
});

describe.runIf(registryTestsEnabled())('probe following a blob redirect to another host', () => {
  const image = buildMultiArchImage();
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let store: RecordingServer;
  const probe = (verifyBlob: boolean) =>
    probeCold(`${proxy.host}/team/app:v1`, {
      plainHttp: true,
      verifyBlob,
      tokenCache: new TokenCache(),
      credentials: basicCredentials('reader', PASSWORD),
    });

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { reader: PASSWORD }, anonymousPull: false });
    registry = await startRegistry({ mode: 'token', tokenAuthority: tokens });
    await pushImage(
      { ...registry, credentials: { username: 'reader', password: PASSWORD } },
      'team/app',
      'v1',
      image,
    );
    store = await startBlobStore(registry.storageDir);
    proxy = await startFaultProxy({ target: registry.url });
    proxy.setFaults({ redirectBlobsTo: store.url });
  });

  afterEach(() => {
    store.requests.length = 0;
    proxy.requests.length = 0;
  });

  afterAll(async () => {
    await Promise.all([proxy?.stop(), store?.stop()]);
    await registry?.stop();
    await tokens?.stop();
  });

  it('follows the redirect and reports the image as healthy', async () => {
    const result = await probe(false);

    expectHealthy(result);
    expect(stepNames(result)).toContain('blob-redirect');
  });

  it('records the storage hop with its own host and timings', async () => {
    const result = await probe(false);
    const hop = result.steps.find((s) => s.name === 'blob-redirect')!;

    expect(hop.host).toBe(store.host);
    expect(hop.status).toBe(200);
    expect(hop.timings.totalMs).toBeGreaterThan(0);
    // The storage host is a name (localhost), so its lookup is timed; the registry is an IP literal.
    expect(store.host).toMatch(/^localhost:/);
    expect(hop.timings.dnsMs).toBeGreaterThanOrEqual(0);
    expect(hop.timings.connectMs).toBeGreaterThanOrEqual(0);
    expect(result.steps.find((s) => s.name === 'ping')!.timings.dnsMs).toBeNull();
    expect(result.steps.find((s) => s.name === 'blob-head')!.status).toBe(307);
  });

  it('sends the Bearer token to the registry but no Authorization header to the storage host', async () => {
    await probe(false);
    const blobRequests = proxy.requests.filter((r) => r.url.includes('/blobs/'));

    expect(blobRequests.length).toBeGreaterThan(0);
    expect(blobRequests.every((r) => r.headers.authorization?.startsWith('Bearer '))).toBe(true);
    expect(store.requests.length).toBeGreaterThan(0);
    for (const request of store.requests) expect(request.headers.authorization).toBeUndefined();
  });

  it('downloads and verifies the layer from the storage host without sending it credentials', async () => {
    const layer = smallestLayer({ ...image, images: [image.images[0]!] });

    const result = await probe(true);

    expectHealthy(result);
    expect(result.verifiedBlob?.digest).toBe(layer.digest);
    expect(store.requests.some((r) => r.method === 'GET')).toBe(true);
    for (const request of store.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(JSON.stringify(request.headers)).not.toContain('Bearer');
    }
  });

  it('keeps the password out of the result when following redirects', async () => {
    const result = await probe(true);

    expectNoSecret(JSON.stringify(result), PASSWORD, 'reader');
  });
});
