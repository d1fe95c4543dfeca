/**
 * The home-region alarms of one target, by failure kind (functions/publish/alarm-catalog.ts): failing
 * in any region, failing in K regions (a registry-wide outage), regions that ran but sent no result,
 * slow, and a low pull budget where the registry sends one. All read one-dimensional metrics that
 * every probe region feeds (functions/publish/metrics-catalog.ts), so a target costs the same
 * alarms however many regions probe it.
 */
import { Tags } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  ALARM_KINDS,
  type AlarmKind,
  type AlarmThresholds,
  targetAlarmKinds,
} from '../../functions/publish/alarm-catalog.ts';
import { type AlarmPolicy, createCanaryAlarm } from './canary-alarm.ts';
import type { CanaryMetrics } from './canary-metrics.ts';

export interface TargetAlarmsProps {
  target: string;
  image: string;
  /** Who owns the target; named in every description and tagged `Owner`. @default unnamed */
  owner?: string;
  /** CloudFormation tags on every alarm of the target. @default none */
  tags?: Readonly<Record<string, string>>;
  metrics: CanaryMetrics;
  /** The regions this target is probed from. */
  regions: readonly string[];
  policy: AlarmPolicy;
  /** A registry-wide outage: failing in at least this many regions. @default every region of the target */
  outageRegions?: number;
  slowMs: number;
  /** 0.2 = alarm below 20% of the pull budget. */
  rateLimitRatio: number;
  /**
   * Whether to alarm on a low pull budget: the home stack passes the target's `rateLimitAlarm`,
   * which defaults to whether its registry sends a budget (lib/config/rate-limit-alarm.ts).
   */
  rateLimitAlarm: boolean;
  /** @default DEFAULT_RUNBOOK_BASE_URL */
  runbookBaseUrl?: string;
  /** Notified on ALARM and on OK. */
  alarmAction: IAlarmAction;
}

export class TargetAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** The alarm that says the target fails anywhere: the one the dashboard's status widgets list. */
  readonly headline: Alarm;

  constructor(scope: Construct, id: string, props: TargetAlarmsProps) {
    super(scope, id);
    const { target, regions } = props;
    const n = regions.length;
    const outage = Math.min(props.outageRegions ?? n, n);
    const thresholds: AlarmThresholds = {
      one: 1,
      outageRegions: outage,
      regions: n,
      slowMs: props.slowMs,
      certExpiryDays: 0,
      // The probe warns when remaining < limit × ratio, so the alarm compares with exactly that.
      rateLimitPercent: props.rateLimitRatio * 100,
      runsPerPeriod: 1,
      zero: 0,
    };
    const where = regions.join(', ');
    const what: Partial<Record<AlarmKind, (window: string) => string>> = {
      FailingInAnyRegion: (w) => `${props.image} failed to pull in at least one of ${where} ${w}.`,
      FailingInManyRegions: (w) =>
        `${props.image} failed to pull in ${outage === n ? 'every one' : `${outage} or more`} of ${where} ${w}: a registry-wide outage, not a regional network problem.`,
      TargetSilent: (w) =>
        `Fewer than ${n} of ${where} sent a result for ${target} ${w}, though the probes ran: a result was cut off (the run's deadline) or never reached the home region. Check the probe log groups.`,
      LatencyDegraded: (w) =>
        `Probing ${target} took longer than ${props.slowMs} ms in at least one region ${w}.`,
      RateLimitLow: (w) =>
        `Fewer than ${thresholds.rateLimitPercent}% of the registry's pull budget was left for ${target} in at least one region ${w}: pulls will soon be refused with 429.`,
    };
    for (const kind of targetAlarmKinds(n, props.rateLimitAlarm)) {
      this.alarms.push(
        createCanaryAlarm(this, kind, {
          kind,
          subject: target,
          metric: props.metrics.forAlarm(ALARM_KINDS[kind], target),
          thresholds,
          policy: props.policy,
          period: props.metrics.period,
          what: what[kind] ?? ((w) => `${ALARM_KINDS[kind].meaning} (${target}, ${w})`),
          ...(props.owner ? { owner: props.owner } : {}),
          ...(props.runbookBaseUrl ? { runbookBaseUrl: props.runbookBaseUrl } : {}),
          action: props.alarmAction,
        }),
      );
    }
    this.headline = this.alarms[0]!;

    // Only alarms live in this construct, so tagging it tags exactly this target's alarms.
    for (const [key, value] of Object.entries(alarmTags(props.owner, props.tags)))
      Tags.of(this).add(key, value);
  }
}

/** The tags of a target's alarms: its `tags`, plus `Owner` when it has an owner (an explicit `tags.Owner` wins). */
export function alarmTags(
  owner: string | undefined,
  tags: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...(owner ? { Owner: owner } : {}), ...tags };
}
