// esbuild options shared by the two bundles of probe code: the CLI (scripts/build-cli.mjs) and the
// probe Lambda (scripts/build-probe-lambda.mjs). Plain JavaScript, because `npm ci` runs the CLI
// build as the prepare script, before anything could load TypeScript.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The slim undici entry (undici-core.mjs says why). */
export const UNDICI_CORE = path.join(here, 'undici-core.mjs');

/** Resolves the bare specifier `undici` (not its subpaths) to UNDICI_CORE. */
export const undiciCore = {
  name: 'undici-core',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: UNDICI_CORE }));
  },
};

/**
 * esbuild's ESM output has no `require`; CommonJS dependencies bundled into it (undici, parts of the
 * AWS SDK, google-auth-library) call it for Node built-ins, so each chunk defines one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/**
 * Options both bundles share: ESM with code splitting (a dynamic import, such as the AWS SDK's or
 * Google auth's credential source, becomes a chunk loaded only when a target needs it), ES module
 * entry points of dependencies first (tldts ships one; its CommonJS build cannot be tree-shaken),
 * and the metafile, which the tests read to prove what the start-up chunk imports.
 */
export function probeBundleOptions({ entryPoints, outdir, target, minify }) {
  return {
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target,
    mainFields: ['module', 'main'],
    plugins: [undiciCore],
    banner: { js: ESM_REQUIRE_BANNER },
    metafile: true,
    legalComments: 'none',
    ...(minify ? { minify: true } : { minifyWhitespace: true, minifySyntax: true }),
    logLevel: 'warning',
  };
}

/**
 * The modules an output loads before its code runs: itself and every chunk it imports statically,
 * transitively (esbuild metafile `imports` of kind import-statement). What a dynamic import loads
 * is not in it.
 */
export function staticClosure(metafile, entryOutput) {
  const seen = new Set();
  const queue = [entryOutput];
  while (queue.length) {
    const output = queue.pop();
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of metafile.outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) queue.push(imported.path);
    }
  }
  return [...seen];
}

/**
 * Every input file and external package an output's static closure loads: what a fresh process
 * pays for before the first line of the entry runs.
 */
export function staticallyLoaded(metafile, entryOutput) {
  const inputs = new Set();
  const externals = new Set();
  for (const output of staticClosure(metafile, entryOutput)) {
    for (const input of Object.keys(metafile.outputs[output].inputs)) inputs.add(input);
    for (const imported of metafile.outputs[output].imports ?? []) {
      if (imported.kind === 'import-statement' && imported.external) externals.add(imported.path);
    }
  }
  return { inputs: [...inputs], externals: [...externals] };
}
