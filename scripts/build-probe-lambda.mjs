// Builds the probe Lambda's code: the handler (functions/handlers/probe-handler.ts) bundled by
// esbuild with code splitting, so what a target needs only sometimes (Google auth with gaxios,
// node-fetch and friends; the ECR clients; a credential source's SDK client) is a chunk of its
// own, loaded by a dynamic import when a target names it, not parsed at every cold start. Then the
// region's runtime config, copied beside the entry (the handler reads probe-config.json from its
// own directory, functions/run/probe-config.ts).
//
// Why not NodejsFunction: it runs esbuild with --outfile, one file, so every dynamic import is
// inlined into it (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js; splitting needs --outdir, see
// https://esbuild.github.io/api/#splitting). lib/constructs/scheduled-probe.ts runs this script as
// a Code.fromAsset local bundling step instead, so `cdk synth` stays offline and needs no Docker.
//
// Usage: node scripts/build-probe-lambda.mjs <outdir> [<probe-config.json to copy>] [--target node24]
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { probeBundleOptions } from './bundling/options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROBE_HANDLER_SOURCE = path.join(root, 'functions', 'handlers', 'probe-handler.ts');
/** The entry's file name: Lambda's `index.handler` finds index.mjs and loads it as an ES module. */
export const PROBE_ENTRY_FILE = 'index.mjs';

/**
 * Builds into `outdir`; every output is .mjs, because Lambda has no package.json telling it that a
 * .js chunk is an ES module. Returns esbuild's metafile (for the tests and the bench; not written
 * into the asset, where it would be ~0.9 MB of the upload).
 */
export async function buildProbeLambda({ outdir, configFile, target = 'node24' }) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    ...probeBundleOptions({ entryPoints: { index: PROBE_HANDLER_SOURCE }, outdir, target, minify: true }),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    absWorkingDir: root,
  });
  if (configFile) copyFileSync(configFile, path.join(outdir, 'probe-config.json'));
  return result.metafile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { target: { type: 'string', default: 'node24' } },
  });
  const [outdir, configFile] = positionals;
  if (!outdir) {
    process.stderr.write('usage: node scripts/build-probe-lambda.mjs <outdir> [<probe-config.json>]\n');
    process.exit(2);
  }
  await buildProbeLambda({ outdir: path.resolve(outdir), configFile, target: values.target });
}
