import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { countAlarms } from '../../../functions/cost/alarms.ts';
import { validateConfig } from '../../../lib/config/validate.ts';
import { createCanaryStacks } from '../../../lib/stacks/canary-app.ts';

interface AlarmResource {
  Properties: { Metrics?: { MetricStat?: unknown }[]; Period?: number };
}

/** CloudWatch bills a metric alarm per metric it reads: a math alarm per MetricStat in it, a plain one once. */
function billedMetrics(alarm: AlarmResource): number {
  const metrics = alarm.Properties.Metrics;
  return metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1;
}

describe('countAlarms against the synthesised CDK app', () => {
  it('counts exactly the alarm metrics the stacks deploy', { timeout: 60_000 }, () => {
    const config = validateConfig({
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      targets: [
        { name: 'hub', image: 'alpine' },
        { name: 'ecr-public', image: 'public.ecr.aws/docker/library/busybox:latest' },
        { name: 'ghcr', image: 'ghcr.io/linuxcontainers/busybox:latest' },
        { name: 'quay-eu', image: 'quay.io/prometheus/prometheus:latest', regions: ['eu-west-1'] },
        // The rate-limit alarm follows rateLimitAlarm where it is set, not the registry's profile.
        { name: 'private-limited', image: 'registry.corp.example/team/app:1', rateLimitAlarm: true },
        { name: 'hub-quiet', image: 'nginx', rateLimitAlarm: false },
      ],
    });
    // No bundling: the count is about alarms, and bundling the handler takes seconds per region.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = createCanaryStacks(app, config);
    const alarms = [stacks.home, ...stacks.regional.values()].flatMap(
      (stack) =>
        Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')) as AlarmResource[],
    );
    const composites = [stacks.home, ...stacks.regional.values()].flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::CompositeAlarm')),
    );
    const highResolution = alarms.filter((a) => (a.Properties.Period ?? 60) < 60);

    expect(countAlarms(config)).toEqual({
      standardMetrics: alarms
        .filter((a) => !highResolution.includes(a))
        .reduce((n, a) => n + billedMetrics(a), 0),
      highResolutionMetrics: highResolution.reduce((n, a) => n + billedMetrics(a), 0),
      composite: composites.length,
    });
  });
});
