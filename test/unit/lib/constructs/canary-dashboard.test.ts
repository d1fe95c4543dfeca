import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CanaryDashboard,
  type CanaryDashboardProps,
  MAX_ALARMS_PER_STATUS_WIDGET,
  REGION_QUERIES,
} from '../../../../lib/constructs/canary-dashboard.ts';
import { CanaryMetrics } from '../../../../lib/constructs/canary-metrics.ts';

interface Widget {
  type: string;
  properties: {
    title?: string;
    region?: string;
    markdown?: string;
    metrics?: unknown[][];
    alarms?: string[];
    query?: string;
  };
}

function dashboardBody(overrides: Partial<CanaryDashboardProps> = {}): Widget[] {
  const stack = new Stack(new App(), 'Home', { env: { account: '111111111111', region: 'us-east-1' } });
  new CanaryDashboard(stack, 'Dashboard', {
    dashboardName: 'RegistryCanary-us-east-1',
    homeRegion: 'us-east-1',
    probeRegions: ['us-east-1', 'eu-west-1'],
    metrics: new CanaryMetrics(Duration.minutes(5)),
    alarmNames: {
      probeSilent: ['RegistryCanary-us-east-1-ProbeSilent', 'RegistryCanary-eu-west-1-ProbeSilent'],
      targets: ['RegistryCanary-hub-FailingInAnyRegion', 'RegistryCanary-ghcr-FailingInAnyRegion'],
      certificates: ['RegistryCanary-registry-1.docker.io-CertificateExpiring'],
    },
    probeLogGroupName: '/registry-canary/probe',
    ...overrides,
  });
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: unknown };
  }[];
  const body = resource!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

let widgets: Widget[];
const titled = (prefix: string) => widgets.filter((w) => w.properties.title?.startsWith(prefix));

beforeAll(() => {
  widgets = dashboardBody();
}, 60_000);

describe('CanaryDashboard', () => {
  it('lists the alarms by name, sorted, with the regions first', () => {
    const status = widgets.filter((w) => w.type === 'alarm');
    expect(status.map((w) => w.properties.title)).toEqual([
      'Probe regions: stopped?',
      'Targets failing in any region',
      'Registry certificates',
    ]);
    expect(status[1]!.properties.alarms).toEqual([
      'arn:<token>:cloudwatch:us-east-1:111111111111:alarm:RegistryCanary-ghcr-FailingInAnyRegion',
      'arn:<token>:cloudwatch:us-east-1:111111111111:alarm:RegistryCanary-hub-FailingInAnyRegion',
    ]);
  });

  it(`splits the alarm list into widgets of at most ${MAX_ALARMS_PER_STATUS_WIDGET} alarms (CloudWatch's limit)`, () => {
    const targets = Array.from(
      { length: 250 },
      (_, i) => `RegistryCanary-t${String(i).padStart(3, '0')}-FailingInAnyRegion`,
    );
    const big = dashboardBody({ alarmNames: { probeSilent: [], targets, certificates: [] } });
    const status = big.filter((w) => w.type === 'alarm');
    expect(status.map((w) => [w.properties.title, w.properties.alarms?.length])).toEqual([
      ['Targets failing in any region (1 of 3)', 100],
      ['Targets failing in any region (2 of 3)', 100],
      ['Targets failing in any region (3 of 3)', 50],
    ]);
    expect(status[2]!.properties.alarms!.at(-1)).toMatch(/t249-FailingInAnyRegion$/);
  });

  it('draws the fleet with Metrics Insights queries, one line per subject whatever the fleet size', () => {
    const failing = titled('Regions failing')[0]!;
    expect(failing.properties.metrics).toEqual([
      [
        expect.objectContaining({
          expression:
            'SELECT SUM(Failing) FROM SCHEMA("RegistryCanary", Target) GROUP BY Target ORDER BY SUM() DESC LIMIT 10',
        }),
      ],
    ]);
    const budget = titled('Pull budget')[0]!;
    expect(JSON.stringify(budget.properties.metrics)).toContain('ORDER BY MIN() ASC');
  });

  it('queries each region’s result logs in that region, where per-region and per-phase detail lives', () => {
    const logs = widgets.filter((w) => w.type === 'log');
    expect(logs.map((w) => [w.properties.region, w.properties.title])).toEqual([
      ['us-east-1', 'us-east-1: failures by target (latest code)'],
      ['us-east-1', 'us-east-1: availability by target (%)'],
      ['us-east-1', 'us-east-1: network phases by registry (ms, average)'],
      ['eu-west-1', 'eu-west-1: failures by target (latest code)'],
      ['eu-west-1', 'eu-west-1: availability by target (%)'],
      ['eu-west-1', 'eu-west-1: network phases by registry (ms, average)'],
    ]);
    expect(logs[2]!.properties.query).toBe(
      `SOURCE '/registry-canary/probe' | ${REGION_QUERIES.phases.join('\n| ')}`,
    );
  });

  it('filters the log queries on the probe result message and the fields the handler logs', () => {
    expect(REGION_QUERIES.failures[0]).toBe("filter message = 'probe result' and status = 'failing'");
    expect(REGION_QUERIES.phases.join(' ')).toContain('avg(phases.dnsMs)');
  });
});
