import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAX_TARGETS_PER_SHARD, planShards } from '../../../../lib/config/shards.ts';
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

  it('accepts a fleet that only fits once sharded', () => {
    expect(() => fleet(40, 1, 1)).not.toThrow();
    expect(planShards(fleet(40, 1, 1), 'us-east-1').shards).toBe(14);
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
