import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeRuntimeConfigSchema } from '../../../../functions/run/probe-config.ts';
import type { ConfigError } from '../../../../lib/config/errors.ts';
import { runtimeConfigFor } from '../../../../lib/config/runtime-config.ts';
import type { CanaryConfigInput } from '../../../../lib/config/schema.ts';
import { PROBE_DEADLINE_GRACE_MS } from '../../../../lib/config/sizing.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';

const CERT_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
const CERT_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----';

const base: CanaryConfigInput = {
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1', 'us-east-1'],
  defaults: { slowMs: 3_000, timeoutMs: 8_000 },
  concurrency: 4,
  targets: [
    { name: 'hub', image: 'alpine' },
    {
      name: 'payments',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:stable',
      credentials: { type: 'ecr' },
      platforms: ['linux/arm64'],
      thresholds: { timeoutMs: 5_000, certExpiryDays: 30 },
      regions: ['eu-west-1'],
      verifyBlob: true,
    },
    {
      name: 'harbor',
      image: 'harbor.internal/ci/runner:1',
      credentials: { type: 'basic', secret: 'harbor-ci' },
    },
    { name: 'old', image: 'busybox', enabled: false },
  ],
};

describe('runtimeConfigFor', () => {
  it('gives a region its enabled targets, each with its reference split and thresholds resolved', () => {
    const runtime = runtimeConfigFor(validateConfig(base), 'eu-west-1');

    expect(runtime).toMatchObject({ region: 'eu-west-1', homeRegion: 'eu-west-1', concurrency: 4 });
    expect(runtime.deadlineGraceMs).toBe(PROBE_DEADLINE_GRACE_MS);
    expect(runtime.targets.map((t) => t.name)).toEqual(['hub', 'payments', 'harbor']);
    expect(runtime.targets[1]).toEqual({
      name: 'payments',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:stable',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'payments/api',
      reference: 'stable',
      credentials: { type: 'ecr' },
      platforms: ['linux/arm64'],
      timeoutMs: 5_000,
      slowMs: 3_000,
      certExpiryDays: 30,
      rateLimitRatio: 0.2,
      verifyBlob: true,
      plainHttp: false,
    });
    expect(runtime.targets[2]).toMatchObject({
      registry: 'harbor.internal',
      credentials: { type: 'basic', secret: 'harbor-ci' },
      timeoutMs: 8_000,
    });
  });

  it('leaves out of a region the targets limited to other regions', () => {
    const runtime = runtimeConfigFor(validateConfig(base), 'us-east-1');

    expect(runtime.targets.map((t) => t.name)).toEqual(['hub', 'harbor']);
    expect(runtime.targets[0]).toMatchObject({
      registry: 'registry-1.docker.io',
      repository: 'library/alpine',
    });
  });

  it('passes the proxy, the no-proxy list and the runbook base URL through', () => {
    const config = validateConfig({
      ...base,
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: '.internal,169.254.169.254',
      runbookBaseUrl: 'https://runbooks.example.com/canary',
    });

    expect(runtimeConfigFor(config, 'us-east-1')).toMatchObject({
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: '.internal,169.254.169.254',
      runbookBaseUrl: 'https://runbooks.example.com/canary',
    });
  });

  it('leaves proxy and runbook base URL out when they are not configured', () => {
    const runtime = runtimeConfigFor(validateConfig(base), 'eu-west-1');

    expect(runtime).not.toHaveProperty('httpsProxy');
    expect(runtime).not.toHaveProperty('noProxy');
    expect(runtime).not.toHaveProperty('runbookBaseUrl');
    expect(runtime.caCertificates).toEqual([]);
  });

  it('splits the CA bundle read at validation into its certificates, dropping what lies around them', () => {
    const config = validateConfig({ ...base, caBundle: { path: 'ca.pem' } }, 'test.ts', {
      baseDir: '/etc/canary',
      readFile: () => `# internal CA\n${CERT_A}\nsome text\n${CERT_B}\n`,
    });
    const unread = (file: string): string => {
      throw new Error(`read ${file} again`);
    };

    expect(runtimeConfigFor(config, 'eu-west-1', unread).caCertificates).toEqual([CERT_A, CERT_B]);
  });

  it('names the CA bundle file, relative to the checkout, for next steps; an inline pem names none', () => {
    const fromFile = validateConfig({ ...base, caBundle: { path: 'certs/ca.pem' } }, 'config/canary.ts', {
      baseDir: path.resolve('config'),
      readFile: () => CERT_A,
    });
    expect(runtimeConfigFor(fromFile, 'eu-west-1').caBundleFile).toBe(path.join('config', 'certs', 'ca.pem'));

    const inline = validateConfig({ ...base, caBundle: { pem: CERT_A } });
    expect(runtimeConfigFor(inline, 'eu-west-1')).not.toHaveProperty('caBundleFile');
    expect(runtimeConfigFor(inline, 'eu-west-1').caCertificates).toEqual([CERT_A]);
  });

  it("gives the probe the config's state heartbeat and TTL, defaulting to 15 minutes and 14 days", () => {
    const configured = runtimeConfigFor(
      validateConfig({ ...base, state: { heartbeatMinutes: 30, ttlDays: 3 } }),
      'eu-west-1',
    );
    const defaulted = runtimeConfigFor(validateConfig(base), 'eu-west-1');

    expect(configured.state).toEqual({ heartbeatMinutes: 30, ttlDays: 3 });
    expect(defaulted.state).toEqual({ heartbeatMinutes: 15, ttlDays: 14 });
  });

  it.each([
    [{ heartbeatMinutes: 0 }, /^state\.heartbeatMinutes: /],
    [{ heartbeatMinutes: 721 }, /^state\.heartbeatMinutes: /],
    [{ heartbeatMinutes: 7.5 }, /^state\.heartbeatMinutes: /],
    [{ ttlDays: 0 }, /^state\.ttlDays: /],
    [{ hearbeatMinutes: 30 }, /^state: .*hearbeatMinutes/],
  ])('refuses the state settings %j, naming the field', (state, problem) => {
    let problems: readonly string[] = [];
    try {
      validateConfig({ ...base, state } as CanaryConfigInput);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  it('tells the probe to talk plain HTTP to the targets that ask for it, and only those', () => {
    const config = validateConfig({
      ...base,
      targets: [
        { name: 'hub', image: 'alpine' },
        {
          name: 'internal',
          image: 'registry.internal:5000/team/app:1',
          plainHttp: true,
          regions: ['eu-west-1'],
        },
      ],
    });
    const runtime = runtimeConfigFor(config, 'eu-west-1');

    expect(runtime.targets.map((t) => [t.name, t.plainHttp])).toEqual([
      ['hub', false],
      ['internal', true],
    ]);
    // Through the JSON file and the handler's schema, as the Lambda reads it.
    const shipped = probeRuntimeConfigSchema.parse(JSON.parse(JSON.stringify(runtime)));
    expect(shipped.targets[1]).toMatchObject({ registry: 'registry.internal:5000', plainHttp: true });
  });

  it("carries a target's registry profile to the Lambda, and only where the config chose one", () => {
    const config = validateConfig({
      ...base,
      targets: [
        { name: 'hub', image: 'alpine' },
        { name: 'harbor', image: 'harbor.corp.internal/team/app:1', profile: 'harbor' },
      ],
    });
    const runtime = runtimeConfigFor(config, 'eu-west-1');
    const shipped = probeRuntimeConfigSchema.parse(JSON.parse(JSON.stringify(runtime)));

    expect(shipped.targets.map((t) => [t.name, t.profile])).toEqual([
      ['hub', undefined],
      ['harbor', 'harbor'],
    ]);
  });

  it('refuses a registry profile it does not know, naming the field', () => {
    let problems: readonly string[] = [];
    try {
      validateConfig({
        ...base,
        targets: [{ name: 'h', image: 'harbor.corp.internal/a:1', profile: 'harbour' }],
      } as unknown as CanaryConfigInput);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^targets\[0\]\.profile: Invalid option: expected one of "dockerhub"/),
    ]);
  });

  it('produces what the Lambda accepts at cold start', () => {
    const config = validateConfig({
      ...base,
      httpsProxy: 'http://proxy.internal:3128',
      caBundle: { pem: CERT_A },
    });
    const runtime = runtimeConfigFor(config, 'eu-west-1');

    // The file goes through JSON into the bundle; the handler validates it with this schema.
    expect(probeRuntimeConfigSchema.parse(JSON.parse(JSON.stringify(runtime)))).toEqual(runtime);
  });
});
