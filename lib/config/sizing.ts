/**
 * Memory and timeout of a region's probe Lambda, sized from how many targets it probes.
 *
 * Time: targets run in waves of `concurrency`; each probe has its own deadline (`timeoutMs`) plus a
 * grace for the handler's hard stop, and the invocation keeps a reserve for publishing the home
 * copy (with retries). Memory: TLS handshakes and JSON are the cost, per concurrent probe, plus a
 * little per result held until the end; Lambda also gives CPU in proportion to memory.
 */
import { PUBLISH_RESERVE_MS } from '../../functions/run/probe-config.ts';
import type { CanaryConfig } from './schema.ts';

/** Added to each probe's own deadline before the handler gives up on it. */
export const PROBE_DEADLINE_GRACE_MS = 2_000;

export interface ProbeSizing {
  targetCount: number;
  memoryMb: number;
  timeoutSeconds: number;
}

/** The parts of a config that decide the size of a probe Lambda. */
export type SizingConfig = Pick<CanaryConfig, 'targets' | 'concurrency' | 'defaults'>;

export function targetsForRegion(
  config: Pick<CanaryConfig, 'targets'>,
  region: string,
): CanaryConfig['targets'] {
  return config.targets.filter((t) => t.enabled && (t.regions === undefined || t.regions.includes(region)));
}

/** A target's own probe deadline: its `thresholds.timeoutMs`, else `defaults.timeoutMs`. */
export function targetTimeoutMs(
  config: Pick<CanaryConfig, 'defaults'>,
  target: CanaryConfig['targets'][number],
): number {
  return target.thresholds?.timeoutMs ?? config.defaults.timeoutMs;
}

/** Seconds an invocation needs for `waves` waves of probes whose slowest deadline is `deadlineMs`. */
export function runSeconds(waves: number, deadlineMs: number): number {
  return Math.max(
    30,
    Math.ceil((waves * (deadlineMs + PROBE_DEADLINE_GRACE_MS)) / 1000) + PUBLISH_RESERVE_MS / 1000,
  );
}

export function probeSizing(config: SizingConfig, region: string): ProbeSizing {
  const targets = targetsForRegion(config, region);
  const targetCount = targets.length;
  const slots = Math.max(1, Math.min(targetCount, config.concurrency));
  // The region's own targets decide: a default no target of this region uses does not size it.
  const slowestDeadlineMs =
    targets.length > 0
      ? Math.max(...targets.map((t) => targetTimeoutMs(config, t)))
      : config.defaults.timeoutMs;
  const waves = Math.max(1, Math.ceil(targetCount / slots));
  const timeoutSeconds = runSeconds(waves, slowestDeadlineMs);
  // A target's mirrors are probed beside it in its slot (functions/run/mirror-run.ts): a slot holds
  // up to 1 + the most mirrors any of the region's targets has.
  const probesPerSlot = 1 + Math.max(0, ...targets.map((t) => t.mirrors?.length ?? 0));
  const memoryMb = Math.min(10_240, roundUp(256 + 16 * slots * probesPerSlot + targetCount, 128));
  return { targetCount, memoryMb, timeoutSeconds };
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
