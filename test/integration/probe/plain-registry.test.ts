/**
 * The probe against the real registry over plain HTTP without auth: the happy path of a
 * multi-arch image, and the failures that live in the registry's content (missing tag,
 * repository, platform and blob, and a blob whose bytes do not match its digest).
 */
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../../../functions/probe/probe.ts';
import {
  blobPath,
  buildMultiArchImage,
  buildSingleArchImage,
  corruptBlob,
  pushImage,
} from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { expectDiagnosis, expectHealthy, expectPlausibleTimings, stepNames } from './expectations.ts';

describe.runIf(registryTestsEnabled())('probe against a plain HTTP registry', () => {
  const multiArch = buildMultiArchImage();
  const dockerList = buildMultiArchImage({ format: 'docker', layerBytes: 1500 });
  const singleArch = buildSingleArchImage({ layerBytes: 3000 });
  const toCorrupt = buildSingleArchImage({ layerBytes: 3100 });
  const toBreak = buildSingleArchImage({ layerBytes: 3200 });
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
    ]);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('reports a multi-arch image as healthy with its index digest and platforms', async () => {
    const result = await probeImage(ref('team/app:v1'), plain);

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

  it('walks ping, manifest HEAD, manifest GET, the platform manifest and the config blob in order', async () => {
    const result = await probeImage(ref('team/app:v1'), plain);

    expect(stepNames(result)).toEqual([
      'ping',
      'manifest-head',
      'manifest-get',
      'platform-manifest',
      'blob-head',
    ]);
    expect(result.steps.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    expect(result.steps.every((s) => s.host === registry.host)).toBe(true);
    expect(result.steps[1]!.method).toBe('HEAD');
    expect(result.steps[4]!.url).toContain(multiArch.images[0]!.config.digest);
  });

  it('measures plausible phase timings for every step on loopback', async () => {
    const result = await probeImage(ref('team/app:v1'), { ...plain, timeoutMs: 10_000 });

    expectHealthy(result);
    expectPlausibleTimings(result, 10_000);
    expect(result.steps.every((s) => s.timings.tlsMs === null)).toBe(true);
  });

  it('finds linux/arm64 when it is required too and resolves the first platform', async () => {
    const result = await probeImage(ref('team/app:v1'), {
      ...plain,
      platforms: ['linux/amd64', 'linux/arm64'],
    });

    expectHealthy(result);
    expect(result.platforms).toContain('linux/arm64');
  });

  it('resolves linux/arm64 alone to the arm64 manifest and its config blob', async () => {
    const arm64 = multiArch.images.find((i) => i.platform === 'linux/arm64')!;

    const result = await probeImage(ref('team/app:v1'), { ...plain, platforms: ['linux/arm64'] });

    expectHealthy(result);
    expect(result.steps.find((s) => s.name === 'platform-manifest')!.url).toContain(arm64.manifest.digest);
    expect(result.steps.find((s) => s.name === 'blob-head')!.url).toContain(arm64.config.digest);
  });

  it('fails with PLATFORM_MISSING when the index has no linux/s390x image', async () => {
    const result = await probeImage(ref('team/app:v1'), {
      ...plain,
      platforms: ['linux/amd64', 'linux/s390x'],
    });

    expectDiagnosis(result, 'PLATFORM_MISSING');
    expect(result.diagnosis!.summary).toContain('linux/s390x');
    expect(result.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(result.digest).toBe(multiArch.digest);
  });

  it('reports a Docker manifest list as healthy too', async () => {
    const result = await probeImage(ref('team/docker-list:v1'), { ...plain, platforms: ['linux/arm64'] });

    expectHealthy(result);
    expect(result.digest).toBe(dockerList.digest);
  });

  it('reports a single-arch image as healthy without a platform manifest step', async () => {
    const result = await probeImage(ref('team/single:v1'), plain);

    expectHealthy(result);
    expect(result.digest).toBe(singleArch.digest);
    expect(stepNames(result)).not.toContain('platform-manifest');
  });

  it('probes by digest as well as by tag', async () => {
    const result = await probeImage(ref(`team/app@${multiArch.digest}`), plain);

    expectHealthy(result);
    expect(result.reference).toBe(multiArch.digest);
    expect(result.digest).toBe(multiArch.digest);
  });

  it('fails with MANIFEST_UNKNOWN when the tag does not exist', async () => {
    const result = await probeImage(ref('team/app:no-such-tag'), plain);

    expectDiagnosis(result, 'MANIFEST_UNKNOWN');
    expect(result.steps.find((s) => s.name === 'manifest-head')).toMatchObject({
      method: 'HEAD',
      status: 404,
    });
    expect(result.digest).toBeNull();
    expect(result.steps.at(-1)).toMatchObject({ name: 'tags-list', status: 200 });
  });

  it('fails with NAME_UNKNOWN when the repository does not exist', async () => {
    const result = await probeImage(ref('team/no-such-repository:v1'), plain);

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
      const result = await probeImage(ref('team/broken:v1'), plain);

      expectDiagnosis(result, 'BLOB_UNKNOWN');
      expect(result.steps.at(-1)).toMatchObject({ name: 'blob-head', status: 404 });
    } finally {
      await writeFile(blobPath(registry.storageDir, config.digest), config.bytes);
    }
  });

  it('verifies the smallest layer and reports its size and throughput', async () => {
    const layer = singleArch.images[0]!.layers[0]!;

    const result = await probeImage(ref('team/single:v1'), { ...plain, verifyBlob: true });

    expectHealthy(result);
    expect(result.verifiedBlob).toMatchObject({ digest: layer.digest, bytes: layer.bytes.length });
    expect(result.verifiedBlob!.throughputBytesPerSecond).toBeGreaterThan(0);
    expect(stepNames(result)).toContain('blob-get');
  });

  it('fails with DIGEST_MISMATCH when the registry serves a layer whose bytes do not match its digest', async () => {
    const restore = await corruptBlob(registry.storageDir, toCorrupt.images[0]!.layers[0]!);
    try {
      const result = await probeImage(ref('team/corrupt:v1'), { ...plain, verifyBlob: true });

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
      const result = await probeImage(ref('team/corrupt:v1'), plain);

      expectHealthy(result);
      expect(stepNames(result)).not.toContain('blob-get');
    } finally {
      await restore();
    }
  });

  it('fails with TLS_ERROR when it speaks TLS to a registry that only speaks plain HTTP', async () => {
    const result = await probeImage(ref('team/app:v1'), { plainHttp: false });

    expectDiagnosis(result, 'TLS_ERROR');
  });
});
