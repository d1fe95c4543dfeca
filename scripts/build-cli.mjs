// Builds the command-line tool into dist/cli/ (what bin/registry-canary.mjs runs). It is the
// package's `prepare` script, so `npm ci` builds it on a fresh clone, and the test suites run it
// first (test/global-build.ts) so that no test exercises a CLI older than the sources.
//
// Why a build: running the TypeScript sources through tsx costs ~250 ms of every start (its loader
// and its hooks on every import). Dependencies stay external, resolved from node_modules, so the
// CLI's dynamic imports (the AWS SDK, Google auth, the cost model) stay lazy; code splitting keeps
// the project's own lazy modules out of the start-up chunk.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = path.join(root, 'dist', 'cli');

export async function buildCli() {
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(root, 'bin', 'cli.ts')],
    outdir: CLI_OUT_DIR,
    bundle: true,
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    // The oldest Node the package supports (package.json engines).
    target: 'node20',
    logLevel: 'warning',
  });
  // dist/ is not under a package.json of its own: say the chunks are ES modules.
  writeFileSync(path.join(CLI_OUT_DIR, 'package.json'), '{"type":"module"}\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
