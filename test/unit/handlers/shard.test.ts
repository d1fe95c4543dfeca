import { describe, expect, it } from 'vitest';
import { shardFromEvent, targetsOfShard, UNSHARDED } from '../../../functions/handlers/shard.ts';

describe('shardFromEvent', () => {
  it('probes everything when the event names no shard (an unsharded schedule, a console test)', () => {
    expect(shardFromEvent({})).toEqual(UNSHARDED);
    expect(shardFromEvent(undefined)).toEqual(UNSHARDED);
  });

  it('reads the shard the schedule passed', () => {
    expect(shardFromEvent({ shard: 2, shards: 3 })).toEqual({ shard: 2, shards: 3 });
  });

  it('fails loudly on a malformed shard instead of probing the wrong targets', () => {
    expect(() => shardFromEvent({ shard: 3, shards: 3 })).toThrow(/shard must be less than shards/);
    expect(() => shardFromEvent({ shard: 0 })).toThrow(/shards/);
  });
});

describe('targetsOfShard', () => {
  it('deals targets round-robin so every target is in exactly one shard and shards differ by at most one', () => {
    const targets = Array.from({ length: 10 }, (_, i) => i);
    const shards = [0, 1, 2].map((shard) => targetsOfShard(targets, { shard, shards: 3 }));
    expect(shards).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(targets);
  });
});
