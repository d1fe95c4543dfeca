/**
 * The CloudWatch dashboard, in the home region. It is built to stay within CloudWatch's dashboard
 * quotas at any fleet size (CloudWatch User Guide, "CloudWatch service quotas": 500 widgets per
 * dashboard, 500 metrics per widget, 2500 per dashboard; "Alarm status widget": at most 100 alarms
 * per widget), so nothing in it grows one widget or one metric per target:
 * - alarm status: the regions' heartbeats, then each target's headline alarm (failing anywhere) and
 *   each registry's certificate alarm, in widgets of at most 100 alarms, sorted by name;
 * - fleet graphs drawn by Metrics Insights queries (the N worst targets, whatever their number);
 * - per probe region, Logs Insights widgets over that region's result logs: failures by target and
 *   code, availability by target, and the network phases by registry. That is where per-region and
 *   per-phase detail lives now that metrics have no region dimension (metrics-catalog.ts).
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IWidget,
  LogQueryWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { RESULT_LOG_MESSAGE } from '../../functions/publish/result-log.ts';
import type { CanaryMetrics } from './canary-metrics.ts';

/** CloudWatch's limit of alarms in one alarm status widget. */
export const MAX_ALARMS_PER_STATUS_WIDGET = 100;
/** How many targets the "worst N" graphs draw. */
export const TOP_N = 10;

export interface CanaryDashboardProps {
  dashboardName: string;
  homeRegion: string;
  probeRegions: readonly string[];
  metrics: CanaryMetrics;
  /**
   * Alarms by name, not by construct: they may live in nested stacks, and a name referenced from
   * here (Alarm.fromAlarmName) adds no cross-stack output per alarm. The stack that owns this
   * dashboard must deploy after them.
   */
  alarmNames: {
    /** One per probe region: its probe stopped. */
    probeSilent: readonly string[];
    /** One per target: it fails in at least one region. */
    targets: readonly string[];
    /** One per registry host with TLS: its certificate expires soon. */
    certificates: readonly string[];
  };
  /** The probe's log group, the same name in every region. */
  probeLogGroupName: string;
}

type IAlarmNamed = ReturnType<typeof Alarm.fromAlarmName>;

const FULL = 24;
const HALF = 12;
const THIRD = 8;

export class CanaryDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console URL of the dashboard, for alarm messages and stack outputs. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CanaryDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.url = `https://${props.homeRegion}.console.aws.amazon.com/cloudwatch/home?region=${props.homeRegion}#dashboards:name=${props.dashboardName}`;

    this.dashboard.addWidgets(...this.alarmView(props), ...fleetGraphs(props.metrics));
    for (const region of props.probeRegions) this.dashboard.addWidgets(...regionDetail(region, props));
  }

  private alarmView(props: CanaryDashboardProps): IWidget[] {
    const widgets = (title: string, names: readonly string[]) =>
      statusWidgets(
        title,
        names.map((name) => Alarm.fromAlarmName(this, `Alarm-${name}`, name)),
      );
    return [
      new TextWidget({
        markdown: [
          '# Registry canary',
          `Every probe region's results, aggregated in ${props.homeRegion}. Alarms first; then the worst targets by Metrics Insights (the last 3 hours); then each region's own result logs (Logs Insights), with per-phase timings.`,
        ].join('\n'),
        width: FULL,
        height: 2,
      }),
      ...widgets('Probe regions: stopped?', props.alarmNames.probeSilent),
      ...widgets('Targets failing in any region', props.alarmNames.targets),
      ...widgets('Registry certificates', props.alarmNames.certificates),
    ];
  }
}

/** Alarm status widgets of at most MAX_ALARMS_PER_STATUS_WIDGET alarms each, in name order. */
export function statusWidgets(title: string, alarms: readonly IAlarmNamed[]): IWidget[] {
  if (alarms.length === 0) return [];
  const sorted = [...alarms].sort((a, b) => a.alarmName.localeCompare(b.alarmName));
  const chunks = Math.ceil(sorted.length / MAX_ALARMS_PER_STATUS_WIDGET);
  const widgets: IWidget[] = [];
  for (let i = 0; i < chunks; i++) {
    const chunk = sorted.slice(i * MAX_ALARMS_PER_STATUS_WIDGET, (i + 1) * MAX_ALARMS_PER_STATUS_WIDGET);
    widgets.push(
      new AlarmStatusWidget({
        title: chunks === 1 ? title : `${title} (${i + 1} of ${chunks})`,
        alarms: chunk,
        width: FULL,
        // Six alarms fit a row of a full-width widget.
        height: Math.min(12, 1 + Math.ceil(chunk.length / 6)),
      }),
    );
  }
  return widgets;
}

function fleetGraphs(metrics: CanaryMetrics): IWidget[] {
  return [
    new GraphWidget({
      title: `Regions failing, worst ${TOP_N} targets`,
      left: [metrics.topSubjects('failing', 'SUM', TOP_N, '')],
      width: HALF,
      height: 6,
    }),
    new GraphWidget({
      title: 'Probe runs reaching the home region, by region',
      left: [metrics.topSubjects('heartbeat', 'SUM', 100, '')],
      width: HALF,
      height: 6,
    }),
    new GraphWidget({
      title: `Slow probes (ms), worst ${TOP_N} targets`,
      left: [metrics.topSubjects('slowMs', 'MAX', TOP_N, '')],
      width: THIRD,
      height: 6,
    }),
    new GraphWidget({
      title: `Pull budget left (%) when low, worst ${TOP_N}`,
      left: [metrics.topSubjects('rateLimitLowPercent', 'MIN', TOP_N, '')],
      width: THIRD,
      height: 6,
    }),
    new GraphWidget({
      title: `Certificate days left when expiring, worst ${TOP_N}`,
      left: [metrics.topSubjects('certExpiringDays', 'MIN', TOP_N, '')],
      width: THIRD,
      height: 6,
    }),
  ];
}

/** The Logs Insights queries over one region's result lines (functions/publish/result-log.ts). */
export const REGION_QUERIES = {
  failures: [
    `filter message = '${RESULT_LOG_MESSAGE}' and status = 'failing'`,
    'stats count(*) as failedRuns, latest(diagnosis.code) as code, latest(diagnosis.summary) as summary by target',
    'sort failedRuns desc',
    'limit 50',
  ],
  availability: [
    `filter message = '${RESULT_LOG_MESSAGE}'`,
    "stats count(*) as runs, 100 - 100 * sum(strcontains(status, 'failing')) / count(*) as availability by target",
    'sort availability asc',
    'limit 50',
  ],
  phases: [
    `filter message = '${RESULT_LOG_MESSAGE}'`,
    'stats avg(phases.dnsMs) as dns, avg(phases.connectMs) as connect, avg(phases.tlsMs) as tls, avg(phases.ttfbMs) as ttfb, pct(durationMs, 95) as p95 by registry',
    'sort p95 desc',
    'limit 50',
  ],
} as const;

function regionDetail(region: string, props: CanaryDashboardProps): IWidget[] {
  const logs = (title: string, queryLines: readonly string[], width: number) =>
    new LogQueryWidget({
      title: `${region}: ${title}`,
      region,
      logGroupNames: [props.probeLogGroupName],
      queryLines: [...queryLines],
      width,
      height: 6,
    });
  return [
    new TextWidget({ markdown: `## ${region}`, width: FULL, height: 1 }),
    logs('failures by target (latest code)', REGION_QUERIES.failures, FULL),
    logs('availability by target (%)', REGION_QUERIES.availability, HALF),
    logs('network phases by registry (ms, average)', REGION_QUERIES.phases, HALF),
  ];
}
