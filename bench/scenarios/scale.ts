/**
 * 1, 10, 100, 500 targets in one handler invocation, each size in its own fresh process (one cold
 * container): wall time against the slowest single target, and peak RSS against the memory the CDK
 * app would give a Lambda probing that many targets.
 */
import path from 'node:path';
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
): Promise<ScalePoint> {
  const input: ScaleInput = { targets, concurrency, timeoutSeconds: 900, registries };
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
  if (durations.length !== targets) {
    throw new Error(`scale child logged ${durations.length} results for ${targets} targets`);
  }
  const slowest = Math.max(...durations);
  return {
    targets,
    concurrency,
    wallMs: child.wallMs,
    slowestTargetMs: slowest,
    medianTargetMs: median(durations),
    wallOverSlowest: child.wallMs / slowest,
    maxRssMb: child.maxRssKb / 1024,
    baselineRssMb: child.baselineRssKb / 1024,
    importMs: child.importMs,
    healthy: child.summary.healthy,
    failing: child.summary.failing,
    putMetricDataCalls: child.putMetricDataCalls,
    logBytesPerTarget: (resultBytes + emfBytes) / targets,
    failures,
    firstFailure,
  };
}
