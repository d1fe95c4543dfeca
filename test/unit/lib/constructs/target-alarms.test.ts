import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { CanaryMetrics } from '../../../../lib/constructs/canary-metrics.ts';
import { TargetAlarms, type TargetAlarmsProps } from '../../../../lib/constructs/target-alarms.ts';

type Props = Record<string, unknown>;

function synth(build: (stack: Stack, action: SnsAction) => void): Template {
  const stack = new Stack(new App(), 'Home', { env: { account: '111111111111', region: 'us-east-1' } });
  build(stack, new SnsAction(new Topic(stack, 'Topic')));
  return Template.fromStack(stack);
}

function alarmIn(template: Template, name: string): Props {
  const found = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } });
  const [only] = Object.values(found) as { Properties: Props }[];
  if (!only) throw new Error(`no alarm ${name}`);
  return only.Properties;
}

const FOUR_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'sa-east-1'];

function hubProps(action: SnsAction, overrides: Partial<TargetAlarmsProps> = {}): TargetAlarmsProps {
  return {
    target: 'hub',
    image: 'docker.io/library/alpine:latest',
    owner: 'team-a',
    metrics: new CanaryMetrics(Duration.minutes(5)),
    regions: FOUR_REGIONS,
    policy: { datapointsToAlarm: 2, evaluationPeriods: 3 },
    outageRegions: 3,
    slowMs: 4000,
    rateLimitRatio: 0.2,
    rateLimitAlarm: true,
    runbookBaseUrl: 'https://runbooks.example.com/',
    alarmAction: action,
    ...overrides,
  };
}

let template: Template;
let alarms: TargetAlarms;
const alarm = (name: string) => alarmIn(template, name);

beforeAll(() => {
  template = synth((stack, action) => {
    alarms = new TargetAlarms(stack, 'Hub', hubProps(action));
  });
}, 60_000); // the first synth in a process loads much of aws-cdk-lib, slow on a busy machine

/** A single-metric alarm on the one-dimensional home metric, with the given statistic. */
function onMetric(name: string, statistic: string) {
  return {
    Namespace: 'RegistryCanary',
    MetricName: name,
    Dimensions: [{ Name: 'Target', Value: 'hub' }],
    Statistic: statistic,
    Period: 300,
  };
}

describe('TargetAlarms', () => {
  it('creates one alarm per kind, the same number however many regions probe the target', () => {
    expect(alarms.alarms.map((a) => a.node.id)).toEqual([
      'FailingInAnyRegion',
      'FailingInManyRegions',
      'TargetSilent',
      'LatencyDegraded',
      'RateLimitLow',
    ]);
  });

  it('alarms when any region reported a failure (Maximum of Failing ≥ 1), M of N', () => {
    expect(alarm('RegistryCanary-hub-FailingInAnyRegion')).toMatchObject({
      ...onMetric('Failing', 'Maximum'),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      DatapointsToAlarm: 2,
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('calls K failing regions (Sum of Failing ≥ K) a registry-wide outage', () => {
    const props = alarm('RegistryCanary-hub-FailingInManyRegions');
    expect(props).toMatchObject({
      ...onMetric('Failing', 'Sum'),
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(props.AlarmDescription).toMatch(/failed to pull in 3 or more of .*registry-wide outage/);
  });

  it('caps the outage threshold at the regions the target is probed from', () => {
    const t = synth((stack, action) => new TargetAlarms(stack, 'X', hubProps(action, { outageRegions: 9 })));
    expect(alarmIn(t, 'RegistryCanary-hub-FailingInManyRegions')).toMatchObject({ Threshold: 4 });
    expect(alarmIn(t, 'RegistryCanary-hub-FailingInManyRegions').AlarmDescription).toMatch(/every one of/);
  });

  it('notices regions that ran but sent no result (SampleCount < regions), on at least 2 datapoints', () => {
    expect(alarm('RegistryCanary-hub-TargetSilent')).toMatchObject({
      ...onMetric('Failing', 'SampleCount'),
      Threshold: 4,
      ComparisonOperator: 'LessThanThreshold',
      DatapointsToAlarm: 2,
      EvaluationPeriods: 3,
    });
  });

  it('raises the silence window to 2 of 3 under a 1-of-1 policy: a region may land a few seconds late', () => {
    const t = synth(
      (stack, action) =>
        new TargetAlarms(
          stack,
          'X',
          hubProps(action, { policy: { datapointsToAlarm: 1, evaluationPeriods: 1 } }),
        ),
    );
    expect(alarmIn(t, 'RegistryCanary-hub-TargetSilent')).toMatchObject({
      DatapointsToAlarm: 2,
      EvaluationPeriods: 3,
    });
    expect(alarmIn(t, 'RegistryCanary-hub-FailingInAnyRegion')).toMatchObject({
      DatapointsToAlarm: 1,
      EvaluationPeriods: 1,
    });
  });

  it('never treats missing data as breaching: a fresh deploy or a new target must not alarm', () => {
    const all = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: Props }[];
    expect(all).toHaveLength(5);
    for (const { Properties: props } of all) expect(props.TreatMissingData).toBe('notBreaching');
  });

  it('alarms on the warning metrics, which exist only while the warning holds: slow, and a pull budget below 20%', () => {
    expect(alarm('RegistryCanary-hub-LatencyDegraded')).toMatchObject({
      ...onMetric('SlowMs', 'Maximum'),
      Threshold: 4000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm('RegistryCanary-hub-RateLimitLow')).toMatchObject({
      ...onMetric('RateLimitLowPercent', 'Minimum'),
      Threshold: 20,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('says what happened, over which window, who owns it and where the runbook is, in every description', () => {
    expect(alarm('RegistryCanary-hub-RateLimitLow').AlarmDescription).toBe(
      "Fewer than 20% of the registry's pull budget was left for hub in at least one region in 2 of the last 3 runs (5 min apart): pulls will soon be refused with 429. Owner: team-a. Runbook: https://runbooks.example.com/RATE_LIMIT_LOW.md",
    );
    const all = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: Props }[];
    for (const { Properties: props } of all) {
      expect(props.AlarmDescription).toMatch(
        / Owner: team-a\. Runbook: https:\/\/runbooks\.example\.com\/\S+\.md$/,
      );
      expect(props.OKActions).toEqual(props.AlarmActions);
    }
  });

  it('leaves out the rate-limit alarm where no budget is sent, and the outage and silence alarms for one region', () => {
    let single: TargetAlarms | undefined;
    synth((stack, action) => {
      single = new TargetAlarms(
        stack,
        'Ghcr',
        hubProps(action, { target: 'ghcr', regions: ['eu-west-1'], rateLimitAlarm: false }),
      );
    });
    expect(single!.alarms.map((a) => a.node.id)).toEqual(['FailingInAnyRegion', 'LatencyDegraded']);
    expect(single!.headline.node.id).toBe('FailingInAnyRegion');
  });
});

describe('TargetAlarms tags', () => {
  let tagged: Template;

  beforeAll(() => {
    tagged = synth((stack, action) => {
      const common = (target: string) =>
        hubProps(action, { target, regions: ['eu-west-1'], rateLimitAlarm: false, owner: undefined });
      new TargetAlarms(stack, 'Payments', {
        ...common('payments'),
        owner: 'team-payments',
        tags: { tier: 'critical', 'cost-center': '42' },
      });
      new TargetAlarms(stack, 'Search', {
        ...common('search'),
        owner: 'team-search',
        tags: { Owner: 'search-oncall' },
      });
      new TargetAlarms(stack, 'Plain', common('plain'));
    });
  });

  function tagsOf(target: string): unknown[] {
    const found = Object.values(tagged.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmName: string; Tags?: unknown };
    }[];
    const mine = found.filter((a) => a.Properties.AlarmName.startsWith(`RegistryCanary-${target}-`));
    expect(mine).toHaveLength(2); // failing anywhere, latency
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

describe('alarm descriptions', () => {
  it('keep the owner and the runbook when the explanation is too long for the 1024-character limit', async () => {
    const { description, MAX_ALARM_DESCRIPTION } = await import('../../../../lib/constructs/canary-alarm.ts');
    const text = description('x'.repeat(2000), 'Owner: team-a. Runbook: https://example.com/README.md');
    expect(text).toHaveLength(MAX_ALARM_DESCRIPTION);
    expect(text.endsWith('… Owner: team-a. Runbook: https://example.com/README.md')).toBe(true);
    expect(description('short', 'Runbook: r')).toBe('short Runbook: r');
  });

  it('name a few of a registry’s targets and count the rest', async () => {
    const { namesOf } = await import('../../../../lib/constructs/fleet-alarms.ts');
    expect(namesOf(['a'])).toBe('target a');
    expect(namesOf(['a', 'b', 'c', 'd', 'e'])).toBe('targets a, b, c, d, e');
    expect(namesOf(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('targets a, b, c, d, e and 2 more');
  });
});
