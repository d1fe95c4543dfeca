/**
 * How many shards a region's targets are split into (see functions/handlers/shard.ts), and the
 * size of the Lambda that runs one shard.
 *
 * bench/RESULTS.md measured one invocation probing 1, 10, 100 and 500 targets: up to 100 the peak
 * RSS stayed well inside the memory `probeSizing` gives, at 500 it went past it, and the run took
 * ten times the slowest target. So a shard carries at most MAX_TARGETS_PER_SHARD targets, and
 * more shards are added while a shard's sized timeout would not fit between two runs.
 */

import { targetsOfShard } from '../../functions/handlers/shard.ts';
import { PUBLISH_RESERVE_MS } from '../../functions/run/probe-config.ts';
import { type CanaryConfig, MAX_CONCURRENCY } from './schema.ts';
import {
  PROBE_DEADLINE_GRACE_MS,
  type ProbeSizing,
  probeSizing,
  runSeconds,
  type SizingConfig,
  targetsForRegion,
  targetTimeoutMs,
} from './sizing.ts';

export const MAX_TARGETS_PER_SHARD = 100;
/** EventBridge Scheduler allows many schedules; past this, a fleet wants another region stack or a longer interval. */
export const MAX_SHARDS = 50;

export interface ShardPlan {
  shards: number;
  /**
   * What the neediest shard needs: the most targets, memory and time of any shard. Every shard's
   * schedule invokes the one function, so it must fit them all.
   */
  sizing: ProbeSizing;
}

/** The parts of a config that decide a region's shards. */
export type ShardConfig = SizingConfig & Pick<CanaryConfig, 'schedule'>;

function largestShardSizing(config: ShardConfig, region: string, shards: number): ProbeSizing {
  const regionTargets = targetsForRegion(config, region);
  // Every shard, not only shard 0 (never smaller under round-robin): a shard of as many targets can
  // still hold a slower one, and its deadline decides the time.
  const sizings = Array.from({ length: shards }, (_, shard) =>
    probeSizing({ ...config, targets: targetsOfShard(regionTargets, { shard, shards }) }, region),
  );
  return {
    targetCount: Math.max(...sizings.map((s) => s.targetCount)),
    memoryMb: Math.max(...sizings.map((s) => s.memoryMb)),
    timeoutSeconds: Math.max(...sizings.map((s) => s.timeoutSeconds)),
  };
}

export function planShards(config: ShardConfig, region: string): ShardPlan {
  const count = targetsForRegion(config, region).length;
  const periodSeconds = config.schedule.everyMinutes * 60;
  let shards = Math.max(1, Math.ceil(count / MAX_TARGETS_PER_SHARD));
  let sizing = largestShardSizing(config, region, shards);
  while (sizing.timeoutSeconds > periodSeconds && shards < Math.min(count, MAX_SHARDS)) {
    shards += 1;
    sizing = largestShardSizing(config, region, shards);
  }
  return { shards, sizing };
}

/**
 * Why a region's runs cannot keep to the schedule, each naming the field to change. Sharding
 * already did what it can, so the fix is never "more shards":
 * - a target whose own deadline alone outlasts the interval (its `timeoutMs`): no shard or
 *   concurrency makes one probe shorter, so lower that deadline or run less often;
 * - a region that more shards cannot help (MAX_SHARDS reached): each shard runs in waves of
 *   `concurrency`, so raise concurrency, lower the slowest deadline, or run less often.
 */
export function scheduleProblems(config: ShardConfig & Pick<CanaryConfig, 'probeRegions'>): string[] {
  const periodSeconds = config.schedule.everyMinutes * 60;
  const interval = `the ${periodSeconds} s between runs (schedule.everyMinutes ${config.schedule.everyMinutes})`;
  // The longest deadline that still fits one probe alone between two runs.
  const maxTimeoutMs = (periodSeconds - PUBLISH_RESERVE_MS / 1000) * 1000 - PROBE_DEADLINE_GRACE_MS;
  const problems = new Set<string>();
  for (const region of config.probeRegions) {
    const { sizing, shards } = planShards(config, region);
    if (sizing.timeoutSeconds <= periodSeconds) continue;
    const regionTargets = targetsForRegion(config, region);
    const tooSlowAlone = regionTargets.filter(
      (t) => runSeconds(1, targetTimeoutMs(config, t)) > periodSeconds,
    );
    const tooLong = (field: string, what: string, ms: number) =>
      `${field}: ${what} may take ${ms} ms plus ${PROBE_DEADLINE_GRACE_MS / 1000} s to stop and ${PUBLISH_RESERVE_MS / 1000} s to publish, ${runSeconds(1, ms)} s in all, longer than ${interval}; lower it to at most ${maxTimeoutMs} or raise schedule.everyMinutes`;
    const inheriting: string[] = [];
    for (const target of tooSlowAlone) {
      const i = config.targets.indexOf(target);
      if (target.thresholds?.timeoutMs !== undefined) {
        problems.add(
          tooLong(
            `targets[${i}].thresholds.timeoutMs`,
            `a probe of "${target.name}"`,
            target.thresholds.timeoutMs,
          ),
        );
      } else {
        inheriting.push(`targets[${i}] "${target.name}"`);
      }
    }
    if (inheriting.length > 0) {
      // One problem for the default, however many targets inherit it.
      const named =
        inheriting.length > 3
          ? `${inheriting.slice(0, 3).join(', ')} and ${inheriting.length - 3} more`
          : inheriting.join(', ');
      problems.add(
        tooLong(
          'defaults.timeoutMs',
          `a probe of a target that inherits it (${named})`,
          config.defaults.timeoutMs,
        ),
      );
    }
    if (tooSlowAlone.length > 0) continue;
    // Only below 100 concurrency: a shard holds at most MAX_TARGETS_PER_SHARD targets, so from 100
    // on every shard is one wave and only a target's own deadline (above) can be too long.
    const slowest = Math.max(...regionTargets.map((t) => targetTimeoutMs(config, t)));
    problems.add(
      `concurrency: a run in ${region} may take ${sizing.timeoutSeconds} s even split into ${shards} shards of up to ${sizing.targetCount} targets probed ${config.concurrency} at a time, longer than ${interval}; raise concurrency (at most ${MAX_CONCURRENCY}), lower the slowest timeoutMs (${slowest} ms), probe fewer targets in ${region} or raise schedule.everyMinutes`,
    );
  }
  return [...problems];
}
