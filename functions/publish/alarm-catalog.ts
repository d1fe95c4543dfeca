/**
 * Every alarm kind registry-canary deploys, as data: which metric it reads and how, its threshold,
 * how it treats missing data, its severity, its runbook and what it means. The CDK constructs build
 * alarms from these records, the cost model prices them, and the notifier reads an alarm's kind and
 * severity back from its name (alarmKindOf), so none of them re-derives an alarm by formula or by a
 * regular expression over names. Adding a kind is one record here, and one test.
 *
 * Missing data, per CloudWatch's evaluation rules (CloudWatch User Guide, "Configuring how
 * CloudWatch alarms treat missing data" and "How alarm state is evaluated when data is missing"):
 * - An alarm whose metric has no data yet (a fresh deploy, a target just added) must not go to
 *   ALARM, so no kind here treats missing data as breaching.
 * - When data stops, CloudWatch keeps evaluating the most recent REAL datapoints still in its
 *   evaluation range (which is longer than the evaluation periods) before it fills anything in, so a
 *   silence found through `breaching` is found late. The heartbeat therefore reads FILL(m, 0)
 *   (CloudWatch User Guide, "Metric math syntax and functions": FILL "fills the missing values of a
 *   time series"): while any real run is in the range, every period is a real datapoint, and M
 *   empty periods out of N alarm after exactly M periods. Before the first run ever, the series is
 *   empty, FILL has nothing to fill, and `ignore` keeps the alarm in INSUFFICIENT_DATA; after a
 *   silence longer than the range `ignore` keeps it in ALARM instead of flapping.
 * - FILL makes the newest period read 0 while the run that belongs to it is still publishing (the
 *   same page warns of exactly this), and a region's samples can land in a period a few seconds
 *   apart, so the kinds that count samples alarm on 2 or more datapoints ('at-least-2').
 */
import { HomeMetric, type HomeMetricKey } from './metrics-catalog.ts';

/** Alarm names are `RegistryCanary-<subject>-<kind>`; the subject is a target, a registry host or a region. */
export const ALARM_NAME_PREFIX = 'RegistryCanary-';

export type AlarmSeverity = 'critical' | 'warning';
/** What an alarm is about: one target, one registry host, one probe region, or the canary's own plumbing. */
export type AlarmScope = 'target' | 'registry' | 'region' | 'canary';
export type AlarmStatistic = 'Maximum' | 'Minimum' | 'Sum' | 'SampleCount';
/** CloudFormation's ComparisonOperator values. */
export type AlarmComparison = 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold';
/** CloudFormation's TreatMissingData values that can never raise an alarm on a metric with no data yet. */
export type MissingData = 'notBreaching' | 'ignore';

/** The numbers an alarm's threshold is taken from; the construct that builds the alarm supplies them. */
export interface AlarmThresholds {
  /** A constant 1. */
  one: number;
  /** A registry-wide outage: failing in at least this many regions (`alarms.outageRegions`, at most `regions`). */
  outageRegions: number;
  /** The regions the target is probed from. */
  regions: number;
  slowMs: number;
  certExpiryDays: number;
  /** `rateLimitRatio` × 100. */
  rateLimitPercent: number;
  /** Runs a region finishes per period: its shards. */
  runsPerPeriod: number;
  /** A dead-letter queue with anything in it. */
  zero: number;
}

/**
 * How many datapoints decide: `policy` is the config's M of N (`alarms.datapointsToAlarm` of
 * `alarms.evaluationPeriods`); `at-least-2` is the policy with M raised to 2 and N to M + 1 where
 * they are smaller (see the module comment); `single` is 1 of 1.
 */
export type AlarmWindow = 'policy' | 'at-least-2' | 'single';

/** The metric an alarm reads: a catalog metric in the home region, or a dead-letter queue's depth. */
export type AlarmMetric = HomeMetricKey | 'deadLetterQueueDepth';

export interface AlarmKindSpec {
  kind: string;
  scope: AlarmScope;
  metric: AlarmMetric;
  statistic: AlarmStatistic;
  comparison: AlarmComparison;
  threshold: keyof AlarmThresholds;
  missingData: MissingData;
  /** Wrap the metric in FILL(m, value) (the heartbeat; see the module comment). */
  fillMissingWith?: number;
  window: AlarmWindow;
  severity: AlarmSeverity;
  /** The runbook page, `<runbookBaseUrl>/<runbook>.md`. */
  runbook: string;
  /** What the alarm means, for docs and the notifier. */
  meaning: string;
}

export const ALARM_KINDS = {
  FailingInAnyRegion: {
    kind: 'FailingInAnyRegion',
    scope: 'target',
    metric: 'failing',
    statistic: 'Maximum',
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 'one',
    missingData: 'notBreaching',
    window: 'policy',
    severity: 'critical',
    runbook: 'README',
    meaning: 'The image failed to pull in at least one probe region.',
  },
  FailingInManyRegions: {
    kind: 'FailingInManyRegions',
    scope: 'target',
    metric: 'failing',
    statistic: 'Sum',
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 'outageRegions',
    missingData: 'notBreaching',
    window: 'policy',
    severity: 'critical',
    runbook: 'README',
    meaning: 'The image failed to pull in K or more regions: a registry-wide outage, not a regional fault.',
  },
  TargetSilent: {
    kind: 'TargetSilent',
    scope: 'target',
    metric: 'failing',
    statistic: 'SampleCount',
    comparison: 'LessThanThreshold',
    threshold: 'regions',
    // Every region silent reads as no data: that is the regions' heartbeats' to catch.
    missingData: 'notBreaching',
    window: 'at-least-2',
    severity: 'warning',
    runbook: 'PROBE_DLQ',
    meaning: 'Some probe regions ran but sent no result for this target.',
  },
  LatencyDegraded: {
    kind: 'LatencyDegraded',
    scope: 'target',
    metric: 'slowMs',
    statistic: 'Maximum',
    comparison: 'GreaterThanThreshold',
    threshold: 'slowMs',
    missingData: 'notBreaching',
    window: 'policy',
    severity: 'warning',
    runbook: 'SLOW',
    meaning: 'The probe took longer than the slow threshold in at least one region.',
  },
  RateLimitLow: {
    kind: 'RateLimitLow',
    scope: 'target',
    metric: 'rateLimitLowPercent',
    statistic: 'Minimum',
    comparison: 'LessThanThreshold',
    threshold: 'rateLimitPercent',
    missingData: 'notBreaching',
    window: 'policy',
    severity: 'warning',
    runbook: 'RATE_LIMIT_LOW',
    meaning: "Less than the threshold of the registry's pull budget is left in at least one region.",
  },
  CertificateExpiring: {
    kind: 'CertificateExpiring',
    scope: 'registry',
    metric: 'certExpiringDays',
    statistic: 'Minimum',
    comparison: 'LessThanThreshold',
    threshold: 'certExpiryDays',
    missingData: 'notBreaching',
    window: 'single',
    severity: 'warning',
    runbook: 'CERT_EXPIRING',
    meaning: "The registry's TLS certificate expires within the warning window.",
  },
  ProbeSilent: {
    kind: 'ProbeSilent',
    scope: 'region',
    metric: 'heartbeat',
    statistic: 'SampleCount',
    comparison: 'LessThanThreshold',
    threshold: 'runsPerPeriod',
    missingData: 'ignore',
    fillMissingWith: 0,
    window: 'at-least-2',
    severity: 'critical',
    runbook: 'PROBE_DLQ',
    meaning: 'The probe in a region stopped running, or its results stopped reaching the home region.',
  },
  NotifierDeadLetters: {
    kind: 'NotifierDeadLetters',
    scope: 'canary',
    metric: 'deadLetterQueueDepth',
    statistic: 'Maximum',
    comparison: 'GreaterThanThreshold',
    threshold: 'zero',
    missingData: 'notBreaching',
    window: 'single',
    severity: 'critical',
    runbook: 'NOTIFIER_DLQ',
    meaning: 'The notifier could not turn some alarms into alerts.',
  },
} as const satisfies Record<string, AlarmKindSpec>;

export type AlarmKind = keyof typeof ALARM_KINDS;

export const ALARM_KIND_LIST: readonly AlarmKindSpec[] = Object.values(ALARM_KINDS);

/**
 * The kinds a target gets: a single-region target has no "many regions" and no partial silence
 * (SampleCount < 1 is no data at all, the heartbeat's to catch); the pull-budget alarm only where
 * the target's `rateLimitAlarm` holds (lib/config/rate-limit-alarm.ts).
 */
export function targetAlarmKinds(regions: number, rateLimitAlarm: boolean): AlarmKind[] {
  return (Object.keys(ALARM_KINDS) as AlarmKind[]).filter((kind) => {
    if (ALARM_KINDS[kind].scope !== 'target') return false;
    if (kind === 'FailingInManyRegions' || kind === 'TargetSilent') return regions > 1;
    if (kind === 'RateLimitLow') return rateLimitAlarm;
    return true;
  });
}

export function thresholdOf(spec: AlarmKindSpec, thresholds: AlarmThresholds): number {
  return thresholds[spec.threshold];
}

/** `{ datapointsToAlarm, evaluationPeriods }` of a kind under the config's M-of-N policy. */
export function windowOf(
  spec: AlarmKindSpec,
  policy: { datapointsToAlarm: number; evaluationPeriods: number },
): { datapointsToAlarm: number; evaluationPeriods: number } {
  if (spec.window === 'single') return { datapointsToAlarm: 1, evaluationPeriods: 1 };
  if (spec.window === 'policy') return { ...policy };
  const datapointsToAlarm = Math.max(2, policy.datapointsToAlarm);
  return { datapointsToAlarm, evaluationPeriods: Math.max(datapointsToAlarm + 1, policy.evaluationPeriods) };
}

/** The metric name a catalog metric key stands for (the queue depth is the SQS metric). */
export function metricNameOf(metric: AlarmMetric): string {
  return metric === 'deadLetterQueueDepth' ? 'ApproximateNumberOfMessagesVisible' : HomeMetric[metric].name;
}

export function alarmName(kind: AlarmKind, subject: string): string {
  return `${ALARM_NAME_PREFIX}${subject}-${kind}`;
}

/**
 * The kind and subject of one of our alarm names, or null for a name we did not make. Names end in
 * `-<kind>`, and no kind is a suffix of another (checked by the catalog's test), so the suffix decides.
 */
export function alarmKindOf(name: string): { spec: AlarmKindSpec; subject: string } | null {
  if (!name.startsWith(ALARM_NAME_PREFIX)) return null;
  for (const spec of ALARM_KIND_LIST) {
    const suffix = `-${spec.kind}`;
    if (name.endsWith(suffix) && name.length > ALARM_NAME_PREFIX.length + suffix.length) {
      return { spec, subject: name.slice(ALARM_NAME_PREFIX.length, name.length - suffix.length) };
    }
  }
  return null;
}
