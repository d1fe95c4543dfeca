import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { CanaryMetrics } from '../../../../lib/constructs/canary-metrics.ts';
import { TargetAlarms } from '../../../../lib/constructs/target-alarms.ts';

let template: Template;
let alarms: TargetAlarms;

beforeAll(() => {
  const stack = new Stack(new App(), 'Home', { env: { account: '111111111111', region: 'us-east-1' } });
  const topic = new Topic(stack, 'Topic');
  alarms = new TargetAlarms(stack, 'Hub', {
    target: 'hub',
    image: 'docker.io/library/alpine:latest',
    owner: 'team-a',
    metrics: new CanaryMetrics(Duration.minutes(5), [
      'us-east-1',
      'eu-west-1',
      'ap-southeast-1',
      'sa-east-1',
    ]),
    datapointsToAlarm: 2,
    evaluationPeriods: 3,
    outageRegions: 3,
    slowMs: 4000,
    certExpiryDays: 14,
    rateLimitRatio: 0.2,
    rateLimitAlarm: true,
    runbookBaseUrl: 'https://runbooks.example.com/',
    alarmAction: new SnsAction(topic),
  });
  template = Template.fromStack(stack);
}, 60_000); // the first synth in a process loads much of aws-cdk-lib, slow on a busy machine

function alarm(name: string) {
  const found = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } });
  const [only] = Object.values(found) as { Properties: Record<string, unknown> }[];
  if (!only) throw new Error(`no alarm ${name}`);
  return only.Properties;
}

describe('TargetAlarms', () => {
  it('creates one alarm per failure kind, and one silence alarm per region', () => {
    expect(alarms.alarms).toHaveLength(2 + 4 + 3);
  });

  it('alarms when the target fails in at least one region, M of N, over the home copies', () => {
    const props = alarm('RegistryCanary-hub-FailingInAnyRegion');
    expect(props).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      DatapointsToAlarm: 2,
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
    const metrics = props.Metrics as {
      Expression?: string;
      MetricStat?: { Metric: { Dimensions: unknown[] } };
    }[];
    expect(metrics[0]!.Expression).toBe(
      '4 - (FILL(s_hub_0, 1) + FILL(s_hub_1, 1) + FILL(s_hub_2, 1) + FILL(s_hub_3, 1))',
    );
    expect(metrics[1]!.MetricStat!.Metric.Dimensions).toEqual([
      { Name: 'ProbeRegion', Value: 'us-east-1' },
      { Name: 'Target', Value: 'hub' },
    ]);
  });

  it('calls a failure in K regions a registry-wide outage', () => {
    const props = alarm('RegistryCanary-hub-FailingInManyRegions');
    expect(props).toMatchObject({ Threshold: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(props.AlarmDescription).toMatch(/failed to pull in 3 or more of .*registry-wide outage/);
  });

  it('treats missing data as breaching when a region goes silent', () => {
    const props = alarm('RegistryCanary-hub-RegionSilent-sa-east-1');
    expect(props).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect((props.Metrics as { MetricStat: unknown }[])[0]!.MetricStat).toEqual({
      Metric: {
        Namespace: 'RegistryCanary',
        MetricName: 'Success',
        Dimensions: [
          { Name: 'ProbeRegion', Value: 'sa-east-1' },
          { Name: 'Target', Value: 'hub' },
        ],
      },
      Period: 300,
      Stat: 'SampleCount',
    });
  });

  it('alarms below 20% of the pull budget, 14 certificate days and the slow threshold', () => {
    expect(alarm('RegistryCanary-hub-RateLimitLow')).toMatchObject({
      Threshold: 20,
      ComparisonOperator: 'LessThanThreshold',
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Expression: 'MIN([rl_hub_0, rl_hub_1, rl_hub_2, rl_hub_3])' }),
      ]),
    });
    expect(alarm('RegistryCanary-hub-CertificateExpiring')).toMatchObject({
      Threshold: 14,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
    });
    expect(alarm('RegistryCanary-hub-LatencyDegraded')).toMatchObject({
      Threshold: 4000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('says what happened, who owns it and where the runbook is, in every description', () => {
    expect(alarm('RegistryCanary-hub-RateLimitLow').AlarmDescription).toBe(
      "Fewer than 20% of the registry's pull budget is left for hub in at least one region: pulls will soon be refused with 429. Owner: team-a. Runbook: https://runbooks.example.com/RATE_LIMIT_LOW.md",
    );
    const all = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(all).toHaveLength(alarms.alarms.length);
    for (const { Properties: props } of all) {
      expect(props.AlarmDescription).toMatch(
        /Owner: team-a\. Runbook: https:\/\/runbooks\.example\.com\/\S+\.md$/,
      );
      expect(props.OKActions).toEqual(props.AlarmActions);
    }
  });

  it('leaves out the rate-limit alarm for registries without pull limits, and the outage alarm for one region', () => {
    const stack = new Stack(new App(), 'Other');
    const single = new TargetAlarms(stack, 'Ghcr', {
      target: 'ghcr',
      image: 'ghcr.io/a/b:1',
      metrics: new CanaryMetrics(Duration.minutes(1), ['eu-west-1']),
      datapointsToAlarm: 1,
      evaluationPeriods: 1,
      slowMs: 1000,
      certExpiryDays: 7,
      rateLimitRatio: 0.1,
      rateLimitAlarm: false,
      alarmAction: new SnsAction(new Topic(stack, 'T')),
    });
    expect(single.alarms.map((a) => a.node.id)).toEqual([
      'FailingInAnyRegion',
      'RegionSilent-eu-west-1',
      'CertificateExpiring',
      'LatencyDegraded',
    ]);
  });
});

describe('TargetAlarms rate-limit alarm', () => {
  it('alarms on the pull budget of any registry when told to, not only the known rate-limited ones', () => {
    const stack = new Stack(new App(), 'Private');
    new TargetAlarms(stack, 'Corp', {
      target: 'corp',
      image: 'registry.corp.example/team/app:1',
      metrics: new CanaryMetrics(Duration.minutes(5), ['eu-west-1', 'us-east-1']),
      datapointsToAlarm: 2,
      evaluationPeriods: 3,
      slowMs: 1000,
      certExpiryDays: 7,
      rateLimitRatio: 0.3,
      rateLimitAlarm: true,
      alarmAction: new SnsAction(new Topic(stack, 'T')),
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'RegistryCanary-corp-RateLimitLow',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 30,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'RateLimitRemainingPercent',
              Dimensions: Match.arrayWith([{ Name: 'Target', Value: 'corp' }]),
            }),
          }),
        }),
      ]),
    });
  });
});

describe('TargetAlarms tags', () => {
  let tagged: Template;

  beforeAll(() => {
    const stack = new Stack(new App(), 'Tagged');
    const alarmAction = new SnsAction(new Topic(stack, 'T'));
    const common = {
      metrics: new CanaryMetrics(Duration.minutes(5), ['eu-west-1']),
      datapointsToAlarm: 1,
      evaluationPeriods: 1,
      slowMs: 1000,
      certExpiryDays: 7,
      rateLimitRatio: 0.1,
      rateLimitAlarm: false,
      alarmAction,
    };
    new TargetAlarms(stack, 'Payments', {
      ...common,
      target: 'payments',
      image: 'ghcr.io/a/payments:1',
      owner: 'team-payments',
      tags: { tier: 'critical', 'cost-center': '42' },
    });
    new TargetAlarms(stack, 'Search', {
      ...common,
      target: 'search',
      image: 'ghcr.io/a/search:1',
      owner: 'team-search',
      tags: { Owner: 'search-oncall' },
    });
    new TargetAlarms(stack, 'Plain', { ...common, target: 'plain', image: 'ghcr.io/a/plain:1' });
    tagged = Template.fromStack(stack);
  });

  function tagsOf(target: string): unknown[] {
    const found = Object.values(tagged.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmName: string; Tags?: unknown };
    }[];
    const mine = found.filter((a) => a.Properties.AlarmName.startsWith(`RegistryCanary-${target}-`));
    expect(mine).toHaveLength(4); // any region, region silent, certificate, latency
    return mine.map((a) => a.Properties.Tags);
  }

  it("puts the target's tags and its owner on every one of its alarms, and on no other target's", () => {
    const expected = [
      { Key: 'cost-center', Value: '42' },
      { Key: 'Owner', Value: 'team-payments' },
      { Key: 'tier', Value: 'critical' },
    ];
    for (const tags of tagsOf('payments')) expect(tags).toEqual(expect.arrayContaining(expected));
    for (const tags of tagsOf('payments')) expect(tags).toHaveLength(3);
  });

  it('lets an explicit Owner tag win over the owner field', () => {
    for (const tags of tagsOf('search')) expect(tags).toEqual([{ Key: 'Owner', Value: 'search-oncall' }]);
  });

  it('adds no tags to the alarms of a target with neither tags nor owner', () => {
    for (const tags of tagsOf('plain')) expect(tags).toBeUndefined();
  });
});
