/**
 * 1, 10, 100, 500 targets in one handler invocation, each size in its own fresh process (one cold
 * container): wall time against the slowest single target, and peak RSS against the memory the CDK
 * app would give a Lambda probing that many targets.
 */
import path from 'node:path';
import { targetsOfShard } from '../../functions/handlers/shard.ts';
import type { CanaryConfig } from '../../lib/config/schema.ts';
import { planShards } from '../../lib/config/shards.ts';
import { timeProcess } from '../lib/process.ts';
import { RESULT_MARKER, type ScaleInput, type ScaleRegistry } from '../lib/scale-protocol.ts';

export interface ScalePoint {
  targets: number;
  concurrency: number;
  wallMs: number;
  /** The slowest single result's own durationMs. */
  slowestTargetMs: number;
  medianTargetMs: number;
  /** wall / slowest target: 1 would be perfect overlap. */
  wallOverSlowest: number;
  /** The invocation's CPU time (user + system) in the child process. */
  cpuMs?: number;
  maxRssMb: number;
  baselineRssMb: number;
  importMs: number;
  healthy: number;
  failing: number;
  putMetricDataCalls: number;
  /** Bytes the handler logged per target result (result line + EMF line), as the cost model assumes. */
  logBytesPerTarget: number;
  /** Diagnosis code -> count, for the failing results (a scale run should have none). */
  failures: Record<string, number>;
  /** One failing result's summary and evidence, to say why. */
  firstFailure: string | null;
}

interface ChildResult {
  wallMs: number;
  cpuMs: number;
  importMs: number;
  baselineRssKb: number;
  maxRssKb: number;
  summary: { probed: number; healthy: number; failing: number };
  putMetricDataCalls: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchScalePoint(
  repoRoot: string,
  registries: ScaleRegistry[],
  targets: number,
  concurrency: number,
  shard?: { shard: number; shards: number },
): Promise<ScalePoint> {
  const input: ScaleInput = {
    targets,
    concurrency,
    timeoutSeconds: 900,
    registries,
    ...(shard ? { shard } : {}),
  };
  const expected = shard ? targetsOfShard(Array.from({ length: targets }), shard).length : targets;
  const run = await timeProcess(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'bench', 'scale-child.ts')],
    {
      cwd: repoRoot,
      env: { ...process.env, BENCH_SCALE: JSON.stringify(input), POWERTOOLS_LOG_LEVEL: 'INFO' },
      timeoutMs: 180_000,
    },
  );
  const marker = run.stderr.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (run.exitCode !== 0 || !marker) {
    throw new Error(`scale child (${targets} targets) exited ${run.exitCode}: ${run.stderr.slice(-3000)}`);
  }
  const child = JSON.parse(marker.slice(RESULT_MARKER.length)) as ChildResult;
  const durations: number[] = [];
  const failures: Record<string, number> = {};
  const firstFailure: string | null = null;
  let resultBytes = 0;
  let emfBytes = 0;
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const bytes = Buffer.byteLength(line) + 1;
    const entry = JSON.parse(line) as {
      message?: string;
      durationMs?: number;
      _aws?: unknown;
      Target?: string;
    };
    if (entry.message === 'probe result' && typeof entry.durationMs === 'number') {
      durations.push(entry.durationMs);
      resultBytes += bytes;
    } else if (entry._aws && entry.Target) {
      emfBytes += bytes;
    }
  }
  if (durations.length !== expected) {
    throw new Error(`scale child logged ${durations.length} results for ${expected} targets`);
  }
  const slowest = Math.max(...durations);
  return {
    targets: expected,
    concurrency,
    wallMs: child.wallMs,
    slowestTargetMs: slowest,
    medianTargetMs: median(durations),
    wallOverSlowest: child.wallMs / slowest,
    cpuMs: child.cpuMs,
    maxRssMb: child.maxRssKb / 1024,
    baselineRssMb: child.baselineRssKb / 1024,
    importMs: child.importMs,
    healthy: child.summary.healthy,
    failing: child.summary.failing,
    putMetricDataCalls: child.putMetricDataCalls,
    logBytesPerTarget: (resultBytes + emfBytes) / expected,
    failures,
    firstFailure,
  };
}

export interface ShardedFleet {
  targets: number;
  everyMinutes: number;
  shards: number;
  /** Memory and timeout the CDK app gives the function (sized for one shard). */
  memoryMb: number;
  timeoutSeconds: number;
  perShard: ScalePoint[];
  /** Shards run side by side in separate containers: the fleet takes as long as its slowest shard. */
  fleetWallMs: number;
  maxShardRssMb: number;
}

/**
 * A fleet too large for one invocation, run the way the CDK app deploys it: as planShards' shards,
 * each a fresh process given its `{ shard, shards }` event, one after another (on Lambda they run
 * at once, each in its own container, so the fleet's time is the slowest shard's).
 */
export async function benchShardedFleet(
  repoRoot: string,
  registries: ScaleRegistry[],
  config: CanaryConfig,
): Promise<ShardedFleet> {
  const region = config.probeRegions[0]!;
  const plan = planShards(config, region);
  const targets = config.targets.length;
  const perShard: ScalePoint[] = [];
  for (let shard = 0; shard < plan.shards; shard++) {
    perShard.push(
      await benchScalePoint(repoRoot, registries, targets, config.concurrency, {
        shard,
        shards: plan.shards,
      }),
    );
  }
  return {
    targets,
    everyMinutes: config.schedule.everyMinutes,
    shards: plan.shards,
    memoryMb: plan.sizing.memoryMb,
    timeoutSeconds: plan.sizing.timeoutSeconds,
    perShard,
    fleetWallMs: Math.max(...perShard.map((p) => p.wallMs)),
    maxShardRssMb: Math.max(...perShard.map((p) => p.maxRssMb)),
  };
}
