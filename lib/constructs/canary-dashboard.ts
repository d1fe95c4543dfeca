/**
 * The CloudWatch dashboard, in the home region: first a global view (alarm status, availability per
 * target and region, latency per phase, pull budget, certificate days), then one detail section per
 * probe region drawn from that region's own EMF metrics through cross-region widgets.
 */
import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  Dimension,
  METRICS_NAMESPACE,
  NETWORK_PHASES,
  RegionalMetric,
} from '../../functions/publish/metrics-catalog.ts';
import { metricId } from '../config/metric-id.ts';
import { type CanaryMetrics, METRIC_ID_KINDS } from './canary-metrics.ts';

export interface DashboardTarget {
  name: string;
  /** The registry host of the target's image (as the probe reports it: docker.io -> registry-1.docker.io). */
  registry: string;
  /** Regions the target is probed from. */
  regions: readonly string[];
  rateLimited: boolean;
  metrics: CanaryMetrics;
}

export interface CanaryDashboardProps {
  dashboardName: string;
  homeRegion: string;
  probeRegions: readonly string[];
  targets: readonly DashboardTarget[];
  alarms: readonly Alarm[];
  period: Duration;
}

const FULL = 24;
const HALF = 12;

export class CanaryDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console URL of the dashboard, for alarm messages and stack outputs. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CanaryDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(12),
    });
    this.url = `https://${props.homeRegion}.console.aws.amazon.com/cloudwatch/home?region=${props.homeRegion}#dashboards:name=${props.dashboardName}`;

    this.dashboard.addWidgets(...this.globalView(props));
    for (const region of props.probeRegions) {
      this.dashboard.addWidgets(...this.regionDetail(region, props));
    }
  }

  private globalView(props: CanaryDashboardProps): IWidget[] {
    const widgets: IWidget[] = [
      new TextWidget({
        markdown: `# Registry canary: global view\nHome-region copies of every region's results. Availability is the share of runs that passed over the dashboard's time range.`,
        width: FULL,
        height: 2,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: FULL, height: 6 }),
    ];

    for (const target of props.targets) {
      widgets.push(
        new SingleValueWidget({
          title: `${target.name}: availability (%) by region`,
          metrics: target.regions.map(
            (region, i) =>
              new MathExpression({
                expression: `100 * ${metricId(target.name, METRIC_ID_KINDS.availability, i)}`,
                usingMetrics: {
                  [metricId(target.name, METRIC_ID_KINDS.availability, i)]: target.metrics.success(
                    target.name,
                    region,
                    'Average',
                  ),
                },
                label: region,
                period: props.period,
              }),
          ),
          setPeriodToTimeRange: true,
          width: HALF,
          height: 3,
        }),
      );
    }

    widgets.push(
      new GraphWidget({
        title: 'Probe duration, slowest region (ms)',
        left: props.targets.map((t) => t.metrics.worstDuration(t.name)),
        width: HALF,
        height: 6,
      }),
      new GraphWidget({
        title: 'Certificate days left (lowest over regions)',
        left: props.targets.map((t) => t.metrics.lowestCertDays(t.name)),
        width: HALF,
        height: 6,
      }),
    );
    const rateLimited = props.targets.filter((t) => t.rateLimited);
    if (rateLimited.length > 0) {
      widgets.push(
        new GraphWidget({
          title: 'Pull budget left (%, lowest over regions)',
          left: rateLimited.map((t) => t.metrics.lowestRateLimitPercent(t.name)),
          leftYAxis: { min: 0, max: 100 },
          width: HALF,
          height: 6,
        }),
      );
    }
    // Latency per phase in every region: cross-region metrics, one line per registry and region
    // (the phases are dimensioned by Registry: targets on one registry share them).
    const phaseLines = props.probeRegions.flatMap((region) =>
      registriesIn(region, props.targets).map((r) => ({ region, ...r })),
    );
    for (const phase of NETWORK_PHASES) {
      widgets.push(
        new GraphWidget({
          title: `Latency per phase: ${phase} (ms, sum over the probe's requests)`,
          left: phaseLines.map(({ region, registry, metrics }) =>
            metrics.regionalPhase(phase, registry, region).with({ label: `${registry} ${region}` }),
          ),
          width: HALF,
          height: 6,
        }),
      );
    }
    return widgets;
  }

  private regionDetail(region: string, props: CanaryDashboardProps): IWidget[] {
    const targets = props.targets.filter((t) => t.regions.includes(region));
    const regional = (name: string, target: DashboardTarget, statistic = 'Average') =>
      target.metrics.regional(name, target.name, region, statistic);
    const widgets: IWidget[] = [
      new TextWidget({
        markdown: `## ${region}\nThe probe's own metrics in ${region} (Embedded Metric Format), read across regions.`,
        width: FULL,
        height: 1,
      }),
      new GraphWidget({
        title: `${region}: success (1 = passed)`,
        region,
        left: targets.map((t) => regional(RegionalMetric.success, t, 'Minimum')),
        leftYAxis: { min: 0, max: 1 },
        width: HALF,
        height: 6,
      }),
      new GraphWidget({
        title: `${region}: failures by diagnosis code`,
        region,
        left: [
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},${Dimension.code}} MetricName="${RegionalMetric.failure}"', 'Sum', ${props.period.toSeconds()})`,
            label: 'failures',
            period: props.period,
            searchRegion: region,
          }),
        ],
        width: HALF,
        height: 6,
      }),
    ];
    const registries = registriesIn(region, props.targets);
    for (const phase of registries.length > 0 ? NETWORK_PHASES : []) {
      widgets.push(
        new GraphWidget({
          title: `${region}: ${phase} (ms)`,
          region,
          left: registries.map(({ registry, metrics }) =>
            metrics.regionalPhase(phase, registry, region).with({ label: registry }),
          ),
          width: 6,
          height: 5,
        }),
      );
    }
    widgets.push(
      new GraphWidget({
        title: `${region}: probe duration (ms)`,
        region,
        left: targets.map((t) => regional(RegionalMetric.duration, t, 'Maximum')),
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: `${region}: pull budget (remaining / limit)`,
        region,
        left: targets
          .filter((t) => t.rateLimited)
          .map((t) => regional(RegionalMetric.rateLimitRemaining, t, 'Minimum')),
        right: targets
          .filter((t) => t.rateLimited)
          .map((t) =>
            regional(RegionalMetric.rateLimitLimit, t, 'Maximum').with({ label: `${t.name} limit` }),
          ),
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: `${region}: run (targets probed, run duration ms)`,
        region,
        left: [this.runMetric(RegionalMetric.targetsProbed, region, 'Sum', props.period)],
        right: [this.runMetric(RegionalMetric.runDuration, region, 'Maximum', props.period)],
        width: 8,
        height: 6,
      }),
    );
    return widgets;
  }

  private runMetric(name: string, region: string, statistic: string, period: Duration): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      statistic,
      period,
      region,
      label: name,
    });
  }
}

/** The registries probed from a region, once each in the order of the targets, with one target's metric factory. */
function registriesIn(
  region: string,
  targets: readonly DashboardTarget[],
): { registry: string; metrics: CanaryMetrics }[] {
  const seen = new Map<string, CanaryMetrics>();
  for (const t of targets) {
    if (t.regions.includes(region) && !seen.has(t.registry)) seen.set(t.registry, t.metrics);
  }
  return [...seen].map(([registry, metrics]) => ({ registry, metrics }));
}
