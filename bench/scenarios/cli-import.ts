/**
 * How long the CLI spends importing its modules: a fresh process imports dist/cli/cli.js (what
 * bin/registry-canary.mjs runs) and prints the milliseconds the import took, alternating with a
 * bare `node -e ''` (the floor every Node CLI pays before its first line). The CLI is built first
 * (scripts/build-cli.mjs, the prepare script), so the figure is the sources as they are now.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
// @ts-expect-error: a plain ES module script without type declarations.
import { buildCli } from '../../scripts/build-cli.mjs';
import { alternate } from '../lib/alternate.ts';
import { timeOk } from '../lib/process.ts';
import { type Summary, summarize } from '../lib/stats.ts';

export interface CliImportResult {
  rounds: number;
  /** Inside the process: from before the import to after it. */
  importMs: Summary;
  /** Whole process: start Node, import the CLI, exit. */
  importProcessMs: Summary;
  nodeFloor: Summary;
}

const IMPORT_TIMER =
  'const t=process.hrtime.bigint();await import(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));';

export async function benchCliImport(options: {
  rounds: number;
  warmup: number;
  repoRoot: string;
}): Promise<CliImportResult> {
  await (buildCli as () => Promise<unknown>)();
  const cli = pathToFileURL(path.join(options.repoRoot, 'dist', 'cli', 'cli.js')).href;
  const importMs: number[] = [];
  const results = await alternate(
    [
      {
        name: 'cli',
        run: async () => {
          const run = await timeOk(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, cli], {
            cwd: options.repoRoot,
          });
          importMs.push(Number(run.stdout));
          return run.wallMs;
        },
      },
      { name: 'node', run: async () => (await timeOk(process.execPath, ['-e', ''])).wallMs },
    ],
    options,
  );
  return {
    rounds: options.rounds,
    importMs: summarize(importMs.slice(-options.rounds)),
    importProcessMs: summarize(results.get('cli')!),
    nodeFloor: summarize(results.get('node')!),
  };
}
