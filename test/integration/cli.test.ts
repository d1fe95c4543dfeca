/**
 * The command-line tool end to end, as a person or another tool runs it: a real process
 * (`node bin/registry-canary.mjs`) against the real registry. Other tools parse `--json`, so the
 * field names are asserted exactly; the exit codes are part of the contract too.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARBOR_REPOSITORY_NOT_FOUND } from './harness/captures/index.ts';
import { createTestCertificates, type TestCertificates } from './harness/certs.ts';
import { DOCKER_HUB_LOW_RATE_LIMIT, type FaultProxy, startFaultProxy } from './harness/fault-proxy.ts';
import { buildMultiArchImage, pushImage } from './harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from './harness/registry.ts';
import { startReplayProxy } from './harness/replay-proxy.ts';

const CLI = fileURLToPath(new URL('../../bin/registry-canary.mjs', import.meta.url));
const PASSWORD = `cli-${crypto.randomUUID()}`;
const DOCKER_PASSWORD = `dckr_pat_${crypto.randomUUID()}`;

// Hermetic: without --auth the CLI reads ~/.docker/config.json (or $DOCKER_CONFIG), so a config on
// the machine running the tests would otherwise change what the CLI sends and how it fails.
const HOME = mkdtempSync(join(tmpdir(), 'canary-cli-home-'));
const DOCKER_CONFIG = join(HOME, '.docker');
mkdirSync(DOCKER_CONFIG);

/** The JSON contract of issue 2, field for field (functions/probe/result.ts). */
const RESULT_FIELDS = [
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
].sort();
const DIAGNOSIS_FIELDS = ['code', 'summary', 'evidence', 'nextSteps', 'runbook'].sort();
// nextSteps and runbook since issue 10 (a degraded result's own steps and runbook).
const WARNING_FIELDS = ['code', 'summary', 'nextSteps', 'runbook'].sort();
const RATE_LIMIT_FIELDS = ['limit', 'remaining', 'windowSeconds', 'source'].sort();
const TLS_FIELDS = ['subject', 'issuer', 'validTo', 'daysRemaining', 'protocol'].sort();
const STEP_FIELDS = ['name', 'method', 'url', 'status', 'host', 'timings', 'reusedConnection'].sort();
const TIMING_FIELDS = ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs'].sort();
const VERIFIED_BLOB_FIELDS = ['digest', 'bytes', 'throughputBytesPerSecond'].sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        NO_COLOR: '1',
        HOME,
        DOCKER_CONFIG,
        HTTPS_PROXY: '',
        HTTP_PROXY: '',
        https_proxy: '',
        http_proxy: '',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

type Json = Record<string, unknown>;

function parseResults(run: Run): Json[] {
  const parsed: unknown = JSON.parse(run.stdout);
  expect(Array.isArray(parsed), run.stdout).toBe(true);
  return parsed as Json[];
}

const keys = (value: unknown): string[] => Object.keys(value as Json).sort();

/** Every field of the contract, no more, no fewer, with the right shapes. */
function expectContract(result: Json): void {
  expect(keys(result)).toEqual(
    'verifiedBlob' in result ? [...RESULT_FIELDS, 'verifiedBlob'].sort() : RESULT_FIELDS,
  );
  expect(['healthy', 'degraded', 'failing']).toContain(result['status']);
  if (result['diagnosis'] !== null) expect(keys(result['diagnosis'])).toEqual(DIAGNOSIS_FIELDS);
  for (const warning of result['warnings'] as Json[]) expect(keys(warning)).toEqual(WARNING_FIELDS);
  if (result['rateLimit'] !== null) expect(keys(result['rateLimit'])).toEqual(RATE_LIMIT_FIELDS);
  if (result['tls'] !== null) expect(keys(result['tls'])).toEqual(TLS_FIELDS);
  if ('verifiedBlob' in result) expect(keys(result['verifiedBlob'])).toEqual(VERIFIED_BLOB_FIELDS);
  expect(typeof result['durationMs']).toBe('number');
  for (const step of result['steps'] as Json[]) {
    expect(keys(step)).toEqual(STEP_FIELDS);
    expect(keys(step['timings'])).toEqual(TIMING_FIELDS);
    expect(typeof (step['timings'] as Json)['totalMs']).toBe('number');
    expect(typeof step['reusedConnection']).toBe('boolean');
  }
}

// Each run is a separate process that spends most of its second loading modules: run them side by side.
describe.runIf(registryTestsEnabled())('registry-canary probe (CLI)', { concurrent: true }, () => {
  const image = buildMultiArchImage();
  let certificates: TestCertificates;
  let plain: RunningRegistry;
  let secured: RunningRegistry;
  let proxy: FaultProxy;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    [plain, secured] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'tls-basic', certificates, users: { AWS: PASSWORD, hubuser: DOCKER_PASSWORD } }),
    ]);
    await Promise.all([
      pushImage(plain, 'team/app', 'v1', image),
      pushImage(
        { ...secured, credentials: { username: 'AWS', password: PASSWORD } },
        'team/app',
        'v1',
        image,
      ),
    ]);
    proxy = await startFaultProxy({ target: plain.url });
    proxy.setFaults({ match: /\/manifests\//, addHeaders: DOCKER_HUB_LOW_RATE_LIMIT });
  });

  afterAll(async () => {
    await proxy?.stop();
    await Promise.all([plain?.stop(), secured?.stop()]);
    await certificates?.remove();
    rmSync(HOME, { recursive: true, force: true });
  });

  it('prints the exact JSON contract for a healthy image and exits 0', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:v1`, '--plain-http', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const [result] = parseResults(run);
    expectContract(result!);
    expect(result).toMatchObject({
      ref: `${plain.host}/team/app:v1`,
      registry: plain.host,
      repository: 'team/app',
      reference: 'v1',
      status: 'healthy',
      diagnosis: null,
      warnings: [],
      digest: image.digest,
      platforms: ['linux/amd64', 'linux/arm64'],
      rateLimit: null,
      tls: null,
    });
    expect((result!['steps'] as Json[]).length).toBeGreaterThanOrEqual(4);
  });

  it('prints a failing result with the full diagnosis and exits 1 when the tag is missing', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:gone`, '--plain-http', '--json']);

    expect(run.code, run.stderr).toBe(1);
    const [result] = parseResults(run);
    expectContract(result!);
    expect(result!['status']).toBe('failing');
    expect((result!['diagnosis'] as Json)['code']).toBe('MANIFEST_UNKNOWN');
  });

  it('exits 1 when one of several refs fails, with one result per ref in order', async () => {
    const refs = [`${plain.host}/team/app:v1`, `${plain.host}/team/app:gone`];

    const run = await runCli(['probe', ...refs, '--plain-http', '--json']);

    expect(run.code, run.stderr).toBe(1);
    const results = parseResults(run);
    expect(results.map((r) => r['ref'])).toEqual(refs);
    expect(results.map((r) => r['status'])).toEqual(['healthy', 'failing']);
    for (const result of results) expectContract(result);
  });

  it('exits 0 for a degraded image and prints the rate limit and its warning', async () => {
    const run = await runCli(['probe', `${proxy.host}/team/app:v1`, '--plain-http', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const [result] = parseResults(run);
    expectContract(result!);
    expect(result!['status']).toBe('degraded');
    expect(result!['rateLimit']).toEqual({
      limit: 100,
      remaining: 5,
      windowSeconds: 21600,
      source: '1.2.3.4',
    });
    expect((result!['warnings'] as Json[]).map((w) => w['code'])).toEqual(['RATE_LIMIT_LOW']);
  });

  it('checks every --platform and fails with PLATFORM_MISSING for linux/s390x', async () => {
    const run = await runCli([
      'probe',
      `${plain.host}/team/app:v1`,
      '--plain-http',
      '--json',
      '--platform',
      'linux/arm64',
      '--platform',
      'linux/s390x',
    ]);

    expect(run.code, run.stderr).toBe(1);
    const [result] = parseResults(run);
    expect((result!['diagnosis'] as Json)['code']).toBe('PLATFORM_MISSING');
    // The rebuild keeps what the index has and adds what is missing (issue 10 item 6).
    expect((result!['diagnosis'] as Json)['nextSteps']).toContain(
      `Rebuild with every platform the image must keep: docker buildx build --platform linux/amd64,linux/arm64,linux/s390x --push -t ${plain.host}/team/app:v1 .`,
    );
  });

  it('reads a Harbor answer with --profile harbor, and repeats the run with npx and its flags', async () => {
    const harbor = await startReplayProxy({ target: plain.url });
    try {
      harbor.replay(HARBOR_REPOSITORY_NOT_FOUND, { realm: '', service: '', repository: 'team/app' });
      const run = await runCli(
        ['probe', `${harbor.host}/team/app:v1`, '--plain-http', '--profile', 'harbor', '--json'],
        undefined,
        { npm_command: 'exec' },
      );

      expect(run.code, run.stderr).toBe(1);
      const diagnosis = parseResults(run)[0]!['diagnosis'] as Json;
      expect(diagnosis['code']).toBe('NAME_UNKNOWN');
      expect((diagnosis['evidence'] as string[]).join('\n')).toContain(
        'read as: repository-missing (Harbor dialect',
      );
      expect(diagnosis['nextSteps']).toContain(
        `Check the project and repository in Harbor: curl -s -u USER http://${harbor.host}/api/v2.0/projects/team/repositories`,
      );
    } finally {
      await harbor.stop();
    }
  });

  it("says npx registry-canary with the run's flags in a step that probes again", async () => {
    const run = await runCli(
      [
        'probe',
        `127.0.0.1:${plain.port}/team/app:v1`,
        '--json',
        '--platform',
        'linux/arm64',
        '--profile',
        'harbor',
      ],
      undefined,
      { npm_command: 'exec' },
    );

    // HTTPS to a plain-HTTP registry: TLS_ERROR, whose steps offer the probe again with --plain-http.
    expect(run.code, run.stderr).toBe(1);
    const diagnosis = parseResults(run)[0]!['diagnosis'] as Json;
    expect(diagnosis['code']).toBe('TLS_ERROR');
    expect((diagnosis['nextSteps'] as string[]).join('\n')).toContain(
      `then: npx registry-canary probe 127.0.0.1:${plain.port}/team/app:v1 --platform linux/arm64 --profile harbor --plain-http`,
    );
  });

  it('adds verifiedBlob with --verify-blob', async () => {
    const run = await runCli([
      'probe',
      `${plain.host}/team/app:v1`,
      '--plain-http',
      '--json',
      '--verify-blob',
    ]);

    expect(run.code, run.stderr).toBe(0);
    const [result] = parseResults(run);
    expectContract(result!);
    expect((result!['verifiedBlob'] as Json)['digest']).toBe(image.images[0]!.layers[0]!.digest);
  });

  it('probes a TLS registry with --ca-file and --password-stdin and prints the certificate', async () => {
    const run = await runCli(
      [
        'probe',
        `${secured.host}/team/app:v1`,
        '--json',
        '--ca-file',
        certificates.ca.certPath,
        '--username',
        'AWS',
        '--password-stdin',
      ],
      `${PASSWORD}\n`,
    );

    expect(run.code, run.stderr).toBe(0);
    const [result] = parseResults(run);
    expectContract(result!);
    expect(result!['status']).toBe('healthy');
    expect((result!['tls'] as Json)['issuer']).toContain('registry-canary test CA');
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it('logs in with --auth docker-config=PATH from the auths entry of that file', async () => {
    // Not in $DOCKER_CONFIG: the flag's PATH must be what is read.
    const path = join(HOME, 'elsewhere-config.json');
    const auth = Buffer.from(`hubuser:${DOCKER_PASSWORD}`).toString('base64');
    await writeFile(path, JSON.stringify({ auths: { [secured.host]: { auth } } }));

    const run = await runCli([
      'probe',
      `${secured.host}/team/app:v1`,
      '--json',
      '--ca-file',
      certificates.ca.certPath,
      '--auth',
      `docker-config=${path}`,
    ]);

    expect(run.code, run.stderr).toBe(0);
    const [result] = parseResults(run);
    expectContract(result!);
    expect(result!['status']).toBe('healthy');
    expect(run.stdout + run.stderr).not.toContain(DOCKER_PASSWORD);
    expect(run.stdout + run.stderr).not.toContain(auth);
  });

  it('is anonymous without --auth when the (empty) HOME has no docker config', async () => {
    const run = await runCli([
      'probe',
      `${secured.host}/team/app:v1`,
      '--json',
      '--ca-file',
      certificates.ca.certPath,
    ]);

    expect(run.code).toBe(1);
    expect((parseResults(run)[0]!['diagnosis'] as Json)['code']).toBe('AUTH_REQUIRED');
  });

  it('says on stderr that the default config was skipped for a host only a credsStore could serve', async () => {
    const dockerConfig = join(HOME, 'creds-store');
    mkdirSync(dockerConfig);
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: {}, credsStore: 'desktop' }));
    const args = ['probe', `${secured.host}/team/app:v1`, '--json', '--ca-file', certificates.ca.certPath];

    const run = await runCli(args, '', { DOCKER_CONFIG: dockerConfig });

    expect(run.code).toBe(1);
    expect((parseResults(run)[0]!['diagnosis'] as Json)['code']).toBe('AUTH_REQUIRED');
    expect(run.stderr).toContain(`no "auths" entry for ${secured.host}`);
    expect(run.stderr).toContain('docker-credential-desktop');
  });

  it('never prints a rejected password, in JSON or human output or on stderr', async () => {
    const wrong = `wrong-${crypto.randomUUID()}`;
    const args = ['probe', `${secured.host}/team/app:v1`, '--ca-file', certificates.ca.certPath];
    const login = ['--username', 'AWS', '--password-stdin'];

    const json = await runCli([...args, '--json', ...login], wrong);
    const human = await runCli([...args, ...login], wrong);

    expect(json.code).toBe(1);
    expect(human.code).toBe(1);
    expect((parseResults(json)[0]!['diagnosis'] as Json)['code']).toBe('AUTH_FAILED');
    const everything = json.stdout + json.stderr + human.stdout + human.stderr;
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(Buffer.from(`AWS:${wrong}`).toString('base64'));
  });

  it('prints the steps, the digest and exits 0 in human output for a healthy image', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:v1`, '--plain-http']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/healthy/i);
    expect(run.stdout).toContain(image.digest);
    for (const step of ['ping', 'manifest-get', 'blob-head']) expect(run.stdout).toContain(step);
  });

  it('prints the diagnosis, next steps and runbook in human output for a failing image', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:gone`, '--plain-http']);

    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('MANIFEST_UNKNOWN');
    expect(run.stdout + run.stderr).toMatch(/runbooks\/MANIFEST_UNKNOWN\.md/);
  });

  it('exits 2 and says what is missing when no reference is given', async () => {
    const run = await runCli(['probe', '--json']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ref/i);
    expect(run.stdout).toBe('');
  });

  it('exits 2 and names an unknown option', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:v1`, '--bogus-flag']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--bogus-flag');
  });

  it('exits 2 and names the option when --timeout is not a number', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:v1`, '--timeout', 'soon']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--timeout');
  });

  it('exits 2 when --password-stdin comes without --username', async () => {
    const run = await runCli(['probe', `${plain.host}/team/app:v1`, '--password-stdin'], 'x\n');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--username');
  });

  it('exits 2 with the reason when the reference is invalid', async () => {
    const run = await runCli(['probe', 'Upper/Case:tag', '--json']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Upper/Case:tag');
  });

  it('exits 2 on an unknown command', async () => {
    const run = await runCli(['inspect', `${plain.host}/team/app:v1`]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('inspect');
  });
});
