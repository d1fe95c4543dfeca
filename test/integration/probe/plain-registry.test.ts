/**
 * The probe against the real registry over plain HTTP without auth: the happy path of a
 * multi-arch image, and the failures that live in the registry's content (missing tag,
 * repository, platform and blob, and a blob whose bytes do not match its digest).
 */
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../../../functions/probe/probe.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { ManifestCache } from '../../../functions/registry/manifest-cache.ts';
import {
  blobPath,
  buildMultiArchImage,
  buildSingleArchImage,
  corruptBlob,
  type PlatformImage,
  pushImage,
} from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { probeCold, warmManifestCache } from './cold-probe.ts';
import { expectDiagnosis, expectHealthy, expectPlausibleTimings, stepNames } from './expectations.ts';

describe.runIf(registryTestsEnabled())('probe against a plain HTTP registry', () => {
  const multiArch = buildMultiArchImage();
  const dockerList = buildMultiArchImage({ format: 'docker', layerBytes: 1500 });
  const singleArch = buildSingleArchImage({ layerBytes: 3000 });
  const toCorrupt = buildSingleArchImage({ layerBytes: 3100 });
  const toBreak = buildSingleArchImage({ layerBytes: 3200 });
  const armBroken = buildMultiArchImage({ layerBytes: 3300 });
  let registry: RunningRegistry;
  const ref = (path: string): string => `${registry.host}/${path}`;
  const plain = { plainHttp: true };

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    await Promise.all([
      pushImage(registry, 'team/app', 'v1', multiArch),
      pushImage(registry, 'team/docker-list', 'v1', dockerList),
      pushImage(registry, 'team/single', 'v1', singleArch),
      pushImage(registry, 'team/corrupt', 'v1', toCorrupt),
      pushImage(registry, 'team/broken', 'v1', toBreak),
      pushImage(registry, 'team/arm-broken', 'v1', armBroken),
    ]);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('reports a multi-arch image as healthy with its index digest and platforms', async () => {
    const result = await probeCold(ref('team/app:v1'), plain);

    expectHealthy(result);
    expect(result).toMatchObject({
      registry: registry.host,
      repository: 'team/app',
      reference: 'v1',
      digest: multiArch.digest,
      platforms: ['linux/amd64', 'linux/arm64'],
      rateLimit: null,
      tls: null,
    });
  });

  it('walks ping, manifest GET, the platform manifest and the config blob in order when cold', async () => {
    const result = await probeCold(ref('team/app:v1'), plain);

    // Nothing of the repository is cached, so no HEAD could spare the GET: the tag is GET at once.
    expect(stepNames(result)).toEqual(['ping', 'manifest-get', 'platform-manifest', 'blob-head']);
    expect(result.steps.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    expect(result.steps.every((s) => s.host === registry.host)).toBe(true);
    expect(result.steps[1]!.method).toBe('GET');
    expect(result.steps[3]!.url).toContain(multiArch.images[0]!.config.digest);
  });

  it('HEADs the tag first when a manifest of the repository is cached (a warm process)', async () => {
    const result = await probeCold(ref('team/app:v1'), {
      ...plain,
      manifestCache: warmManifestCache(registry.host, 'team/app'),
    });

    expect(stepNames(result)).toEqual([
      'ping',
      'manifest-head',
      'manifest-get',
      'platform-manifest',
      'blob-head',
    ]);
    expect(result.steps[1]!.method).toBe('HEAD');
  });

  it('measures plausible phase timings for every step on loopback', async () => {
    const result = await probeCold(ref('team/app:v1'), { ...plain, timeoutMs: 10_000 });

    expectHealthy(result);
    expectPlausibleTimings(result, 10_000);
    expect(result.steps.every((s) => s.timings.tlsMs === null)).toBe(true);
  });

  it('walks every required platform to its own manifest and config blob', async () => {
    const [amd64, arm64] = multiArch.images as [PlatformImage, PlatformImage];

    const result = await probeCold(ref('team/app:v1'), {
      ...plain,
      platforms: ['linux/amd64', 'linux/arm64'],
    });

    expectHealthy(result);
    const urlsOf = (name: string) => result.steps.filter((s) => s.name === name).map((s) => s.url);
    expect(urlsOf('platform-manifest')).toEqual([
      expect.stringContaining(amd64.manifest.digest),
      expect.stringContaining(arm64.manifest.digest),
    ]);
    expect(urlsOf('blob-head')).toEqual([
      expect.stringContaining(amd64.config.digest),
      expect.stringContaining(arm64.config.digest),
    ]);
  });

  it('fails with BLOB_UNKNOWN when only the arm64 config blob is gone, though amd64 still pulls', async () => {
    const arm64 = armBroken.images.find((i) => i.platform === 'linux/arm64')!;
    await rm(blobPath(registry.storageDir, arm64.config.digest));
    try {
      expectHealthy(await probeCold(ref('team/arm-broken:v1'), plain));

      const result = await probeCold(ref('team/arm-broken:v1'), {
        ...plain,
        platforms: ['linux/amd64', 'linux/arm64'],
      });

      expectDiagnosis(result, 'BLOB_UNKNOWN');
      expect(result.steps.at(-1)).toMatchObject({ name: 'blob-head', status: 404 });
      expect(result.steps.at(-1)!.url).toContain(arm64.config.digest);
    } finally {
      await writeFile(blobPath(registry.storageDir, arm64.config.digest), arm64.config.bytes);
    }
  });

  it('sends no manifest GET for digests an earlier probe already read, only HEADs', async () => {
    const manifestCache = new ManifestCache();
    const challengeCache = new ChallengeCache();
    const first = await probeImage(ref('team/app:v1'), { ...plain, manifestCache, challengeCache });

    const second = await probeImage(ref('team/app:v1'), { ...plain, manifestCache, challengeCache });

    expectHealthy(first);
    expectHealthy(second);
    expect(stepNames(first)).toContain('manifest-get');
    // The first probe's ping taught the process the registry's answer to /v2/: no ping again.
    expect(stepNames(second)).toEqual(['manifest-head', 'platform-manifest', 'blob-head']);
    expect(second.steps.every((s) => s.method === 'HEAD')).toBe(true);
    expect(second.digest).toBe(multiArch.digest);
    expect(second.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('GETs the manifest again when the tag moves to a digest it has not read', async () => {
    const manifestCache = new ManifestCache();
    const before = buildSingleArchImage({ layerBytes: 3400 });
    const after = buildSingleArchImage({ layerBytes: 3500 });
    await pushImage(registry, 'team/moving', 'v1', before);
    await probeImage(ref('team/moving:v1'), { ...plain, manifestCache });
    await pushImage(registry, 'team/moving', 'v1', after);

    const result = await probeImage(ref('team/moving:v1'), { ...plain, manifestCache });

    expectHealthy(result);
    expect(stepNames(result)).toContain('manifest-get');
    expect(result.digest).toBe(after.digest);
    expect(result.steps.find((s) => s.name === 'config-get')!.url).toContain(after.images[0]!.config.digest);
  });

  it('resolves linux/arm64 alone to the arm64 manifest and its config blob', async () => {
    const arm64 = multiArch.images.find((i) => i.platform === 'linux/arm64')!;

    const result = await probeCold(ref('team/app:v1'), { ...plain, platforms: ['linux/arm64'] });

    expectHealthy(result);
    expect(result.steps.find((s) => s.name === 'platform-manifest')!.url).toContain(arm64.manifest.digest);
    expect(result.steps.find((s) => s.name === 'blob-head')!.url).toContain(arm64.config.digest);
  });

  it('fails with PLATFORM_MISSING when the index has no linux/s390x image', async () => {
    const result = await probeCold(ref('team/app:v1'), {
      ...plain,
      platforms: ['linux/amd64', 'linux/s390x'],
    });

    expectDiagnosis(result, 'PLATFORM_MISSING');
    expect(result.diagnosis!.summary).toContain('linux/s390x');
    expect(result.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(result.digest).toBe(multiArch.digest);
  });

  it('reports a Docker manifest list as healthy too', async () => {
    const result = await probeCold(ref('team/docker-list:v1'), { ...plain, platforms: ['linux/arm64'] });

    expectHealthy(result);
    expect(result.digest).toBe(dockerList.digest);
  });

  it('reports a single-arch image as healthy, reading its platform from the config blob', async () => {
    const result = await probeCold(ref('team/single:v1'), plain);

    expectHealthy(result);
    expect(result.digest).toBe(singleArch.digest);
    expect(result.platforms).toEqual(['linux/amd64']);
    expect(stepNames(result)).toEqual(['ping', 'manifest-get', 'config-get']);
    expect(result.steps.at(-1)!.url).toContain(singleArch.images[0]!.config.digest);
  });

  it('fails with PLATFORM_MISSING when linux/arm64 is required of a single-platform amd64 image', async () => {
    const result = await probeCold(ref('team/single:v1'), { ...plain, platforms: ['linux/arm64'] });

    expectDiagnosis(result, 'PLATFORM_MISSING');
    expect(result.diagnosis!.summary).toContain('single-platform linux/amd64 image');
    expect(result.diagnosis!.evidence).toEqual(['required: linux/arm64', 'available: linux/amd64']);
    expect(result.platforms).toEqual(['linux/amd64']);
  });

  it('probes by digest as well as by tag', async () => {
    const result = await probeCold(ref(`team/app@${multiArch.digest}`), plain);

    expectHealthy(result);
    expect(result.reference).toBe(multiArch.digest);
    expect(result.digest).toBe(multiArch.digest);
  });

  it('fails with MANIFEST_UNKNOWN when the tag does not exist', async () => {
    const result = await probeCold(ref('team/app:no-such-tag'), plain);

    expectDiagnosis(result, 'MANIFEST_UNKNOWN');
    expect(result.steps.find((s) => s.name === 'manifest-get')).toMatchObject({
      method: 'GET',
      status: 404,
    });
    expect(result.digest).toBeNull();
    expect(result.steps.at(-1)).toMatchObject({ name: 'tags-list', status: 200 });
  });

  it('fails with NAME_UNKNOWN when the repository does not exist', async () => {
    const result = await probeCold(ref('team/no-such-repository:v1'), plain);

    // distribution answers MANIFEST_UNKNOWN on the manifest endpoint even for a missing repository;
    // only tags/list says NAME_UNKNOWN, so telling the two apart takes that extra look.
    expectDiagnosis(result, 'NAME_UNKNOWN');
    expect(result.diagnosis!.nextSteps.join('\n')).toContain('team/no-such-repository');
    expect(result.steps.at(-1)).toMatchObject({ name: 'tags-list', method: 'GET', status: 404 });
  });

  it('fails with BLOB_UNKNOWN when the config blob is gone from storage', async () => {
    const config = toBreak.images[0]!.config;
    await rm(blobPath(registry.storageDir, config.digest));
    try {
      const result = await probeCold(ref('team/broken:v1'), plain);

      expectDiagnosis(result, 'BLOB_UNKNOWN');
      expect(result.steps.at(-1)).toMatchObject({ name: 'config-get', status: 404 });
    } finally {
      await writeFile(blobPath(registry.storageDir, config.digest), config.bytes);
    }
  });

  it('verifies the smallest layer and reports its size and throughput', async () => {
    const layer = singleArch.images[0]!.layers[0]!;

    const result = await probeCold(ref('team/single:v1'), { ...plain, verifyBlob: true });

    expectHealthy(result);
    expect(result.verifiedBlob).toMatchObject({ digest: layer.digest, bytes: layer.bytes.length });
    expect(result.verifiedBlob!.throughputBytesPerSecond).toBeGreaterThan(0);
    expect(stepNames(result)).toContain('blob-get');
  });

  it('fails with DIGEST_MISMATCH when the registry serves a layer whose bytes do not match its digest', async () => {
    const restore = await corruptBlob(registry.storageDir, toCorrupt.images[0]!.layers[0]!);
    try {
      const result = await probeCold(ref('team/corrupt:v1'), { ...plain, verifyBlob: true });

      expectDiagnosis(result, 'DIGEST_MISMATCH');
      expect(result.diagnosis!.evidence.join('\n')).toContain(toCorrupt.images[0]!.layers[0]!.digest);
      expect(result.verifiedBlob).toBeUndefined();
    } finally {
      await restore();
    }
  });

  it('does not download any layer without verifyBlob, so a corrupt layer goes unnoticed', async () => {
    const restore = await corruptBlob(registry.storageDir, toCorrupt.images[0]!.layers[0]!);
    try {
      const result = await probeCold(ref('team/corrupt:v1'), plain);

      expectHealthy(result);
      expect(stepNames(result)).not.toContain('blob-get');
    } finally {
      await restore();
    }
  });

  it('fails with TLS_ERROR when it speaks TLS to a registry that only speaks plain HTTP', async () => {
    const result = await probeCold(ref('team/app:v1'), { plainHttp: false });

    expectDiagnosis(result, 'TLS_ERROR');
  });
});
