// Types of build-probe-lambda.mjs for the TypeScript that imports it (tests, bench).
import type { Metafile } from 'esbuild';

export const PROBE_HANDLER_SOURCE: string;
export const PROBE_ENTRY_FILE: string;
export function buildProbeLambda(options: {
  outdir: string;
  configFile?: string;
  target?: string;
}): Promise<Metafile>;
