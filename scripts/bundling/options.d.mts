// Types of options.mjs for the TypeScript that imports it (lib/, tests, bench).
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

export const UNDICI_CORE: string;
export const undiciCore: Plugin;
export const ESM_REQUIRE_BANNER: string;
export function probeBundleOptions(options: {
  entryPoints: BuildOptions['entryPoints'];
  outdir: string;
  target: string;
  minify: boolean;
}): BuildOptions;
export function staticClosure(metafile: Metafile, entryOutput: string): string[];
export function staticallyLoaded(
  metafile: Metafile,
  entryOutput: string,
): { inputs: string[]; externals: string[] };
