/**
 * `probe --config` against the real registry on loopback: a config with a plain-HTTP target, a TLS
 * target trusted through the config's CA bundle with Basic credentials read from Secrets Manager
 * (faked at the SDK boundary), and the same registry reached with a docker config instead. Run in
 * process through main(), so the Secrets Manager client is the mocked one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../../bin/cli.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { createTestCertificates, type TestCertificates } from '../harness/certs.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';

const PASSWORD = `fleet-${crypto.randomUUID()}`;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry/alice-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

interface Captured extends CliIo {
  out: string[];
  err: string[];
  progressed: string[];
}

function captureIo(interactive: boolean): Captured {
  const io: Captured = {
    out: [],
    err: [],
    progressed: [],
    stdout: (t) => io.out.push(t),
    stderr: (t) => io.err.push(t),
    readStdin: async () => '',
    readFile: async (p) => (await import('node:fs/promises')).readFile(p, 'utf8'),
    probe: probeImage,
    command: 'registry-canary',
    interactive,
    progress: (t) => io.progressed.push(t),
  };
  return io;
}

describe.runIf(registryTestsEnabled())('registry-canary probe --config', () => {
  const image = buildMultiArchImage();
  let certificates: TestCertificates;
  let plain: RunningRegistry;
  let secured: RunningRegistry;
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    [plain, secured] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'tls-basic', certificates, users: { alice: PASSWORD } }),
    ]);
    await Promise.all([
      pushImage(plain, 'team/app', 'v1', image),
      pushImage(
        { ...secured, credentials: { username: 'alice', password: PASSWORD } },
        'team/app',
        'v1',
        image,
      ),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'canary-fleet-'));
    writeFileSync(join(dir, 'ca.pem'), certificates.ca.certPem);
    configPath = join(dir, 'canary.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        homeRegion: 'eu-west-1',
        probeRegions: ['eu-west-1', 'us-east-1'],
        // Relative to the config file, as the CDK app reads it.
        caBundle: { path: 'ca.pem' },
        defaults: { timeoutMs: 8000 },
        targets: [
          {
            name: 'plain',
            image: `${plain.host}/team/app:v1`,
            plainHttp: true,
            platforms: ['linux/arm64'],
          },
          {
            name: 'secured',
            image: `${secured.host}/team/app:v1`,
            credentials: { type: 'basic', secret: SECRET_ARN },
            regions: ['eu-west-1'],
          },
          { name: 'missing', image: `${plain.host}/team/app:gone`, plainHttp: true },
        ],
      }),
    );
  });

  afterAll(async () => {
    await Promise.all([plain?.stop(), secured?.stop()]);
    await certificates?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    secretsManager.reset();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ username: 'alice', password: PASSWORD }) });
  });

  it('probes every target with its Lambda settings and keeps the JSON contract', async () => {
    const io = captureIo(true);

    const code = await main(['probe', '--config', configPath, '--json'], io);

    expect(code, io.err.join('\n')).toBe(1);
    const results = JSON.parse(io.out.join('\n')) as ProbeResult[];
    expect(results.map((r) => [r.ref, r.status])).toEqual([
      [`${plain.host}/team/app:v1`, 'healthy'],
      [`${secured.host}/team/app:v1`, 'healthy'],
      [`${plain.host}/team/app:gone`, 'failing'],
    ]);
    // The target's own platforms, not the CLI's default.
    expect(results[0]!.platforms).toContain('linux/arm64');
    expect(results[0]!.steps[0]!.url).toMatch(/^http:/);
    // TLS verified against the config's bundle, and the secret read once, in the probe region.
    expect(results[1]!.tls).not.toBeNull();
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN },
    ]);
    expect(results[2]!.diagnosis?.code).toBe('MANIFEST_UNKNOWN');
    expect(Object.keys(results[0]!).sort()).toEqual(
      [
        'ref',
        'registry',
        'repository',
        'reference',
        'status',
        'diagnosis',
        'warnings',
        'digest',
        'platforms',
        'rateLimit',
        'tls',
        'steps',
        'durationMs',
      ].sort(),
    );
    // --json never draws progress, even on a terminal.
    expect(io.progressed).toEqual([]);
    // Credentials never in the output.
    expect(io.out.join('\n')).not.toContain(PASSWORD);
  });

  it('ends human output with one summary line per target and draws progress on a terminal', async () => {
    const io = captureIo(true);

    const code = await main(['probe', '--config', configPath], io);

    expect(code).toBe(1);
    const summary = io.out.at(-1)!.split('\n');
    expect(summary[0]).toBe('3 target(s) probed as eu-west-1, 1 failing:');
    expect(summary.slice(1)).toHaveLength(3);
    expect(summary[1]).toMatch(/^ {2}plain +HEALTHY +- +\d+ ms +127\.0\.0\.1:\d+\/team\/app:v1$/);
    expect(summary[3]).toMatch(/^ {2}missing +FAILING +MANIFEST_UNKNOWN +\d+ ms/);
    expect(io.progressed[0]).toBe('probing as eu-west-1: 0/3 targets done');
    expect(io.progressed).toContain('probing as eu-west-1: 3/3 targets done');
    expect(io.progressed.at(-1)).toBe('');
  });

  it('draws no progress line when the output is a pipe', async () => {
    const io = captureIo(false);

    await main(['probe', '--config', configPath, '--target', 'plain'], io);

    expect(io.progressed).toEqual([]);
  });

  it("applies --region: that region's targets only", async () => {
    const io = captureIo(false);

    const code = await main(['probe', '--config', configPath, '--region', 'us-east-1', '--json'], io);

    expect(code).toBe(1);
    const results = JSON.parse(io.out.join('\n')) as ProbeResult[];
    expect(results.map((r) => r.ref)).toEqual([`${plain.host}/team/app:v1`, `${plain.host}/team/app:gone`]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('selects targets by --target and --registry', async () => {
    const io = captureIo(false);

    const code = await main(
      ['probe', '--config', configPath, '--registry', secured.host, '--target', 'secured', '--json'],
      io,
    );

    expect(code, io.err.join('\n')).toBe(0);
    expect((JSON.parse(io.out.join('\n')) as ProbeResult[]).map((r) => r.ref)).toEqual([
      `${secured.host}/team/app:v1`,
    ]);
  });

  it('uses a docker config for every target with --auth docker-config', async () => {
    const dockerConfig = join(dir, 'docker.json');
    const auth = Buffer.from(`alice:${PASSWORD}`).toString('base64');
    writeFileSync(dockerConfig, JSON.stringify({ auths: { [secured.host]: { auth } } }));
    const io = captureIo(false);

    const code = await main(
      [
        'probe',
        '--config',
        configPath,
        '--target',
        'secured',
        '--auth',
        `docker-config=${dockerConfig}`,
        '--json',
      ],
      io,
    );

    expect(code, io.err.join('\n')).toBe(0);
    expect((JSON.parse(io.out.join('\n')) as ProbeResult[])[0]!.status).toBe('healthy');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reports an unreadable secret as CREDENTIALS_UNAVAILABLE for that target only', async () => {
    secretsManager.reset();
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const io = captureIo(false);

    await main(['probe', '--config', configPath, '--json'], io);

    const results = JSON.parse(io.out.join('\n')) as ProbeResult[];
    expect(results.map((r) => r.diagnosis?.code ?? r.status)).toEqual([
      'healthy',
      'CREDENTIALS_UNAVAILABLE',
      'MANIFEST_UNKNOWN',
    ]);
  });

  it('names the problem for an unknown target, a region outside the config, and references beside --config', async () => {
    const cases: [string[], RegExp][] = [
      [['--target', 'nope'], /--target nope: no such target \(plain, secured, missing\)/],
      [
        ['--region', 'ap-south-1'],
        /--region ap-south-1: not a probe region of this config \(eu-west-1, us-east-1\)/,
      ],
      [['--region', 'us-east-1', '--target', 'secured'], /--target secured: not probed from us-east-1/],
      [['alpine'], /image references \(alpine\) go without --config/],
    ];
    for (const [extra, message] of cases) {
      const io = captureIo(false);
      const code = await main(['probe', '--config', configPath, ...extra], io);
      expect(code, extra.join(' ')).toBe(2);
      expect(io.err.join('\n')).toMatch(message);
    }
  });
});
