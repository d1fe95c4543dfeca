import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Alarm, Dashboard, GraphWidget, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { CanaryDashboard } from '../../../../lib/constructs/canary-dashboard.ts';
import { CanaryMetrics, METRIC_ID_KINDS } from '../../../../lib/constructs/canary-metrics.ts';

interface Widget {
  type: string;
  properties: {
    title?: string;
    region?: string;
    markdown?: string;
    metrics?: unknown[][];
    alarms?: unknown[];
  };
}

let widgets: Widget[];
let dashboard: CanaryDashboard;

beforeAll(() => {
  const stack = new Stack(new App(), 'Home', { env: { account: '111111111111', region: 'us-east-1' } });
  const period = Duration.minutes(5);
  const regions = ['us-east-1', 'eu-west-1'];
  const alarm = new Alarm(stack, 'A', {
    metric: new Metric({ namespace: 'N', metricName: 'M' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  dashboard = new CanaryDashboard(stack, 'Dashboard', {
    dashboardName: 'RegistryCanary-us-east-1',
    homeRegion: 'us-east-1',
    probeRegions: regions,
    targets: [
      {
        name: 'hub',
        registry: 'registry-1.docker.io',
        regions,
        rateLimited: true,
        metrics: new CanaryMetrics(period, regions),
      },
      // A second image on the same registry: it shares the phase series with `hub`.
      {
        name: 'hub-nginx',
        registry: 'registry-1.docker.io',
        regions,
        rateLimited: true,
        metrics: new CanaryMetrics(period, regions),
      },
      {
        name: 'ghcr',
        registry: 'ghcr.io',
        regions: ['eu-west-1'],
        rateLimited: false,
        metrics: new CanaryMetrics(period, ['eu-west-1']),
      },
    ],
    alarms: [alarm],
    period,
  });
  widgets = widgetsOf(stack);
}, 60_000); // the first synth in a process loads much of aws-cdk-lib, slow on a busy machine

/** The widgets of the one dashboard in `stack`, as CloudWatch receives them. */
function widgetsOf(stack: Stack): Widget[] {
  const template = Template.fromStack(stack);
  const [resource] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: unknown };
  }[];
  // The body is a Fn::Join of strings and tokens; resolve the tokens into placeholders and parse.
  const body = stack.resolve(resource!.Properties.DashboardBody) as
    | string
    | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** The metric-math ids in a widget: each metric row may end in an options object with an `id`. */
function idsOf(widget: Widget): string[] {
  return (widget.properties.metrics ?? []).flatMap((row) => {
    const options = row[row.length - 1];
    const id = options && typeof options === 'object' ? (options as { id?: unknown }).id : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}

const titles = () => widgets.map((w) => w.properties.title).filter(Boolean);

describe('CanaryDashboard', () => {
  it('starts with the global view: alarm status and availability per target and region', () => {
    expect(widgets[1]).toMatchObject({ type: 'alarm', properties: { title: 'Alarms' } });
    expect(titles()).toEqual(
      expect.arrayContaining(['hub: availability (%) by region', 'ghcr: availability (%) by region']),
    );
    const hub = widgets.find((w) => w.properties.title === 'hub: availability (%) by region')!;
    const expressions = hub.properties.metrics!.filter((m) => JSON.stringify(m).includes('expression'));
    expect(expressions).toHaveLength(2);
  });

  it('charts latency, certificate days and the pull budget of rate-limited targets only', () => {
    expect(titles()).toEqual(
      expect.arrayContaining([
        'Probe duration, slowest region (ms)',
        'Certificate days left (lowest over regions)',
        'Pull budget left (%, lowest over regions)',
        "Latency per phase: dns (ms, sum over the probe's requests)",
        "Latency per phase: ttfb (ms, sum over the probe's requests)",
      ]),
    );
    const budget = widgets.find((w) => w.properties.title === 'Pull budget left (%, lowest over regions)')!;
    expect(JSON.stringify(budget)).toContain('hub: pull budget left');
    expect(JSON.stringify(budget)).not.toContain('ghcr');
  });

  it("has a detail section per region whose widgets read that region's metrics", () => {
    const eu = widgets.filter((w) => w.properties.title?.startsWith('eu-west-1:'));
    expect(eu.map((w) => w.properties.title)).toEqual([
      'eu-west-1: success (1 = passed)',
      'eu-west-1: failures by diagnosis code',
      'eu-west-1: dns (ms)',
      'eu-west-1: connect (ms)',
      'eu-west-1: tls (ms)',
      'eu-west-1: ttfb (ms)',
      'eu-west-1: probe duration (ms)',
      'eu-west-1: pull budget (remaining / limit)',
      'eu-west-1: run (targets probed, run duration ms)',
    ]);
    expect(eu.every((w) => w.properties.region === 'eu-west-1')).toBe(true);
    expect(JSON.stringify(eu[1])).toContain('SEARCH(\'{RegistryCanary,Code} MetricName=\\"Failure\\"\'');
    // Only targets probed from the region appear in its section.
    expect(JSON.stringify(widgets.filter((w) => w.properties.title?.startsWith('us-east-1:')))).not.toContain(
      'ghcr',
    );
  });

  it('charts each phase once per registry and region, from the Registry-dimensioned series of that region', () => {
    const dns = widgets.find(
      (w) => w.properties.title === "Latency per phase: dns (ms, sum over the probe's requests)",
    )!;
    expect(dns.properties.metrics).toEqual([
      [
        'RegistryCanary',
        'DnsMs',
        'Registry',
        'registry-1.docker.io',
        { label: 'registry-1.docker.io us-east-1', region: 'us-east-1' },
      ],
      [
        'RegistryCanary',
        'DnsMs',
        'Registry',
        'registry-1.docker.io',
        { label: 'registry-1.docker.io eu-west-1', region: 'eu-west-1' },
      ],
      ['RegistryCanary', 'DnsMs', 'Registry', 'ghcr.io', { label: 'ghcr.io eu-west-1', region: 'eu-west-1' }],
    ]);
    const euTls = widgets.find((w) => w.properties.title === 'eu-west-1: tls (ms)')!;
    expect(euTls.properties.metrics).toEqual([
      [
        'RegistryCanary',
        'TlsMs',
        'Registry',
        'registry-1.docker.io',
        { label: 'registry-1.docker.io', region: 'eu-west-1' },
      ],
      ['RegistryCanary', 'TlsMs', 'Registry', 'ghcr.io', { label: 'ghcr.io', region: 'eu-west-1' }],
    ]);
    // No phase widget reads a Target-dimensioned series any more.
    const phaseWidgets = widgets.filter((w) => /(dns|connect|tls|ttfb)/.test(w.properties.title ?? ''));
    expect(phaseWidgets).toHaveLength(4 + 2 * 4);
    expect(JSON.stringify(phaseWidgets)).not.toContain('"Target"');
  });

  it('gives other constructs the console URL of the dashboard', () => {
    expect(dashboard.url).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=RegistryCanary-us-east-1',
    );
  });
});

describe('metric-math ids', () => {
  const period = Duration.minutes(5);
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-1'];

  it('gives each series its own id kind, without underscores, so kinds and region indexes cannot meet', () => {
    const kinds = Object.values(METRIC_ID_KINDS);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const kind of kinds) expect(kind).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it("fits every one of a target's series, for several targets, into one graph without an id clash", () => {
    const stack = new Stack(new App(), 'OneGraph', { env: { account: '111111111111', region: 'us-east-1' } });
    const metrics = new CanaryMetrics(period, regions);
    const series = ['hub', 'hub-1'].flatMap((t) => [
      metrics.failingRegions(t),
      metrics.worstDuration(t),
      metrics.lowestRateLimitPercent(t),
      metrics.lowestCertDays(t),
    ]);
    new Dashboard(stack, 'D').addWidgets(new GraphWidget({ left: series }));

    // CloudWatch (and the CDK, at synth) refuse one id for two metrics in a graph.
    const [graph] = widgetsOf(stack);
    const ids = idsOf(graph!);
    expect(ids.length).toBeGreaterThanOrEqual(2 * 4 * regions.length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never repeats an id within a widget of the dashboard of a fleet with certificate and pull-budget series', () => {
    const stack = new Stack(new App(), 'Fleet', { env: { account: '111111111111', region: 'us-east-1' } });
    // Names chosen to look like id kinds and region indexes: `rl`, `cert`, `s`, `hub-1` beside `hub`.
    const names = ['hub', 'hub-1', 'rl', 'cert', 's', 'ghcr'];
    new CanaryDashboard(stack, 'Dashboard', {
      dashboardName: 'RegistryCanary-us-east-1',
      homeRegion: 'us-east-1',
      probeRegions: regions,
      targets: names.map((name) => ({
        name,
        registry: name === 'ghcr' ? 'ghcr.io' : 'registry-1.docker.io',
        regions,
        rateLimited: name !== 'ghcr',
        metrics: new CanaryMetrics(period, regions),
      })),
      alarms: [],
      period,
    });

    const fleetWidgets = widgetsOf(stack);
    for (const widget of fleetWidgets) {
      const ids = idsOf(widget);
      expect(new Set(ids).size, widget.properties.title).toBe(ids.length);
    }
    const idsIn = (title: string) => idsOf(fleetWidgets.find((w) => w.properties.title === title)!);
    expect(idsIn('Certificate days left (lowest over regions)')).toHaveLength(names.length * regions.length);
    expect(idsIn('Pull budget left (%, lowest over regions)')).toHaveLength(
      (names.length - 1) * regions.length,
    );
  });
});
