// Builds the command-line tool into dist/cli/ (what bin/registry-canary.mjs runs). It is the
// package's `prepare` script, so `npm ci` builds it on a fresh clone, and the test suites run it
// first (test/global-build.ts) so that no test exercises a CLI older than the sources.
//
// Why a build: running the TypeScript sources through tsx costs ~250 ms of every start (its loader
// and its hooks on every import).
//
// Why dependencies are bundled (undici through its slim entry, tldts, p-limit, zod): resolving them
// from node_modules at start-up costs more than reading them from one file. Measured on this
// machine (2 cores, loaded, 7 runs each, import of dist/cli/cli.js in a fresh process): with every
// package external 160–280 ms; with everything bundled but undici's whole index 90–105 ms; with
// undici's slim entry (bundling/undici-core.mjs) 45–130 ms, and the start-up chunk went from
// 1.40 MB to 0.53 MB. What stays external is what the probe of a plain registry never loads:
// the AWS SDK and google-auth-library (dynamic imports in their credential sources, so chunks of
// their own), and tsx (only for a TypeScript config file). test/unit/cli/startup-imports.test.ts
// reads the metafile written here and fails if the start-up chunk imports any of them.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { probeBundleOptions } from './bundling/options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = path.join(root, 'dist', 'cli');
/** esbuild's metafile of the last build: which inputs and packages each output holds or imports. */
export const CLI_METAFILE = path.join(CLI_OUT_DIR, 'metafile.json');
/** Packages resolved from node_modules at run time, each only behind a dynamic import. */
export const CLI_EXTERNAL = ['@aws-sdk/*', '@smithy/*', 'google-auth-library', 'tsx', 'tsx/*'];

export async function buildCli() {
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  const result = await build({
    ...probeBundleOptions({
      entryPoints: [path.join(root, 'bin', 'cli.ts')],
      outdir: CLI_OUT_DIR,
      // The oldest Node the package supports (package.json engines).
      target: 'node20',
      // Names kept: a crash's stack trace should still say where.
      minify: false,
    }),
    external: CLI_EXTERNAL,
    absWorkingDir: root,
  });
  // dist/ is not under a package.json of its own: say the chunks are ES modules.
  writeFileSync(path.join(CLI_OUT_DIR, 'package.json'), '{"type":"module"}\n');
  writeFileSync(CLI_METAFILE, JSON.stringify(result.metafile));
  return result.metafile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
