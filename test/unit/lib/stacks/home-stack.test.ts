import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { HomeStack } from '../../../../lib/stacks/home-stack.ts';

let template: Template;

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
  template = Template.fromStack(new HomeStack(app, 'Home', { config }));
}, 60_000);

function alarmNames(): string[] {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: { AlarmName?: string };
  }[];
  // The notifier's dead-letter alarm has a generated name; only the targets' alarms matter here.
  return alarms.flatMap((a) => (a.Properties.AlarmName ? [a.Properties.AlarmName] : []));
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
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'RegistryCanary-corp-limited-RateLimitLow',
      Threshold: 20,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('keeps the other alarms of a target whose rate-limit alarm is off', () => {
    expect(alarmNames().filter((name) => name.startsWith('RegistryCanary-hub-quiet-'))).toHaveLength(6);
  });
});
