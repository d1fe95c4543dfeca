/**
 * A config kept outside this repository (a separate infrastructure repo is normal), loaded by the
 * built CLI as a person runs it. Outside a "type": "module" package tsx compiles a .ts file as
 * CommonJS, which once hid the config under a second `default`; and such a repo types its config
 * with `import { defineConfig } from 'registry-canary/config'` (the package's `exports`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'bin/registry-canary.mjs');
const run = promisify(execFile);

const BODY = `{
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1', 'us-east-1'],
  targets: [{ name: 'hub', image: 'docker.io/library/alpine:latest' }],
}`;

describe('a config outside the repository', () => {
  let infra: string;

  beforeAll(() => {
    infra = mkdtempSync(join(tmpdir(), 'canary-infra-'));
    writeFileSync(join(infra, 'plain.ts'), `export default ${BODY};\n`);
    writeFileSync(
      join(infra, 'typed.ts'),
      `import { defineConfig } from 'registry-canary/config';\nexport default defineConfig(${BODY});\n`,
    );
    // As `npm install -D registry-canary` would leave it.
    mkdirSync(join(infra, 'node_modules'));
    symlinkSync(ROOT, join(infra, 'node_modules', 'registry-canary'), 'dir');
  });

  afterAll(() => rmSync(infra, { recursive: true, force: true }));

  it.each(['plain.ts', 'typed.ts'])('cost --config %s estimates it', async (file) => {
    const { stdout, stderr } = await run(
      process.execPath,
      [CLI, 'cost', '--config', join(infra, file), '--json'],
      {
        cwd: infra,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );

    const report = JSON.parse(stdout) as { fleet: { targets: number; probeRegions: number } };
    expect(report.fleet).toMatchObject({ targets: 1, probeRegions: 2 });
    expect(stderr).toBe('');
  });
});
