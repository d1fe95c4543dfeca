import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { HomeStack } from '../../../../lib/stacks/home-stack.ts';

let templates: Template[];

beforeAll(() => {
  const config = validateConfig({
    homeRegion: 'eu-west-1',
    probeRegions: ['eu-west-1', 'us-east-1'],
    targets: [
      { name: 'hub', image: 'alpine' },
      { name: 'hub-quiet', image: 'nginx', rateLimitAlarm: false },
      { name: 'corp', image: 'registry.corp.example/team/app:1' },
      { name: 'corp-limited', image: 'registry.corp.example/team/api:1', rateLimitAlarm: true },
    ],
  });
  // No bundling: these assertions are about alarms, and bundling the notifier takes seconds.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const home = new HomeStack(app, 'Home', { config });
  templates = [home, ...home.targetAlarmStacks.values()].map((stack) => Template.fromStack(stack));
}, 60_000);

function alarmNames(): string[] {
  return alarms().flatMap((a) => (a.Properties.AlarmName ? [a.Properties.AlarmName] : []));
}

function alarms() {
  return templates.flatMap(
    (t) =>
      Object.values(t.findResources('AWS::CloudWatch::Alarm')) as {
        Properties: Record<string, unknown> & { AlarmName?: string };
      }[],
  );
}

describe('HomeStack rate-limit alarms', () => {
  it("follows each target's rateLimitAlarm, and the registry's profile where it is not set", () => {
    const rateLimitAlarms = alarmNames()
      .filter((name) => name.endsWith('-RateLimitLow'))
      .sort();
    expect(rateLimitAlarms).toEqual([
      'RegistryCanary-corp-limited-RateLimitLow',
      'RegistryCanary-hub-RateLimitLow',
    ]);
  });

  it('alarms below the threshold on the pull budget of a private registry that opted in', () => {
    const alarm = alarms().find((a) => a.Properties.AlarmName === 'RegistryCanary-corp-limited-RateLimitLow');
    expect(alarm?.Properties).toMatchObject({ Threshold: 20, ComparisonOperator: 'LessThanThreshold' });
  });

  it('keeps the other alarms of a target whose rate-limit alarm is off', () => {
    // failing anywhere, failing in both regions, a region silent, slow
    expect(alarmNames().filter((name) => name.startsWith('RegistryCanary-hub-quiet-'))).toHaveLength(4);
  });
});

describe('HomeStack fleet alarms', () => {
  it('watches each region with one heartbeat alarm, and each registry host with one certificate alarm', () => {
    const names = alarmNames();
    expect(names.filter((n) => n.endsWith('-ProbeSilent')).sort()).toEqual([
      'RegistryCanary-eu-west-1-ProbeSilent',
      'RegistryCanary-us-east-1-ProbeSilent',
    ]);
    expect(names.filter((n) => n.endsWith('-CertificateExpiring')).sort()).toEqual([
      'RegistryCanary-registry-1.docker.io-CertificateExpiring',
      'RegistryCanary-registry.corp.example-CertificateExpiring',
    ]);
  });

  it('finds a stopped region from FILL(heartbeat, 0), which cannot alarm before the first run', () => {
    const alarm = alarms().find((a) => a.Properties.AlarmName === 'RegistryCanary-us-east-1-ProbeSilent');
    expect(alarm?.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'ignore',
      DatapointsToAlarm: 2,
      EvaluationPeriods: 3,
      Metrics: [
        { Id: 'expr_1', Expression: 'FILL(m, 0)', ReturnData: true },
        {
          Id: 'm',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'RegistryCanary',
              MetricName: 'Heartbeat',
              Dimensions: [{ Name: 'ProbeRegion', Value: 'us-east-1' }],
            },
            Period: 300,
            Stat: 'SampleCount',
          },
        },
      ],
    });
  });

  it('says in the certificate alarm which targets pull from the registry, and warns as early as any asks', () => {
    const alarm = alarms().find(
      (a) => a.Properties.AlarmName === 'RegistryCanary-registry-1.docker.io-CertificateExpiring',
    );
    expect(alarm?.Properties).toMatchObject({
      MetricName: 'CertExpiringDays',
      Dimensions: [{ Name: 'Registry', Value: 'registry-1.docker.io' }],
      Statistic: 'Minimum',
      Threshold: 14,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm?.Properties.AlarmDescription).toContain('(targets hub, hub-quiet)');
  });
});

describe('HomeStack target alarm shards', () => {
  it("puts the targets' alarms in nested stacks, none in the home stack itself", () => {
    const [home, ...nested] = templates;
    const own = Object.values(home!.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmName: string };
    }[];
    expect(
      own.every((a) =>
        /-(ProbeSilent|CertificateExpiring|NotifierDeadLetters)$/.test(a.Properties.AlarmName),
      ),
    ).toBe(true);
    expect(nested.length).toBeGreaterThan(0);
    home!.resourceCountIs('AWS::CloudFormation::Stack', nested.length);
  });
});
