/**
 * The probe Lambda's bundle: its size, and how long a fresh Node process takes to load it (the
 * part of a cold start that is ours), against a minimal handler bundled the same way. The probe is
 * built by the construct's own step (scripts/build-probe-lambda.mjs: code splitting, so the size
 * that counts is what the entry loads statically, not the lazy chunks).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { buildProbeLambda } from '../../scripts/build-probe-lambda.mjs';
import { staticClosure } from '../../scripts/bundling/options.mjs';
import { alternate } from '../lib/alternate.ts';
import { timeOk } from '../lib/process.ts';
import { type Summary, summarize } from '../lib/stats.ts';

export interface BundleFigures {
  /** The entry file. */
  bytes: number;
  /** The entry and every chunk it imports statically: what a cold start reads and parses. */
  startupBytes?: number;
  /** Every output, lazy chunks included: the upload. */
  totalBytes?: number;
  /** Time inside the fresh process from before `require` to after it. */
  importMs: Summary;
  /** Whole process: start Node, load, exit. */
  processMs: Summary;
}

export interface BundleResult {
  entry: string;
  esbuild: string;
  probe: BundleFigures;
  minimal: BundleFigures;
}

/**
 * The settings lib/constructs/scheduled-probe.ts gives NodejsFunction: ESM, minified, everything
 * bundled (the AWS SDK included), with the construct's createRequire banner.
 */
export function bundleOptions(banner: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    banner: { js: banner },
    logLevel: 'silent',
  };
}

const ONE_TARGET_CONFIG = {
  region: 'us-east-1',
  homeRegion: 'us-east-1',
  concurrency: 16,
  deadlineGraceMs: 2_000,
  // The state writer's settings at the config's defaults (lib/config/schema.ts `state`).
  state: { heartbeatMinutes: 15, ttlDays: 14 },
  caCertificates: [],
  targets: [
    {
      name: 'alpine',
      image: 'docker.io/library/alpine:latest',
      registry: 'registry-1.docker.io',
      repository: 'library/alpine',
      reference: 'latest',
      credentials: { type: 'anonymous' },
      platforms: ['linux/amd64'],
      timeoutMs: 10_000,
      slowMs: 5_000,
      certExpiryDays: 14,
      rateLimitRatio: 0.2,
      verifyBlob: false,
      plainHttp: false,
    },
  ],
};

const MINIMAL_HANDLER = 'export const handler = async () => ({ statusCode: 200 });\n';

/** Prints the milliseconds the import took, as a fresh Lambda init would pay them. */
const IMPORT_TIMER =
  'const t=process.hrtime.bigint();await import(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));';

export async function benchBundle(
  entry: string,
  options: { rounds: number; warmup: number; banner: string },
): Promise<BundleResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-bundle-'));
  try {
    // The handler reads its config file at cold start, as in Lambda (/var/task/probe-config.json).
    await writeFile(path.join(dir, 'probe-config.json'), JSON.stringify(ONE_TARGET_CONFIG));
    const minimalEntry = path.join(dir, 'minimal.ts');
    await writeFile(minimalEntry, MINIMAL_HANDLER);
    const settings = bundleOptions(options.banner);
    const probeDir = path.join(dir, 'probe');
    const probeOut = path.join(probeDir, 'index.mjs');
    const minimalOut = path.join(dir, 'minimal', 'index.mjs');
    const metafile = await buildProbeLambda({ outdir: probeDir, target: 'node24' });
    await build({ ...settings, entryPoints: [minimalEntry], outfile: minimalOut });
    const entryOutput = Object.keys(metafile.outputs).find((o) => o.endsWith('index.mjs'))!;
    const sum = (outputs: string[]) => outputs.reduce((n, o) => n + metafile.outputs[o]!.bytes, 0);
    const probeSizes = {
      startupBytes: sum(staticClosure(metafile, entryOutput)),
      totalBytes: sum(Object.keys(metafile.outputs)),
    };

    const importMs = { probe: [] as number[], minimal: [] as number[] };
    const load = (name: 'probe' | 'minimal', file: string) => async () => {
      // Lambda sets AWS_REGION; SDK clients created at module scope need it. Run from the temp dir so
      // nothing can be resolved from the repository's node_modules: the bundle must stand alone.
      const env = {
        ...process.env,
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: 'bench',
        PROBE_CONFIG_FILE: 'probe-config.json',
      };
      const run = await timeOk(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, file], {
        env,
        cwd: dir,
      });
      importMs[name].push(Number(run.stdout));
      return run.wallMs;
    };
    const results = await alternate(
      [
        { name: 'probe', run: load('probe', probeOut) },
        { name: 'minimal', run: load('minimal', minimalOut) },
      ],
      options,
    );
    const figures = async (name: 'probe' | 'minimal', file: string): Promise<BundleFigures> => ({
      bytes: (await stat(file)).size,
      importMs: summarize(importMs[name].slice(-options.rounds)),
      processMs: summarize(results.get(name)!),
    });
    const { version } = await import('esbuild');
    return {
      entry: path.relative(process.cwd(), entry),
      esbuild: version,
      probe: { ...(await figures('probe', probeOut)), ...probeSizes },
      minimal: await figures('minimal', minimalOut),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
