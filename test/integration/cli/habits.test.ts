/**
 * CLI habits, through the built CLI as a person runs it: --version, and no AWS SDK Node-version
 * warning on stderr when a command loads the SDK (the SDK skips it when
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is "true"; bin/cli.ts defaults it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../harness/servers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'bin/registry-canary.mjs');

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('CLI habits', () => {
  let dir: string;
  let configPath: string;
  let endpoint: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'canary-habits-'));
    configPath = join(dir, 'canary.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        homeRegion: 'eu-west-1',
        probeRegions: ['eu-west-1'],
        targets: [{ name: 'hub', image: 'docker.io/library/alpine:latest' }],
      }),
    );
    // The SDK's requests go to a loopback port nothing listens on: refused at once, never off the machine.
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

    const result = await run(['--version']);

    expect(result).toMatchObject({ code: 0, stdout: `registry-canary ${version}\n`, stderr: '' });
  });

  const sdkEnv = () => ({
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  it('prints no AWS SDK Node-version warning when a command loads the SDK', async () => {
    const result = await run(['status', '--config', configPath], sdkEnv());

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^registry-canary status: reading the state table registry-canary-state in eu-west-1/,
    );
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
  });

  it.runIf(Number(process.versions.node.split('.')[0]) < 22)(
    'lets a person who wants the warning back have it (the default is only a default)',
    async () => {
      const result = await run(['status', '--config', configPath], {
        ...sdkEnv(),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false',
      });

      expect(result.stderr).toContain('NodeVersionSupportWarning');
    },
  );
});
