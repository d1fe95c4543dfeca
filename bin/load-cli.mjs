// Loads bin/cli.ts for the command-line entry point, fast when it can be and always correct.
//
// Why: running the TypeScript sources through tsx costs ~250 ms of every start (tsx's loader, and
// its hooks on every import), on top of Node's own start. So the first run bundles the project's own
// sources (not its dependencies, which stay in node_modules and keep their lazy imports lazy) into
// one ES module under node_modules/.cache with the esbuild the project already depends on, and
// later runs import that. The bundle is named after the newest source file's mtime, so editing any
// source rebuilds it. Anything unexpected (no esbuild, a read-only node_modules, a failed build)
// falls back to tsx, which is what `npx registry-canary` needs straight after `npm ci`.
//
// `cost` always runs through tsx: it imports the user's TypeScript config file at run time.
import { readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['bin', 'functions', 'lib'];

function newestSourceMtimeMs() {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return Math.floor(newest);
}

async function bundledCli() {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'registry-canary');
  const bundleDir = path.join(cacheDir, `cli-${newestSourceMtimeMs()}-${process.version}`);
  const entry = path.join(bundleDir, 'cli.js');
  try {
    statSync(entry);
  } catch {
    const { build } = await import('esbuild');
    // Built aside and renamed into place, so a run started meanwhile never imports half a bundle.
    const partial = `${bundleDir}.${process.pid}.tmp`;
    await build({
      entryPoints: [path.join(root, 'bin', 'cli.ts')],
      outdir: partial,
      outExtension: { '.js': '.js' },
      bundle: true,
      // Code splitting keeps the CLI's dynamic imports (AWS SDK, Google auth, the cost model) lazy.
      splitting: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      logLevel: 'silent',
    });
    writeFileSync(path.join(partial, 'package.json'), '{"type":"module"}\n');
    try {
      renameSync(partial, bundleDir);
    } catch (error) {
      // Another run finished the same bundle first: use it, drop ours.
      rmSync(partial, { recursive: true, force: true });
      if (!['EEXIST', 'ENOTEMPTY'].includes(error.code)) throw error;
    }
  }
  return import(pathToFileURL(entry).href);
}

async function sourceCli() {
  const { register } = await import('tsx/esm/api');
  register();
  return import('./cli.ts');
}

/** The CLI module ({ main }). */
export async function loadCli(argv) {
  if (argv[0] !== 'cost' && process.env.REGISTRY_CANARY_FROM_SOURCE !== '1') {
    try {
      return await bundledCli();
    } catch {
      // Fall through: the sources through tsx always work.
    }
  }
  return sourceCli();
}
