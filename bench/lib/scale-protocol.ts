/** What bench/scenarios/scale.ts tells bench/scale-child.ts (env BENCH_SCALE), and how the child answers. */

export interface ScaleRegistry {
  ref: string;
  registry: string;
  repository: string;
  reference: string;
  caPem?: string;
  username?: string;
  password?: string;
}

export interface ScaleInput {
  targets: number;
  concurrency: number;
  timeoutSeconds: number;
  registries: ScaleRegistry[];
  /** Invoke the handler as one shard of a sharded region: its event is { shard, shards }. */
  shard?: { shard: number; shards: number };
}

/** The child's one result line on stderr starts with this. */
export const RESULT_MARKER = 'SCALE_RESULT ';
