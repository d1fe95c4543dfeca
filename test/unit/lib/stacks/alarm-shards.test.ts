import { describe, expect, it } from 'vitest';
import { ALARM_SHARDS, alarmShardOf, alarmShards } from '../../../../lib/stacks/alarm-shards.ts';

const names = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}` }));

describe('alarm shards', () => {
  it('puts a target in the same shard whatever else is in the fleet', () => {
    const before = alarmShards(names(50));
    const after = alarmShards([...names(50), ...names(30, 'new')]);
    for (const [shard, targets] of before) {
      for (const target of targets) expect(after.get(shard)).toContainEqual(target);
    }
  });

  it('pins the hash: changing it would move every deployed target and recreate its alarms', () => {
    // The first four bytes of sha256("a") are ca978112: 0xca978112 % 16 = 2. A change of hash, byte
    // order or shard count breaks these.
    expect(ALARM_SHARDS).toBe(16);
    expect([alarmShardOf('a'), alarmShardOf('b'), alarmShardOf('dockerhub-alpine')]).toEqual([2, 6, 8]);
  });

  it('spreads 1,000 targets so that no shard holds more than 90 (450 alarms, under 500 resources)', () => {
    const shards = alarmShards(names(1000, 'fleet-target'));
    expect(shards.size).toBe(ALARM_SHARDS);
    const sizes = [...shards.values()].map((t) => t.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(90);
  });

  it('creates only the shards that hold a target', () => {
    expect(alarmShards(names(1)).size).toBe(1);
    expect(alarmShards([]).size).toBe(0);
  });
});
