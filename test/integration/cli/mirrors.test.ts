/**
 * Mirrors (`targets[].mirrors`) through `probe --config`, against two real registries on loopback:
 * the primary down (nothing listens) while its mirror serves the image, a mirror serving another
 * digest for the same tag (a stale cache), both failing, and a mirror that hangs. Run in process
 * through main(), as the probe Lambda's probeAll runs them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../../bin/cli.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { closedPort, type StoppableServer, startSilentServer } from '../harness/servers.ts';

interface Captured extends CliIo {
  out: string[];
  err: string[];
}

function captureIo(): Captured {
  const io: Captured = {
    out: [],
    err: [],
    stdout: (t) => io.out.push(t),
    stderr: (t) => io.err.push(t),
    readStdin: async () => '',
    readFile: async (p) => (await import('node:fs/promises')).readFile(p, 'utf8'),
    probe: probeImage,
    command: 'registry-canary',
    interactive: false,
  };
  return io;
}

describe.runIf(registryTestsEnabled())('probe --config with mirrors', () => {
  const image = buildMultiArchImage();
  // Another build under the same tag: what a pull-through cache still serves after a re-push upstream.
  const stale = buildMultiArchImage({ platforms: ['linux/amd64'] });
  let primary: RunningRegistry;
  let mirror: RunningRegistry;
  let silent: StoppableServer;
  let downHost: string;
  let dir: string;
  let configPath: string;
  let results: ProbeResult[];
  let exitCode: number;
  let humanOutput: string;

  beforeAll(async () => {
    [primary, mirror, silent] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'plain' }),
      startSilentServer(),
    ]);
    downHost = `127.0.0.1:${await closedPort()}`;
    await Promise.all([
      pushImage(primary, 'team/app', 'v1', image),
      // The same image at the same name on the mirror, and under a path prefix (a proxy-cache project).
      pushImage(mirror, 'team/app', 'v1', image),
      pushImage(mirror, 'hub-cache/team/app', 'v1', image),
      pushImage(mirror, 'stale/team/app', 'v1', stale),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'canary-mirrors-'));
    configPath = join(dir, 'canary.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        homeRegion: 'eu-west-1',
        probeRegions: ['eu-west-1'],
        defaults: { timeoutMs: 8000 },
        targets: [
          {
            name: 'primary-down',
            image: `${downHost}/team/app:v1`,
            plainHttp: true,
            // No tag: the mirror inherits the target's v1.
            mirrors: [
              { image: `${mirror.host}/hub-cache/team/app`, plainHttp: true, name: 'proxy cache' },
              { image: `${mirror.host}/team/app`, plainHttp: true },
            ],
          },
          {
            name: 'stale-mirror',
            image: `${primary.host}/team/app:v1`,
            plainHttp: true,
            mirrors: [
              { image: `${mirror.host}/stale/team/app`, plainHttp: true },
              { image: `${mirror.host}/team/app`, plainHttp: true },
            ],
          },
          {
            name: 'both-down',
            image: `${primary.host}/team/app:gone`,
            plainHttp: true,
            mirrors: [{ image: `${mirror.host}/team/app`, plainHttp: true }],
          },
          {
            name: 'mirror-hangs',
            image: `${primary.host}/team/app:v1`,
            plainHttp: true,
            thresholds: { timeoutMs: 1000 },
            mirrors: [{ image: `${silent.host}/team/app`, plainHttp: true }],
          },
          { name: 'no-mirrors', image: `${primary.host}/team/app:v1`, plainHttp: true },
        ],
      }),
    );
    const io = captureIo();
    exitCode = await main(['probe', '--config', configPath, '--json'], io);
    results = JSON.parse(io.out.join('\n')) as ProbeResult[];
    const human = captureIo();
    await main(['probe', '--config', configPath, '--target', 'primary-down'], human);
    humanOutput = human.out.join('\n');
  });

  afterAll(async () => {
    await Promise.all([primary?.stop(), mirror?.stop(), silent?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const resultOf = (name: string) => {
    const index = ['primary-down', 'stale-mirror', 'both-down', 'mirror-hangs', 'no-mirrors'].indexOf(name);
    return results[index]!;
  };

  it('keeps the failing primary failing, with its own code, and says first to switch to the healthy mirror', () => {
    const result = resultOf('primary-down');

    expect(exitCode).toBe(1);
    expect(result.status).toBe('failing');
    expect(result.diagnosis?.code).toBe('CONNECTION_REFUSED');
    const steps = result.diagnosis!.nextSteps;
    // The first passing mirror in config order: the proxy-cache path, with the inherited tag.
    expect(steps[0]).toBe(
      `Switch to the mirror ${mirror.host}/hub-cache/team/app:v1: it passed (it serves ${image.digest}) while ${downHost} fails. Point the pulls at it until ${downHost} recovers, with the next step for docker, containerd or Kubernetes.`,
    );
    // Not Docker Hub: registry-mirrors does not apply; containerd's hosts.toml reaches the prefix with override_path.
    expect(steps[1]).toMatch(/^docker: registry-mirrors mirrors Docker Hub only/);
    expect(steps[2]).toBe(
      `sudo mkdir -p /etc/containerd/certs.d/${downHost} && printf '%s\\n' 'server = "http://${downHost}"' '' '[host."http://${mirror.host}/v2/hub-cache"]' '  capabilities = ["pull", "resolve"]' '  override_path = true' | sudo tee /etc/containerd/certs.d/${downHost}/hosts.toml   # containerd (config.toml: config_path = "/etc/containerd/certs.d")`,
    );
    expect(steps[3]).toBe(
      `kubectl set image deployment/<name> <container>=${mirror.host}/hub-cache/team/app:v1   # Kubernetes (or image: in the manifest)`,
    );
    // The primary's own steps follow.
    expect(steps.slice(4).some((s) => s.startsWith('nc -vz 127.0.0.1'))).toBe(true);
    expect(result.diagnosis!.evidence).toContain(
      `mirror proxy cache (${mirror.host}/hub-cache/team/app:v1): healthy, digest ${image.digest}`,
    );
    expect(result.mirrors).toEqual([
      expect.objectContaining({
        name: 'proxy cache',
        image: `${mirror.host}/hub-cache/team/app:v1`,
        status: 'healthy',
        code: null,
        digest: image.digest,
      }),
      expect.objectContaining({
        image: `${mirror.host}/team/app:v1`,
        status: 'healthy',
        digest: image.digest,
      }),
    ]);
  });

  it('warns MIRROR_DIGEST_MISMATCH for a mirror serving another digest, and only for that one', () => {
    const result = resultOf('stale-mirror');

    expect(result.status).toBe('degraded');
    expect(result.diagnosis).toBeNull();
    expect(result.digest).toBe(image.digest);
    expect(result.warnings.map((w) => w.code)).toEqual(['MIRROR_DIGEST_MISMATCH']);
    expect(result.warnings[0]!.summary).toBe(
      `The mirror ${mirror.host}/stale/team/app:v1 serves ${stale.digest} for v1, but ${primary.host} serves ${image.digest}: a pull through the mirror gets other content.`,
    );
    expect(result.warnings[0]!.runbook).toMatch(/\/MIRROR_DIGEST_MISMATCH\.md$/);
    expect(result.mirrors?.map((m) => [m.status, m.digest])).toEqual([
      ['healthy', stale.digest],
      ['healthy', image.digest],
    ]);
  });

  it('gives no switch advice when the mirror fails too, and names how each failed', () => {
    const result = resultOf('both-down');

    expect(result.diagnosis?.code).toBe('MANIFEST_UNKNOWN');
    expect(result.diagnosis!.nextSteps.some((s) => /mirror/i.test(s) && s.startsWith('Switch'))).toBe(false);
    expect(result.diagnosis!.evidence.at(-1)).toMatch(
      new RegExp(`^mirror ${mirror.host}/team/app:gone: failing, MANIFEST_UNKNOWN: `),
    );
    expect(result.mirrors?.[0]).toMatchObject({ status: 'failing', code: 'MANIFEST_UNKNOWN', digest: null });
  });

  it("keeps the primary's result when a mirror hangs: the mirror ends in its own TIMEOUT", () => {
    const result = resultOf('mirror-hangs');

    expect(result.status).toBe('healthy');
    expect(result.digest).toBe(image.digest);
    expect(result.mirrors?.[0]).toMatchObject({ status: 'failing', code: 'TIMEOUT', digest: null });
  });

  it('leaves a target without mirrors in the probe <ref> contract: no mirrors field', () => {
    const result = resultOf('no-mirrors');

    expect(result.status).toBe('healthy');
    expect(Object.keys(result)).not.toContain('mirrors');
  });

  it('lists the mirrors in the human output, and each under its target in the summary', () => {
    expect(humanOutput).toContain('  mirrors\n');
    expect(humanOutput).toContain(`proxy cache: ${mirror.host}/hub-cache/team/app:v1 HEALTHY`);
    // The containerd step is a command: wrapped with continuations, its quoted TOML lines intact.
    expect(humanOutput).toContain('\'  capabilities = ["pull", "resolve"]\'');
    const summary = humanOutput.split('\n').slice(-3);
    expect(summary[0]).toMatch(/^ {2}primary-down +FAILING +CONNECTION_REFUSED/);
    expect(summary[1]).toMatch(
      new RegExp(`^ +HEALTHY +- +\\d+ ms +mirror ${mirror.host}/hub-cache/team/app:v1$`),
    );
  });
});
