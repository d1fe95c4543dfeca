/**
 * How many targets a run probes at once: at least the config's `concurrency`, more while the
 * process is mostly waiting on the network and memory allows, never more than PER_REGISTRY_LIMIT on
 * one registry.
 *
 * Why adapt: a probe spends nearly all its time waiting for answers, so a fixed cap of 16 leaves a
 * Lambda idle while hundreds of targets queue. But where the work is CPU-bound (the TLS handshakes
 * and JSON of many probes on a small Lambda, or a loopback bench sharing two cores with its
 * registries) more at once only makes every probe slower. So the limit is steered by the event
 * loop's utilisation (Node's performance.eventLoopUtilization(): the share of time the loop was
 * busy, https://nodejs.org/api/perf_hooks.html#performanceeventlooputilizationutilization1-utilization2):
 * one more slot when it was mostly idle since the last change, back down when it was busy, never
 * below the configured floor.
 *
 * Memory: each probe in flight may hold a manifest of up to 4 MiB (manifest.ts MAX_MANIFEST_BYTES)
 * besides its sockets, so the ceiling is the memory left at start divided by PER_PROBE_BYTES, with
 * the memory being the Lambda's (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, set by the runtime:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
 * or V8's heap limit elsewhere; and the limit stops growing, and shrinks, when the resident set
 * passes MEMORY_HIGH of it.
 *
 * Per registry: the targets on one registry are like that many pulls from one address. Docker Hub's
 * abuse rate limit is per IPv4 address (or IPv6 /64), "in the order of thousands of requests per
 * minute" (https://docs.docker.com/docker-hub/usage/); docker itself pulls 3 layers at once by
 * default (dockerd --max-concurrent-downloads, https://docs.docker.com/reference/cli/dockerd/). A
 * probe makes 3 to 6 requests; PER_REGISTRY_LIMIT keeps one registry at the 16 probes at once
 * every run made before this limit adapted, so a fleet on one registry asks no more of it than it
 * did, and only a fleet spread over several registries runs more at once.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** Probes at once on one registry host. */
export const PER_REGISTRY_LIMIT = 16;
/** Probes at once in all, whatever the memory. */
export const MAX_LIMIT = 256;
/** What one probe in flight may hold: a 4 MiB manifest, its sockets and buffers. */
export const PER_PROBE_BYTES = 6 * 1024 * 1024;
/** The event loop busy less than this share of the time: room for one more probe. */
export const IDLE_BELOW = 0.5;
/** Busy more than this: one probe fewer. */
export const BUSY_ABOVE = 0.85;
/** Resident memory above this share of the limit: no more growth, one probe fewer. */
export const MEMORY_HIGH = 0.75;

/** What the limiter reads to steer; injectable so tests can say "idle" or "busy" without timing. */
export interface LoadSampler {
  /** Share of time the event loop was busy since the previous call (0..1). */
  busy(): number;
  /** Resident memory now, in bytes. */
  rssBytes(): number;
}

export interface LimiterOptions {
  /** The config's `concurrency`: the floor, and the limit at start. */
  floor: number;
  /** The memory the process may use, in bytes. @default processMemoryLimit() */
  memoryBytes?: number;
  /** Probes at once per key (registry host). @default the larger of PER_REGISTRY_LIMIT and `floor` */
  perKey?: number;
  /**
   * Probes one slot holds: a target and its mirrors run side by side in their target's slot
   * (mirror-run.ts), so the memory ceiling divides by this many probes. @default 1
   */
  probesPerSlot?: number;
  /** @default eventLoopSampler() */
  sampler?: LoadSampler;
}

/** The memory this process may use: the Lambda's configured size, else V8's heap limit. */
export function processMemoryLimit(env: NodeJS.ProcessEnv = process.env): number {
  const lambdaMb = Number(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']);
  if (Number.isFinite(lambdaMb) && lambdaMb > 0) return lambdaMb * 1024 * 1024;
  return getHeapStatistics().heap_size_limit;
}

export function eventLoopSampler(): LoadSampler {
  let last = performance.eventLoopUtilization();
  return {
    busy() {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    rssBytes: () => process.memoryUsage.rss(),
  };
}

interface Waiting {
  key: string;
  start: () => void;
}

export class AdaptiveLimiter {
  /** The current limit on probes at once, between the floor and the ceiling. */
  limit: number;
  /** The most probes that ran at once (for the run's log and the tests). */
  peak = 0;
  readonly ceiling: number;
  private readonly floor: number;
  private readonly perKey: number;
  private readonly memoryBytes: number;
  private readonly sampler: LoadSampler;
  private running = 0;
  private readonly perKeyRunning = new Map<string, number>();
  private readonly queue: Waiting[] = [];

  constructor(options: LimiterOptions) {
    this.floor = Math.max(1, options.floor);
    this.memoryBytes = options.memoryBytes ?? processMemoryLimit();
    this.sampler = options.sampler ?? eventLoopSampler();
    // A configured concurrency above the per-registry limit is the user's explicit choice: kept.
    this.perKey = options.perKey ?? Math.max(PER_REGISTRY_LIMIT, this.floor);
    const headroom = this.memoryBytes * MEMORY_HIGH - this.sampler.rssBytes();
    const probesPerSlot = Math.max(1, options.probesPerSlot ?? 1);
    const byMemory = Math.floor(headroom / (PER_PROBE_BYTES * probesPerSlot));
    // Never below the configured floor: that is the user's explicit choice (and the old behaviour).
    this.ceiling = Math.max(this.floor, Math.min(MAX_LIMIT, byMemory));
    this.limit = this.floor;
  }

  /** Runs `work` when a slot is free in all and for `key` (the target's registry). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running += 1;
        this.perKeyRunning.set(key, (this.perKeyRunning.get(key) ?? 0) + 1);
        this.peak = Math.max(this.peak, this.running);
        let result: Promise<T>;
        try {
          result = work();
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(resolve, reject).finally(() => this.finished(key));
      };
      this.queue.push({ key, start });
      this.drain();
    });
  }

  private finished(key: string): void {
    this.running -= 1;
    const n = (this.perKeyRunning.get(key) ?? 1) - 1;
    if (n > 0) this.perKeyRunning.set(key, n);
    else this.perKeyRunning.delete(key);
    this.steer();
    this.drain();
  }

  /** One step up when the loop was mostly idle and memory allows, one down when either is short. */
  private steer(): void {
    const busy = this.sampler.busy();
    const memoryHigh = this.sampler.rssBytes() > this.memoryBytes * MEMORY_HIGH;
    if (memoryHigh || busy > BUSY_ABOVE) this.limit = Math.max(this.floor, this.limit - 1);
    else if (busy < IDLE_BELOW && this.queue.length > 0) this.limit = Math.min(this.ceiling, this.limit + 1);
  }

  /** Starts waiting work in order, skipping work whose registry is at its own limit. */
  private drain(): void {
    for (let i = 0; i < this.queue.length && this.running < this.limit; ) {
      const next = this.queue[i]!;
      if ((this.perKeyRunning.get(next.key) ?? 0) >= this.perKey) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      next.start();
    }
  }
}
