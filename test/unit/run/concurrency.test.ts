/**
 * The run's adaptive limit (functions/run/concurrency.ts), driven by a sampler the test sets, so
 * that what is pinned is the rule (grow when idle, shrink when busy or short of memory, never past
 * the per-registry limit), not a timing.
 */
import { describe, expect, it } from 'vitest';
import {
  AdaptiveLimiter,
  type LoadSampler,
  MAX_LIMIT,
  PER_PROBE_BYTES,
  PER_REGISTRY_LIMIT,
  processMemoryLimit,
} from '../../../functions/run/concurrency.ts';

const GiB = 1024 ** 3;

function sampler(state: { busy: number; rss: number }): LoadSampler {
  return { busy: () => state.busy, rssBytes: () => state.rss };
}

/** `n` tasks that finish when the test says so, and how many ran at once at most. */
function tasks(limiter: AdaptiveLimiter, keys: string[]) {
  const gates: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const perKey = new Map<string, number>();
  let peakPerKey = 0;
  const done = keys.map((key) =>
    limiter.run(key, async () => {
      running += 1;
      peak = Math.max(peak, running);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      peakPerKey = Math.max(peakPerKey, perKey.get(key)!);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
      perKey.set(key, perKey.get(key)! - 1);
      return key;
    }),
  );
  const finishOne = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { done, finishOne, stats: () => ({ running, peak, peakPerKey }), gates };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveLimiter', () => {
  it('starts at the floor', async () => {
    const limiter = new AdaptiveLimiter({
      floor: 4,
      memoryBytes: 4 * GiB,
      sampler: sampler({ busy: 0, rss: 0 }),
    });
    const run = tasks(
      limiter,
      Array.from({ length: 20 }, (_, i) => `r${i}`),
    );
    await flush();
    expect(run.stats().running).toBe(4);
  });

  it('runs more at once while the event loop is mostly idle, up to the ceiling', async () => {
    const load = { busy: 0.1, rss: 0 };
    const limiter = new AdaptiveLimiter({ floor: 2, memoryBytes: 4 * GiB, sampler: sampler(load) });
    const run = tasks(
      limiter,
      Array.from({ length: 40 }, (_, i) => `r${i}`),
    );
    await flush();
    for (let i = 0; i < 10; i++) await run.finishOne();
    expect(limiter.limit).toBe(12);
    expect(run.stats().running).toBe(12);
    while (run.gates.length) await run.finishOne();
    expect(await Promise.all(run.done)).toHaveLength(40);
  });

  it('goes back towards the floor, never below it, while the event loop is busy', async () => {
    const load = { busy: 0.1, rss: 0 };
    const limiter = new AdaptiveLimiter({ floor: 2, memoryBytes: 4 * GiB, sampler: sampler(load) });
    const run = tasks(
      limiter,
      Array.from({ length: 40 }, (_, i) => `r${i}`),
    );
    await flush();
    for (let i = 0; i < 6; i++) await run.finishOne();
    expect(limiter.limit).toBe(8);
    load.busy = 0.95;
    for (let i = 0; i < 10; i++) await run.finishOne();
    expect(limiter.limit).toBe(2);
    while (run.gates.length) await run.finishOne();
    await Promise.all(run.done);
  });

  it('stops growing and shrinks when resident memory is high', async () => {
    const load = { busy: 0.1, rss: 0 };
    const limiter = new AdaptiveLimiter({ floor: 2, memoryBytes: 4 * GiB, sampler: sampler(load) });
    const run = tasks(
      limiter,
      Array.from({ length: 40 }, (_, i) => `r${i}`),
    );
    await flush();
    for (let i = 0; i < 4; i++) await run.finishOne();
    expect(limiter.limit).toBe(6);
    load.rss = 3.5 * GiB;
    for (let i = 0; i < 3; i++) await run.finishOne();
    expect(limiter.limit).toBe(3);
    while (run.gates.length) await run.finishOne();
    await Promise.all(run.done);
  });

  it('sizes its ceiling by the memory left, never below the floor nor above MAX_LIMIT', () => {
    const at = (memoryBytes: number, rss: number, floor = 16) =>
      new AdaptiveLimiter({ floor, memoryBytes, sampler: sampler({ busy: 0, rss }) }).ceiling;
    expect(at(1024 * 1024 ** 2, 150 * 1024 ** 2)).toBe(
      Math.floor(((768 - 150) * 1024 ** 2) / PER_PROBE_BYTES),
    );
    expect(at(256 * 1024 ** 2, 200 * 1024 ** 2)).toBe(16);
    expect(at(64 * GiB, 0)).toBe(MAX_LIMIT);
  });

  it('divides the memory ceiling among the probes of a slot (a target and its mirrors)', () => {
    const ceiling = (probesPerSlot?: number) =>
      new AdaptiveLimiter({
        floor: 1,
        memoryBytes: 1024 * 1024 ** 2,
        ...(probesPerSlot === undefined ? {} : { probesPerSlot }),
        sampler: sampler({ busy: 0, rss: 150 * 1024 ** 2 }),
      }).ceiling;
    const headroom = (768 - 150) * 1024 ** 2;
    expect(ceiling()).toBe(Math.floor(headroom / PER_PROBE_BYTES));
    expect(ceiling(1)).toBe(Math.floor(headroom / PER_PROBE_BYTES));
    expect(ceiling(4)).toBe(Math.floor(headroom / (4 * PER_PROBE_BYTES)));
    expect(ceiling(0)).toBe(Math.floor(headroom / PER_PROBE_BYTES));
  });

  it('holds a registry at its own limit and lets the targets of other registries past it', async () => {
    const limiter = new AdaptiveLimiter({
      floor: 10,
      perKey: 4,
      memoryBytes: 4 * GiB,
      sampler: sampler({ busy: 0, rss: 0 }),
    });
    const keys = [
      ...Array.from({ length: 30 }, () => 'hub'),
      ...Array.from({ length: 5 }, (_, i) => `r${i}`),
    ];
    const run = tasks(limiter, keys);
    await flush();
    expect(run.stats().running).toBe(4 + 5);
    while (run.gates.length) await run.finishOne();
    expect(run.stats().peakPerKey).toBe(4);
    await Promise.all(run.done);
  });

  it(`never runs more than ${PER_REGISTRY_LIMIT} at once on one registry, however idle the process`, async () => {
    const limiter = new AdaptiveLimiter({
      floor: 16,
      memoryBytes: 4 * GiB,
      sampler: sampler({ busy: 0, rss: 0 }),
    });
    const run = tasks(limiter, [
      ...Array.from({ length: 60 }, () => 'hub'),
      ...Array.from({ length: 20 }, (_, i) => `r${i}`),
    ]);
    await flush();
    while (run.gates.length) await run.finishOne();
    await Promise.all(run.done);
    expect(run.stats().peakPerKey).toBe(PER_REGISTRY_LIMIT);
    expect(limiter.limit).toBeGreaterThan(PER_REGISTRY_LIMIT);
  });

  it('keeps a configured concurrency above the per-registry limit for one registry', async () => {
    const limiter = new AdaptiveLimiter({
      floor: 24,
      memoryBytes: 4 * GiB,
      sampler: sampler({ busy: 1, rss: 0 }),
    });
    const run = tasks(
      limiter,
      Array.from({ length: 30 }, () => 'hub'),
    );
    await flush();
    expect(run.stats().running).toBe(24);
    while (run.gates.length) await run.finishOne();
    await Promise.all(run.done);
  });

  it('passes on a failure of the work and frees its slot', async () => {
    const limiter = new AdaptiveLimiter({
      floor: 1,
      memoryBytes: 4 * GiB,
      sampler: sampler({ busy: 1, rss: 0 }),
    });
    const failed = limiter.run('r', async () => {
      throw new Error('boom');
    });
    const next = limiter.run('r', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});

describe('processMemoryLimit', () => {
  it("is the Lambda's configured memory when the runtime names it", () => {
    expect(processMemoryLimit({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '640' })).toBe(640 * 1024 * 1024);
  });

  it("is V8's heap limit elsewhere", () => {
    expect(processMemoryLimit({})).toBeGreaterThan(0);
  });
});
