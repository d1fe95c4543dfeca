/**
 * Which nested stack holds a target's alarms. CloudFormation allows 500 resources per template
 * (AWS CloudFormation User Guide, "CloudFormation quotas"), and a target has up to five alarms, so a
 * large fleet's alarms cannot all live in the home stack. They are spread over a fixed number of
 * nested stacks by a hash of the target's name: adding or removing a target never moves another
 * target's alarms to another stack, which would delete and recreate them (and reset their state).
 * A bucket with no targets has no nested stack. The deploy guard (lib/guard) still fails synth if
 * a bucket ever exceeds a template limit.
 */
import { createHash } from 'node:crypto';

/**
 * Fixed for good: changing it moves almost every target. With five alarms a target, 16 buckets hold
 * about 1,400 targets before the fullest bucket nears 500 resources.
 */
export const ALARM_SHARDS = 16;

export function alarmShardOf(target: string): number {
  return createHash('sha256').update(target).digest().readUInt32BE(0) % ALARM_SHARDS;
}

/** Targets by shard, in the given order within each; only shards that hold a target. */
export function alarmShards<T extends { name: string }>(targets: readonly T[]): Map<number, T[]> {
  const shards = new Map<number, T[]>();
  for (const target of targets) {
    const shard = alarmShardOf(target.name);
    shards.set(shard, [...(shards.get(shard) ?? []), target]);
  }
  return new Map([...shards].sort(([a], [b]) => a - b));
}
