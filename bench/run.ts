/**
 * `npm run bench`: every benchmark of bench/, in one run, against real registries on loopback,
 * then bench/RESULTS.md (the measured part, and the cost tables of bench/cost.ts) and
 * bench/results/latest.json. Not part of `npm test`.
 *
 * Bounded: fixed round counts, 30 s per process, 3 min per scale step; the whole run takes a few
 * minutes on 2 cores. Needs the Debian packages docker-registry, skopeo and
 * prometheus-blackbox-exporter (what .ci/run installs).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { probeSizing } from '../lib/config/sizing.ts';
import { validateConfig } from '../lib/config/validate.ts';
import { ESM_REQUIRE_BANNER, PROBE_HANDLER_ENTRY } from '../lib/constructs/scheduled-probe.ts';
import { renderCost, spliceCost } from './cost.ts';
import { probeInProcess } from './lib/probe-in-process.ts';
import { startBenchRegistries } from './lib/registries.ts';
import { type BenchResults, type MachineInfo, renderResults, spliceResults } from './report.ts';
import { startBlackbox } from './scenarios/blackbox.ts';
import { benchBundle } from './scenarios/bundle.ts';
import { benchCliImport } from './scenarios/cli-import.ts';
import { benchCliVsSkopeo } from './scenarios/cli-vs-skopeo.ts';
import { benchOverhead } from './scenarios/overhead.ts';
import { benchPingVsBlackbox } from './scenarios/ping-vs-blackbox.ts';
import { benchScalePoint, benchShardedFleet } from './scenarios/scale.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Round counts: enough for a stable median on 2 cores, small enough for a few minutes in all. */
const ROUNDS = {
  cli: { rounds: 10, warmup: 2 },
  blackbox: { rounds: 40, warmup: 5 },
  overhead: { rounds: 10, warmup: 2 },
  bundle: { rounds: 10, warmup: 2 },
  cliImport: { rounds: 10, warmup: 2 },
};
const DELAY_MS = 50;
const SCENARIOS = ['skopeo', 'blackbox', 'overhead', 'scale', 'bundle', 'cli-import'] as const;
type Scenario = (typeof SCENARIOS)[number];
const SCALE_SIZES = [1, 10, 100, 500];
/** The config's default concurrency: what a deployed Lambda uses unless told otherwise. */
const SCALE_CONCURRENCY = validateConfig({
  homeRegion: 'us-east-1',
  probeRegions: ['us-east-1'],
  targets: [{ name: 'x', image: 'alpine' }],
}).concurrency;

function requireTools(): void {
  const missing = ['docker-registry', 'skopeo', 'prometheus-blackbox-exporter'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new Error(
      `npm run bench needs ${missing.join(', ')} (apt-get install docker-registry skopeo prometheus-blackbox-exporter)`,
    );
  }
}

function machine(loadBefore: number[]): MachineInfo {
  let busiest: string[] = [];
  try {
    const ps = execFileSync('ps', ['-eo', 'pcpu,etime,args', '--sort=-pcpu', '--no-headers'], {
      encoding: 'utf8',
    });
    busiest = ps
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && Number.parseFloat(l) >= 1 && !l.includes('bench/run.ts') && !l.includes(' ps '))
      .slice(0, 6)
      .map((l) => l.replace(/\s+/g, ' ').slice(0, 140));
  } catch {
    busiest = ['(ps unavailable)'];
  }
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadBefore,
    loadAfter: [],
    busiestProcesses: busiest,
  };
}

function benchFleet(targets: number, everyMinutes: number) {
  return validateConfig({
    homeRegion: 'us-east-1',
    probeRegions: ['us-east-1'],
    schedule: { everyMinutes },
    targets: Array.from({ length: targets }, (_, i) => ({
      name: `t${i}`,
      image: `example.com/bench/t${i}:latest`,
    })),
  });
}

/** What the CDK app would size one unsharded invocation of N targets at (default concurrency). */
function sizingFor(targets: number) {
  const { memoryMb, timeoutSeconds } = probeSizing(benchFleet(targets, 60), 'us-east-1');
  return { targets, memoryMb, timeoutSeconds };
}

/** The largest fleet at the reference fleet's schedule (every minute), sharded as deployed. */
const SHARDED_FLEET = { targets: 500, everyMinutes: 1 };

async function step<T>(name: string, notDone: string[], fn: () => Promise<T>): Promise<T | undefined> {
  const started = Date.now();
  process.stderr.write(`bench: ${name} ...`);
  try {
    const value = await fn();
    process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return value;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(` FAILED: ${reason}\n`);
    notDone.push(`${name}: ${reason}`);
    return undefined;
  }
}

/**
 * `npm run bench` runs everything and rewrites bench/RESULTS.md. `npm run bench -- --only scale,bundle`
 * runs a subset (for development) and prints the tables instead of writing RESULTS.md.
 */
function selectedScenarios(): Set<Scenario> {
  const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: true });
  if (!values.only) return new Set(SCENARIOS);
  const chosen = values.only.split(',').map((s) => s.trim());
  const unknown = chosen.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length)
    throw new Error(`--only: unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  return new Set(chosen as Scenario[]);
}

async function main(): Promise<void> {
  const only = selectedScenarios();
  const complete = only.size === SCENARIOS.length;
  requireTools();
  const started = Date.now();
  const info = machine(os.loadavg());
  const notDone: string[] = [];
  const results: BenchResults = {
    date: new Date().toISOString(),
    command: complete ? 'npm run bench' : `npm run bench -- --only ${[...only].join(',')}`,
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
    durationSeconds: 0,
    machine: info,
    cliVsSkopeo: [],
    pingVsBlackbox: [],
    overhead: [],
    scale: [],
    sizing: SCALE_SIZES.map(sizingFor),
    sharded: null,
    bundle: null,
    cliImport: null,
    notDone,
  };
  // Read before this run overwrites it: the goals table reports the change since then.
  const previous = await readFile(path.join(repoRoot, 'bench', 'results', 'latest.json'), 'utf8')
    .then((text) => JSON.parse(text) as Partial<BenchResults>)
    .catch(() => null);

  const registries = await startBenchRegistries({ delayMs: DELAY_MS });
  try {
    for (const registry of only.has('skopeo') ? registries.all : []) {
      const r = await step(`probe vs skopeo (${registry.mode})`, notDone, () =>
        benchCliVsSkopeo(registry, { ...ROUNDS.cli, repoRoot }),
      );
      if (r) results.cliVsSkopeo.push(r);
    }

    const blackbox = only.has('blackbox')
      ? await step('start blackbox_exporter', notDone, () => startBlackbox(registries.all))
      : undefined;
    if (blackbox) {
      try {
        for (const registry of registries.all) {
          const r = await step(`ping vs blackbox_exporter (${registry.mode})`, notDone, () =>
            benchPingVsBlackbox(registry, blackbox, probeInProcess, ROUNDS.blackbox),
          );
          if (r) results.pingVsBlackbox.push(r);
        }
      } finally {
        await blackbox.stop();
      }
    }

    for (const pair of only.has('overhead') ? registries.proxied : []) {
      const r = await step(`overhead with ${DELAY_MS} ms per request (${pair.direct.mode})`, notDone, () =>
        benchOverhead(pair, DELAY_MS, probeInProcess, ROUNDS.overhead),
      );
      if (r) results.overhead.push(r);
    }

    for (const targets of only.has('scale') ? SCALE_SIZES : []) {
      const r = await step(`scale: ${targets} targets in one invocation`, notDone, () =>
        benchScalePoint(repoRoot, registries.forScale, targets, SCALE_CONCURRENCY),
      );
      if (r) results.scale.push(r);
    }
    if (only.has('scale')) {
      const { targets, everyMinutes } = SHARDED_FLEET;
      results.sharded =
        (await step(`scale: ${targets} targets every ${everyMinutes} min, sharded`, notDone, () =>
          benchShardedFleet(repoRoot, registries.forScale, benchFleet(targets, everyMinutes)),
        )) ?? null;
    }
  } finally {
    await registries.stop();
  }

  results.bundle = !only.has('bundle')
    ? null
    : ((await step('Lambda bundle size and import time', notDone, () =>
        benchBundle(PROBE_HANDLER_ENTRY, { ...ROUNDS.bundle, banner: ESM_REQUIRE_BANNER }),
      )) ?? null);

  results.cliImport = !only.has('cli-import')
    ? null
    : ((await step('CLI import time', notDone, () => benchCliImport({ ...ROUNDS.cliImport, repoRoot }))) ??
      null);

  info.loadAfter = os.loadavg();
  results.durationSeconds = (Date.now() - started) / 1000;

  if (!complete) {
    process.stdout.write(`${renderResults(results, previous)}\n`);
    process.stderr.write(
      `bench: partial run (--only) in ${results.durationSeconds.toFixed(0)} s; RESULTS.md left as it was\n`,
    );
    return;
  }
  await mkdir(path.join(repoRoot, 'bench', 'results'), { recursive: true });
  await writeFile(
    path.join(repoRoot, 'bench', 'results', 'latest.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  const resultsFile = path.join(repoRoot, 'bench', 'RESULTS.md');
  const existing = await readFile(resultsFile, 'utf8').catch(() => '# Benchmark results\n');
  // The cost tables are arithmetic over the cost model, written in the same run so that RESULTS.md
  // never pairs today's timings with an older cost model.
  await writeFile(
    resultsFile,
    spliceCost(spliceResults(existing, renderResults(results, previous)), renderCost()),
  );
  process.stderr.write(
    `bench: done in ${results.durationSeconds.toFixed(0)} s; wrote bench/RESULTS.md and bench/results/latest.json\n`,
  );
  if (notDone.length) process.exitCode = 1;
}

await main();
