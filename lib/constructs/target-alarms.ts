/**
 * The home-region alarms of one target, by failure kind, each with typed thresholds and a
 * description that says what happened and where the runbook is. They read the home copy of every
 * region's results: CloudWatch alarms cannot read another region's metrics.
 */
import { Duration, Tags } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DEFAULT_RUNBOOK_BASE_URL, runbookUrl } from '../../functions/probe/codes.ts';
import type { CanaryMetrics } from './canary-metrics.ts';

export type AlarmKind =
  | 'FailingInAnyRegion'
  | 'FailingInManyRegions'
  | 'RegionSilent'
  | 'RateLimitLow'
  | 'CertificateExpiring'
  | 'LatencyDegraded';

export interface TargetAlarmsProps {
  target: string;
  image: string;
  /** Who owns the target; named in every description and tagged `Owner`. @default unnamed */
  owner?: string;
  /** CloudFormation tags on every alarm of the target. @default none */
  tags?: Readonly<Record<string, string>>;
  /** Metrics over the regions this target is probed from. */
  metrics: CanaryMetrics;
  /** Alarm after this many bad periods ... */
  datapointsToAlarm: number;
  /** ... out of the last this many. */
  evaluationPeriods: number;
  /** A registry-wide outage: failing in at least this many regions. @default every region of the target */
  outageRegions?: number;
  slowMs: number;
  certExpiryDays: number;
  /** 0.2 = alarm below 20% of the pull budget. */
  rateLimitRatio: number;
  /**
   * Whether to alarm on a low pull budget: the home stack passes the target's `rateLimitAlarm`,
   * which defaults to whether its registry is known to limit pulls (lib/config/rate-limit-alarm.ts).
   */
  rateLimitAlarm: boolean;
  /** @default DEFAULT_RUNBOOK_BASE_URL */
  runbookBaseUrl?: string;
  /** Notified on ALARM and on OK. */
  alarmAction: IAlarmAction;
}

export class TargetAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: TargetAlarmsProps,
  ) {
    super(scope, id);
    const { target, metrics } = props;
    const regions = metrics.regions;
    const base = (props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL).replace(/\/+$/, '');
    const index = `${base}/README.md`;
    const failing = metrics.failingRegions(target);
    const n = regions.length;

    this.add('FailingInAnyRegion', {
      metric: failing,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      what: `${props.image} failed to pull in at least one of ${regions.join(', ')} in ${this.mOfN()}.`,
      runbook: index,
    });

    if (n > 1) {
      const k = Math.min(props.outageRegions ?? n, n);
      this.add('FailingInManyRegions', {
        metric: failing,
        threshold: k,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        what: `${props.image} failed to pull in ${k === n ? 'every one' : `${k} or more`} of ${regions.join(', ')} in ${this.mOfN()}: a registry-wide outage, not a regional network problem.`,
        runbook: index,
      });
    }

    for (const region of regions) {
      this.add('RegionSilent', {
        idSuffix: region,
        metric: metrics.success(target, region, 'SampleCount'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data IS the failure here: the probe in that region stopped running or stopped reporting.
        treatMissingData: TreatMissingData.BREACHING,
        what: `No result for ${target} arrived from ${region} in ${this.mOfN()}: the probe there stopped running or cannot reach the home region. Check its dead-letter queue alarm and log group in ${region}.`,
        runbook: index,
      });
    }

    if (props.rateLimitAlarm) {
      const percent = Math.round(props.rateLimitRatio * 100);
      this.add('RateLimitLow', {
        metric: metrics.lowestRateLimitPercent(target),
        threshold: percent,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        what: `Fewer than ${percent}% of the registry's pull budget is left for ${target} in at least one region: pulls will soon be refused with 429.`,
        runbook: runbookUrl('RATE_LIMIT_LOW', base),
      });
    }

    this.add('CertificateExpiring', {
      metric: metrics.lowestCertDays(target),
      threshold: props.certExpiryDays,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      datapointsToAlarm: 1,
      evaluationPeriods: 1,
      what: `The TLS certificate of ${props.image.split('/')[0]} (target ${target}) expires in fewer than ${props.certExpiryDays} days.`,
      runbook: runbookUrl('CERT_EXPIRING', base),
    });

    this.add('LatencyDegraded', {
      metric: metrics.worstDuration(target),
      threshold: props.slowMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      what: `Probing ${target} took longer than ${props.slowMs} ms in at least one region in ${this.mOfN()}.`,
      runbook: runbookUrl('SLOW', base),
    });

    // Only alarms live in this construct, so tagging it tags exactly this target's alarms.
    for (const [key, value] of Object.entries(alarmTags(props.owner, props.tags)))
      Tags.of(this).add(key, value);
  }

  private mOfN(): string {
    const { datapointsToAlarm: m, evaluationPeriods: n } = this.props;
    const minutes = this.props.metrics.period.toMinutes();
    return `${m} of the last ${n} runs (${minutes} min apart)`;
  }

  private add(
    kind: AlarmKind,
    spec: {
      idSuffix?: string;
      metric: IMetric;
      threshold: number;
      comparisonOperator: ComparisonOperator;
      treatMissingData?: TreatMissingData;
      datapointsToAlarm?: number;
      evaluationPeriods?: number;
      what: string;
      runbook: string;
    },
  ): void {
    const { target, owner } = this.props;
    const name = `RegistryCanary-${target}-${kind}${spec.idSuffix ? `-${spec.idSuffix}` : ''}`;
    const alarm = new Alarm(this, `${kind}${spec.idSuffix ? `-${spec.idSuffix}` : ''}`, {
      alarmName: name,
      alarmDescription: [spec.what, owner ? `Owner: ${owner}.` : '', `Runbook: ${spec.runbook}`]
        .filter(Boolean)
        .join(' '),
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      datapointsToAlarm: spec.datapointsToAlarm ?? this.props.datapointsToAlarm,
      evaluationPeriods: spec.evaluationPeriods ?? this.props.evaluationPeriods,
      // A warning metric absent (no rate-limit headers, plain HTTP) is not a problem.
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.props.alarmAction);
    alarm.addOkAction(this.props.alarmAction);
    this.alarms.push(alarm);
  }
}

/** Exported for the docs and tests: the alarm period equals the schedule. */
export function alarmPeriod(everyMinutes: number): Duration {
  return Duration.minutes(everyMinutes);
}

/** The tags of a target's alarms: its `tags`, plus `Owner` when it has an owner (an explicit `tags.Owner` wins). */
export function alarmTags(
  owner: string | undefined,
  tags: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...(owner ? { Owner: owner } : {}), ...tags };
}
