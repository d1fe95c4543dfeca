/**
 * The cost model's units against what the CDK app really deploys: the default config, the
 * reference fleet and a small mixed config are synthesised (nested alarm stacks included) and every
 * count the model bills by is recounted from the templates, so the model cannot drift from the stacks.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import defaultConfig from '../../../config/default.ts';
import { countAlarms } from '../../../functions/cost/alarms.ts';
import { estimateFleetCost } from '../../../functions/cost/estimate.ts';
import {
  DEFAULT_ASSUMPTIONS,
  fleetFromConfig,
  NOTIFIER_MEMORY_MB,
  sweepMinutes,
} from '../../../functions/cost/from-config.ts';
import { deploymentInventory } from '../../../functions/cost/inventory.ts';
import { DEFAULT_PRICES } from '../../../functions/cost/prices.ts';
import { referenceFleet } from '../../../functions/cost/reference-fleet.ts';
import { alarmKindOf } from '../../../functions/publish/alarm-catalog.ts';
import { HomeMetric, METRICS_NAMESPACE } from '../../../functions/publish/metrics-catalog.ts';
import type { CanaryConfig, CanaryConfigInput } from '../../../lib/config/schema.ts';
import { planShards } from '../../../lib/config/shards.ts';
import { validateConfig } from '../../../lib/config/validate.ts';
import { createCanaryStacks } from '../../../lib/stacks/canary-app.ts';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
  Period: number;
}

interface AlarmProperties {
  AlarmName: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Period?: number;
  Metrics?: { MetricStat?: MetricStat; Expression?: string }[];
}

interface Deployed {
  config: CanaryConfig;
  stacks: ReturnType<typeof createCanaryStacks>;
  resources: Resource[];
  ofType: (type: string) => Resource[];
}

/** Synth without bundling (the counts do not depend on the code's bytes), every template included. */
function deploy(input: CanaryConfigInput): Deployed {
  const config = validateConfig(input);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = createCanaryStacks(app, config);
  const all: Stack[] = [stacks.home, ...stacks.home.targetAlarmStacks.values(), ...stacks.regional.values()];
  const resources = all.flatMap(
    (stack) => Object.values(Template.fromStack(stack).toJSON().Resources ?? {}) as Resource[],
  );
  return { config, stacks, resources, ofType: (type) => resources.filter((r) => r.Type === type) };
}

/** The metrics an alarm reads: its MetricStats, or its one metric. */
function metricsRead(
  alarm: AlarmProperties,
): { namespace: string; name: string; subject: unknown; period: number }[] {
  if (alarm.Metrics) {
    return alarm.Metrics.flatMap((m) =>
      m.MetricStat
        ? [
            {
              namespace: m.MetricStat.Metric.Namespace,
              name: m.MetricStat.Metric.MetricName,
              subject: m.MetricStat.Metric.Dimensions?.[0]?.Value,
              period: m.MetricStat.Period,
            },
          ]
        : [],
    );
  }
  return [
    {
      namespace: alarm.Namespace!,
      name: alarm.MetricName!,
      subject: alarm.Dimensions?.[0]?.Value,
      period: alarm.Period!,
    },
  ];
}

const MIXED: CanaryConfigInput = {
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1', 'us-east-1'],
  schedule: { everyMinutes: 15 },
  targets: [
    { name: 'hub', image: 'alpine' },
    // Limited to one region: no many-regions alarm, no partial-silence alarm.
    { name: 'quay-eu', image: 'quay.io/prometheus/prometheus:latest', regions: ['eu-west-1'] },
    { name: 'private', image: 'registry.corp.example/team/app:1', rateLimitAlarm: true },
    { name: 'hub-quiet', image: 'nginx', rateLimitAlarm: false },
    { name: 'off', image: 'ghcr.io/x/y:1', enabled: false },
  ],
  notifications: {
    emails: ['oncall@example.com'],
    slackWebhookSecret: 'canary/slack-webhook',
    // Every alert channel, so that their subscriber functions and secrets are recounted too.
    slackApp: { botTokenSecret: 'canary/slack-bot', channelId: 'C0123ABCD' },
    pagerDuty: { routingKeySecret: 'canary/pagerduty' },
  },
};

const CASES: [string, CanaryConfigInput][] = [
  ['the default config', defaultConfig],
  ['the reference fleet', referenceFleet],
  ['a mixed config (regions limited, rate-limit overrides, a disabled target, a Slack webhook)', MIXED],
];

describe.each(CASES)('the cost model against the synthesised app: %s', (_name, input) => {
  // One synth per config, shared by the tests below (a synth takes seconds on two shared cores).
  let deployed: Deployed | undefined;
  const get = () => {
    deployed ??= deploy(input);
    return deployed;
  };

  it('bills exactly the alarm metrics deployed, kind by kind', { timeout: 180_000 }, () => {
    const { config, ofType } = get();
    const alarms = ofType('AWS::CloudWatch::Alarm').map((r) => r.Properties as unknown as AlarmProperties);
    const byKind: Record<string, number> = {};
    let standard = 0;
    let highResolution = 0;
    for (const alarm of alarms) {
      const kind = alarmKindOf(alarm.AlarmName)?.spec.kind;
      expect(kind, `${alarm.AlarmName} is not a catalog alarm`).toBeDefined();
      const read = metricsRead(alarm);
      byKind[kind!] = (byKind[kind!] ?? 0) + read.length;
      for (const m of read) {
        if (m.period < 60) highResolution += 1;
        else standard += 1;
      }
    }
    const model = countAlarms(config);
    expect(model.byKind).toEqual(byKind);
    expect(model.standardMetrics).toBe(standard);
    expect(model.highResolutionMetrics).toBe(highResolution);
    expect(model.composite).toBe(ofType('AWS::CloudWatch::CompositeAlarm').length);
  });

  it('lists every metric the alarms read, and each alarmed always-sent metric once per subject', {
    timeout: 180_000,
  }, () => {
    const { config, ofType } = get();
    const series = deploymentInventory(config).metrics;
    const modelled = new Set(series.map((s) => `${s.name}/${s.subject}`));
    const read = ofType('AWS::CloudWatch::Alarm')
      .flatMap((r) => metricsRead(r.Properties as unknown as AlarmProperties))
      .filter((m) => m.namespace === METRICS_NAMESPACE);
    const alarmed = new Set(read.map((m) => `${m.name}/${m.subject}`));
    for (const key of alarmed) expect(modelled, `alarm reads ${key}`).toContain(key);
    // Every series of these metrics has alarms, so the model's series are exactly the alarmed ones.
    for (const name of ['Failing', 'Heartbeat', 'SlowMs', 'CertExpiringDays']) {
      const ours = series.filter((s) => s.name === name).map((s) => `${s.name}/${s.subject}`);
      expect(new Set(ours), name).toEqual(new Set([...alarmed].filter((k) => k.startsWith(`${name}/`))));
    }
  });

  it('counts the KMS keys, topics, dashboards, schedules, functions and rules deployed', {
    timeout: 180_000,
  }, () => {
    const { config, ofType } = get();
    const inventory = deploymentInventory(config);
    expect(inventory.kmsKeys).toBe(ofType('AWS::KMS::Key').length);
    expect(inventory.topics).toBe(ofType('AWS::SNS::Topic').length);
    // Every topic but the alarm topic is one the notifier publishes each alert to.
    const notifierPolicy = ofType('AWS::IAM::Policy').find((p) =>
      JSON.stringify(p.Properties).includes('"PublishNotifications"'),
    );
    const document = notifierPolicy?.Properties['PolicyDocument'] as
      | { Statement: { Sid?: string; Resource: unknown }[] }
      | undefined;
    const publish = document?.Statement.find((st) => st.Sid === 'PublishNotifications');
    expect([publish?.Resource].flat()).toHaveLength(inventory.alertTopics);
    expect(inventory.dashboards).toBe(ofType('AWS::CloudWatch::Dashboard').length);
    expect(inventory.schedules).toBe(ofType('AWS::Scheduler::Schedule').length);
    for (const schedule of ofType('AWS::Scheduler::Schedule')) {
      const m = config.schedule.everyMinutes;
      expect(schedule.Properties.ScheduleExpression).toBe(`rate(${m} ${m === 1 ? 'minute' : 'minutes'})`);
    }
    expect(config.probeRegions.length + inventory.homeFunctions).toBe(ofType('AWS::Lambda::Function').length);
    const rules = ofType('AWS::Events::Rule');
    expect(inventory.eventRules).toBe(rules.length);
    expect(rules[0]!.Properties.ScheduleExpression).toBe(`rate(${sweepMinutes(config)} minutes)`);
  });

  it('sizes the probe and notifier Lambdas as deployed', { timeout: 180_000 }, () => {
    const { config, stacks } = get();
    for (const [region, stack] of stacks.regional) {
      const fn = Object.values(
        Template.fromStack(stack).findResources('AWS::Lambda::Function'),
      )[0] as Resource;
      expect(fn.Properties.MemorySize).toBe(planShards(config, region).sizing.memoryMb);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
    const home = Object.values(
      Template.fromStack(stacks.home).findResources('AWS::Lambda::Function'),
    ) as Resource[];
    const notifier = home.find(
      (f) =>
        String(f.Properties.Description).includes('notifier') ||
        String(f.Properties.Description).includes('alarm transitions'),
    );
    expect(notifier?.Properties.MemorySize).toBe(NOTIFIER_MEMORY_MB);
  });

  it('recomputes the fixed lines and the probe runs from the templates, to the cent the estimate gives', {
    timeout: 180_000,
  }, () => {
    const { config, stacks, ofType } = get();
    const p = DEFAULT_PRICES;
    const read = ofType('AWS::CloudWatch::Alarm').flatMap((r) =>
      metricsRead(r.Properties as unknown as AlarmProperties),
    );
    // Every always-sent series has alarms, so the distinct ones the alarms read are the ones billed all month.
    const always = new Set(
      read
        .filter((m) => Object.values(HomeMetric).some((h) => h.name === m.name && h.sent === 'always'))
        .map((m) => `${m.name}/${m.subject}`),
    );
    const hoursBilled = 730;
    let schedulerRuns = 0;
    let probeGbSeconds = 0;
    for (const stack of stacks.regional.values()) {
      const t = Template.fromStack(stack);
      const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')) as Resource[];
      const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0] as Resource;
      for (const schedule of schedules) {
        const minutes = Number(
          /rate\((\d+) minutes?\)/.exec(String(schedule.Properties.ScheduleExpression))![1],
        );
        const runs = (hoursBilled * 60) / minutes;
        schedulerRuns += runs;
        probeGbSeconds +=
          runs * (Number(fn.Properties.MemorySize) / 1024) * DEFAULT_ASSUMPTIONS.invocationSeconds;
      }
    }
    const fromTemplates = {
      alarms: read.length * p.cloudwatch.standardAlarmPerMetric,
      keys: ofType('AWS::KMS::Key').length * p.kms.keyMonth,
      dashboards: ofType('AWS::CloudWatch::Dashboard').length * p.cloudwatch.dashboardMonth,
      alwaysSentMetrics: always.size * p.cloudwatch.customMetricTiers[0]!.usd,
      scheduler: (schedulerRuns * p.scheduler.perMillionInvocations) / 1e6,
      probeRequests: (schedulerRuns * p.lambda.perMillionRequests) / 1e6,
      probeCompute: probeGbSeconds * p.lambda.perGbSecondArm64,
    };
    const lines = estimateFleetCost(fleetFromConfig(config), p).lines;
    const sum = (pick: (id: string) => boolean) =>
      lines.filter((l) => pick(l.id)).reduce((n, l) => n + l.monthlyUsd, 0);
    const alwaysNames = Object.values(HomeMetric)
      .filter((h) => h.sent === 'always')
      .map((h) => `metric:${h.name}`);
    expect({
      alarms: sum((id) => id.startsWith('alarm:')),
      keys: sum((id) => id === 'kms:keys'),
      dashboards: sum((id) => id === 'dashboards'),
      alwaysSentMetrics: sum((id) => alwaysNames.includes(id)),
      scheduler: sum((id) => id === 'scheduler'),
      probeRequests: sum((id) => id === 'probe:requests'),
      probeCompute: sum((id) => id === 'probe:invoke'),
    }).toEqual(Object.fromEntries(Object.entries(fromTemplates).map(([k, v]) => [k, expect.closeTo(v, 6)])));
  });

  it('keeps the probe logs for the retention the model stores them', { timeout: 180_000 }, () => {
    const { config, ofType } = get();
    for (const group of ofType('AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(config.logRetentionDays);
    }
  });
});
