/**
 * Shards on the schedule: a region with more targets than one invocation should carry is split
 * into S shards of the same function, each invoked by its own schedule with `{ shard, shards }` as
 * its event. Each invocation probes only its shard's targets, so memory and run time stay those of
 * one shard, and the shards run side by side in separate containers. lib/config/shards.ts picks S.
 */
import * as z from 'zod/mini';

export interface ShardSelector {
  /** 0-based index of this invocation's shard. */
  shard: number;
  /** How many shards the region's targets are split into. */
  shards: number;
}

export const UNSHARDED: ShardSelector = Object.freeze({ shard: 0, shards: 1 });

const shardEventSchema = z
  .object({ shard: z.int().check(z.minimum(0)), shards: z.int().check(z.minimum(1)) })
  .check(z.refine((e) => e.shard < e.shards, { message: 'shard must be less than shards' }));

/**
 * The shard an invocation was asked to probe. An event without shard fields (an unsharded
 * schedule, a test invoke from the console) probes everything; a malformed one fails loudly
 * rather than silently probing the wrong targets.
 */
export function shardFromEvent(event: unknown): ShardSelector {
  if (typeof event !== 'object' || event === null || !('shard' in event || 'shards' in event))
    return UNSHARDED;
  const parsed = shardEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new Error(`Invalid shard in the invocation event: ${problems}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** Round-robin, so shards differ by at most one target and a slow registry's targets spread out. */
export function targetsOfShard<T>(targets: readonly T[], selector: ShardSelector): T[] {
  return targets.filter((_, i) => i % selector.shards === selector.shard);
}
