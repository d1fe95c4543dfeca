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
import type { CanaryConfig } from './schema.ts';
import { type ProbeSizing, probeSizing, targetsForRegion } from './sizing.ts';

export const MAX_TARGETS_PER_SHARD = 100;
/** EventBridge Scheduler allows many schedules; past this, a fleet wants another region stack or a longer interval. */
export const MAX_SHARDS = 50;

export interface ShardPlan {
  shards: number;
  /** The sizing of the largest shard: every shard's function gets it (one function serves them all). */
  sizing: ProbeSizing;
}

function largestShardSizing(config: CanaryConfig, region: string, shards: number): ProbeSizing {
  const regionTargets = targetsForRegion(config, region);
  // Shard 0 is never smaller than the others under round-robin.
  const largest = targetsOfShard(regionTargets, { shard: 0, shards });
  return probeSizing({ ...config, targets: largest }, region);
}

export function planShards(config: CanaryConfig, region: string): ShardPlan {
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
