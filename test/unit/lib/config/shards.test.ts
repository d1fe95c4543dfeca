import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../../../lib/config/errors.ts';
import { canaryConfigSchema } from '../../../../lib/config/schema.ts';
import { MAX_SHARDS, MAX_TARGETS_PER_SHARD, planShards } from '../../../../lib/config/shards.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { RegionalProbeStack } from '../../../../lib/stacks/regional-stack.ts';

function fleet(count: number, everyMinutes: number, concurrency = 16) {
  return validateConfig({
    homeRegion: 'us-east-1',
    probeRegions: ['us-east-1'],
    schedule: { everyMinutes },
    concurrency,
    targets: Array.from({ length: count }, (_, i) => ({
      name: `t${i}`,
      image: `example.com/team/app${i}:1`,
    })),
  });
}

describe('planShards', () => {
  it('keeps a small region in one invocation', () => {
    expect(planShards(fleet(20, 1), 'us-east-1')).toEqual({
      shards: 1,
      sizing: { targetCount: 20, memoryMb: 640, timeoutSeconds: 39 },
    });
  });

  it(`splits a region into shards of at most ${MAX_TARGETS_PER_SHARD} targets`, () => {
    const plan = planShards(fleet(500, 15), 'us-east-1');
    expect(plan.shards).toBe(5);
    expect(plan.sizing.targetCount).toBe(100);
  });

  it('adds shards until one shard finishes between two runs', () => {
    // 500 targets every minute at concurrency 16: a shard may hold 3 waves (3 × 12 s + 15 s ≤ 60 s) = 48
    // targets, so 11 shards of 45 or 46.
    const plan = planShards(fleet(500, 1), 'us-east-1');
    expect(plan.shards).toBe(11);
    expect(plan.sizing.targetCount).toBe(46);
    expect(plan.sizing.timeoutSeconds).toBeLessThanOrEqual(60);
  });

  it('sizes the one function for its slowest shard, not only the first', () => {
    // 101 targets make 2 shards of 51 and 50; the one slow target lands in the second.
    const config = validateConfig({
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1'],
      defaults: { timeoutMs: 5_000 },
      targets: Array.from({ length: 101 }, (_, i) => ({
        name: `t${i}`,
        image: `example.com/team/app${i}:1`,
        ...(i === 1 ? { thresholds: { timeoutMs: 40_000 } } : {}),
      })),
    });

    // Shard 1: 4 waves of 16 × (40 s + 2 s) + 15 s; shard 0 alone would say 4 × 7 s + 15 s = 43 s.
    expect(planShards(config, 'us-east-1')).toEqual({
      shards: 2,
      sizing: { targetCount: 51, memoryMb: 640, timeoutSeconds: 183 },
    });
  });

  it('accepts a fleet that only fits once sharded', () => {
    expect(() => fleet(40, 1, 1)).not.toThrow();
    expect(planShards(fleet(40, 1, 1), 'us-east-1').shards).toBe(14);
  });
});

describe('scheduleProblems: what to change when runs cannot keep to the schedule', () => {
  function problemsOf(input: Parameters<typeof validateConfig>[0]): string[] {
    try {
      validateConfig(input);
    } catch (error) {
      return [...(error as ConfigError).problems];
    }
    throw new Error('expected the config to be refused');
  }
  const twoRegions = { homeRegion: 'us-east-1', probeRegions: ['us-east-1', 'eu-west-1'] };

  it('names the target whose own timeoutMs outlasts the interval, once, and not concurrency', () => {
    const problems = problemsOf({
      ...twoRegions,
      schedule: { everyMinutes: 1 },
      concurrency: 128,
      targets: [
        { name: 'fast', image: 'alpine' },
        { name: 'slow', image: 'example.com/slow:1', thresholds: { timeoutMs: 45_000 } },
      ],
    });

    expect(problems).toEqual([
      'targets[1].thresholds.timeoutMs: a probe of "slow" may take 45000 ms plus 2 s to stop and 15 s to publish, 62 s in all, longer than the 60 s between runs (schedule.everyMinutes 1); lower it to at most 43000 or raise schedule.everyMinutes',
    ]);
    expect(problems.join('\n')).not.toMatch(/concurrency/);
  });

  it('accepts the largest timeoutMs the message suggests', () => {
    const target = { name: 'slow', image: 'example.com/slow:1', thresholds: { timeoutMs: 43_000 } };
    expect(() =>
      validateConfig({ ...twoRegions, schedule: { everyMinutes: 1 }, targets: [target] }),
    ).not.toThrow();
  });

  it('names defaults.timeoutMs, and the target that inherits it, when the target sets none', () => {
    const problems = problemsOf({
      ...twoRegions,
      schedule: { everyMinutes: 1 },
      defaults: { timeoutMs: 50_000 },
      targets: [
        { name: 'quick', image: 'alpine', thresholds: { timeoutMs: 5_000 } },
        { name: 'inherits', image: 'busybox', regions: ['eu-west-1'] },
      ],
    });

    expect(problems).toEqual([
      'defaults.timeoutMs: a probe of a target that inherits it (targets[1] "inherits") may take 50000 ms plus 2 s to stop and 15 s to publish, 67 s in all, longer than the 60 s between runs (schedule.everyMinutes 1); lower it to at most 43000 or raise schedule.everyMinutes',
    ]);
  });

  it('names defaults.timeoutMs once however many targets inherit it, in every region', () => {
    const problems = problemsOf({
      ...twoRegions,
      schedule: { everyMinutes: 1 },
      defaults: { timeoutMs: 50_000 },
      targets: Array.from({ length: 5 }, (_, i) => ({ name: `t${i}`, image: `example.com/app${i}:1` })),
    });

    expect(problems).toEqual([
      expect.stringMatching(
        /^defaults\.timeoutMs: a probe of a target that inherits it \(targets\[0\] "t0", targets\[1\] "t1", targets\[2\] "t2" and 2 more\) may take 50000 ms/,
      ),
    ]);
  });

  it('does not size a region for a default deadline none of its targets uses', () => {
    const config = validateConfig({
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1'],
      schedule: { everyMinutes: 1 },
      defaults: { timeoutMs: 60_000 },
      targets: [{ name: 'quick', image: 'alpine', thresholds: { timeoutMs: 5_000 } }],
    });

    expect(planShards(config, 'us-east-1').sizing.timeoutSeconds).toBe(30);
  });

  it('names concurrency when even the most shards run too long, with the other fixes', () => {
    // 200 targets probed one at a time every minute: 50 shards of 4, each 4 × 12 s + 15 s = 63 s.
    const input = {
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1'],
      schedule: { everyMinutes: 1 },
      concurrency: 1,
      targets: Array.from({ length: 200 }, (_, i) => ({ name: `t${i}`, image: `example.com/app${i}:1` })),
    };
    expect(planShards(canaryConfigSchema.parse(input), 'us-east-1')).toMatchObject({
      shards: MAX_SHARDS,
      sizing: { timeoutSeconds: 63 },
    });
    const problems = problemsOf(input);

    expect(problems).toEqual([
      'concurrency: a run in us-east-1 may take 63 s even split into 50 shards of up to 4 targets probed 1 at a time, longer than the 60 s between runs (schedule.everyMinutes 1); raise concurrency (at most 128), lower the slowest timeoutMs (10000 ms), probe fewer targets in us-east-1 or raise schedule.everyMinutes',
    ]);
  });
});

describe('a sharded region stack', () => {
  it('invokes one function from one schedule per shard, each naming its shard', { timeout: 60_000 }, () => {
    const config = fleet(250, 15);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new RegionalProbeStack(app, 'Probe', { config, region: 'us-east-1' });
    const template = Template.fromStack(stack);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as {
      Properties: { Target: { Input?: string; Arn: unknown } };
    }[];
    // Every shard also gets the run's scheduled time, which stamps its metrics.
    const scheduledTime = '<aws.scheduler.scheduled-time>';
    expect(schedules.map((s) => JSON.parse(s.Properties.Target.Input ?? '{}'))).toEqual([
      { scheduledTime, shard: 0, shards: 3 },
      { scheduledTime, shard: 1, shards: 3 },
      { scheduledTime, shard: 2, shards: 3 },
    ]);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: planShards(config, 'us-east-1').sizing.memoryMb,
    });
  });

  it('gives an unsharded region one schedule, whose input holds only the scheduled time', {
    timeout: 60_000,
  }, () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new RegionalProbeStack(app, 'Probe', { config: fleet(3, 5), region: 'us-east-1' });
    const schedules = Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule')) as {
      Properties: { Target: { Input?: string } };
    }[];
    expect(schedules).toHaveLength(1);
    expect(JSON.parse(schedules[0]!.Properties.Target.Input!)).toEqual({
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });
});
