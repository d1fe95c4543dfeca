import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, type FakeServer, serveImage, startFakeServer } from '../probe/fake-registry.ts';

const run = promisify(execFile);
let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer();
  server.routes.set('GET /v2/', (_req, res) => res.end('{}'));
  serveImage(server, 'app', buildImage());
});
afterAll(() => server.close());

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run('node', ['bin/registry-canary.mjs', ...args], {
      env: { ...process.env, DOCKER_CONFIG: '/nonexistent', HTTPS_PROXY: '', HTTP_PROXY: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bin/registry-canary.mjs', () => {
  it('prints exactly the JSON contract for a healthy probe and exits 0', async () => {
    const { code, stdout } = await cli(['probe', `${server.host}/app:v1`, '--plain-http', '--json']);
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(
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
    expect(Object.keys(result.steps[0]).sort()).toEqual(
      ['name', 'method', 'url', 'status', 'host', 'timings', 'reusedConnection'].sort(),
    );
    expect(Object.keys(result.steps[0].timings).sort()).toEqual(
      ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs'].sort(),
    );
    expect(result.status).toBe('healthy');
  }, 20_000);

  it('prints a diagnosis without a stack trace and exits 1 when the registry is unreachable', async () => {
    const { code, stdout, stderr } = await cli(['probe', '127.0.0.1:1/app:v1', '--plain-http']);
    expect(code).toBe(1);
    expect(stdout).toContain('CONNECTION_REFUSED');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 20_000);

  it('exits 2 with the reason for an invalid reference', async () => {
    const { code, stderr } = await cli(['probe', 'library/Alpine']);
    expect(code).toBe(2);
    expect(stderr).toContain('must be lowercase');
  }, 20_000);

  it('runs as `npx registry-canary` from the checkout, with no install step beyond npm ci', async () => {
    // npx finds the package's own bin entry; --offline keeps it from asking the registry for anything.
    const { stdout } = await run('npx', ['--offline', 'registry-canary', '--help'], {
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(stdout).toContain('Usage: registry-canary <command>');
    expect(stdout).toMatch(/^\s+probe\s/m);
  }, 30_000);

  it('runs the CLI that the prepare script built, the same as the sources, with no cache of its own', async () => {
    const env = { ...process.env, DOCKER_CONFIG: '/nonexistent' };
    // The old CLI bundled itself on first use into this cache; the packaged one adds nothing to it.
    const cache = path.join('node_modules', '.cache', 'registry-canary');
    const cacheBefore = existsSync(cache) ? readdirSync(cache).sort() : [];
    const built = await run('node', ['bin/registry-canary.mjs', 'probe', '--help'], { env });
    const fromSource = await run('node', ['bin/registry-canary.mjs', 'probe', '--help'], {
      env: { ...env, REGISTRY_CANARY_FROM_SOURCE: '1' },
    });

    expect(built.stdout).toContain('Usage: registry-canary probe');
    expect(built.stdout).toBe(fromSource.stdout);
    // A conventional package: npm ci's prepare script builds dist/cli, bin runs it, and nothing is
    // built or cached on first use.
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepare).toBe('node scripts/build-cli.mjs');
    expect(readFileSync(pkg.bin['registry-canary']!, 'utf8')).toContain('../dist/cli/cli.js');
    expect(existsSync(path.join('dist', 'cli', 'cli.js'))).toBe(true);
    expect(existsSync(cache) ? readdirSync(cache).sort() : []).toEqual(cacheBefore);
  }, 30_000);

  it('says how to build the CLI when dist/cli is missing, instead of a module-not-found trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rc-bin-'));
    try {
      mkdirSync(path.join(dir, 'bin'));
      copyFileSync('bin/registry-canary.mjs', path.join(dir, 'bin', 'registry-canary.mjs'));
      const { code, stderr } = await runIn(dir, ['bin/registry-canary.mjs', '--help']);
      expect(code).toBe(2);
      expect(stderr).toContain('npm run build:cli');
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

async function runIn(cwd: string, args: string[]) {
  try {
    const { stdout, stderr } = await run('node', args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
