/**
 * What PutMetricAlarm accepts (CloudFormation's AWS::CloudWatch::Alarm calls it), and the quotas of
 * metric-math and Metrics Insights alarms.
 *
 * Sources, checked against the CloudWatch API model (botocore 1.43.11, cloudwatch 2010-08-01,
 * whose documentation strings are the API Reference's):
 * - PutMetricAlarm (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html):
 *   Period "Valid values are 10, 20, 30, and any multiple of 60"; "Period multiplied by
 *   EvaluationPeriods can't be more than 604,800 seconds. For alarms with a period of less than one
 *   hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400
 *   seconds)"; DatapointsToAlarm is the M and EvaluationPeriods the N of "M out of N"; at most 5
 *   actions per state; "as many as 50 tags"; AlarmDescription 0-1024 characters.
 * - MetricDataQuery (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html):
 *   "A single PutMetricAlarm call can include up to 20 MetricDataQuery structures ... as many as 10
 *   structures that contain a MetricStat ... and as many as 10 ... that contain the Expression
 *   parameter ... one must have true as the value for ReturnData"; Id: "The valid characters are
 *   letters, numbers, and underscore. The first character must be a lowercase letter", 1-255.
 *   Period of a MetricStat: 1, 5, 10, 20, 30, 60 or any multiple of 60.
 * - Metrics Insights alarms (CloudWatch User Guide, "Limits":
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html): "A default of
 *   200 alarms using the Metrics Insights query per account per Region"; "Only the latest 3 hours
 *   of data can be used for evaluating the alarm's conditions".
 * - Tags: CloudWatch API model, Tag: Key 1-128, Value 0-256 characters.
 */
import { literalNumber } from '../intrinsics.ts';
import type { Finding, GuardRule } from '../rule.ts';
import type { GuardResource, TemplateSet } from '../template-set.ts';

const PUT_METRIC_ALARM =
  'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html';
const METRIC_DATA_QUERY =
  'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html';
const ALARM_LIMITS = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html';

export const MAX_ALARM_METRIC_STATS = 10;
export const MAX_ALARM_EXPRESSIONS = 10;
export const MAX_ALARM_QUERIES = 20;
export const MAX_ACTIONS_PER_STATE = 5;
export const MAX_ALARM_TAGS = 50;
export const MAX_METRICS_INSIGHTS_ALARMS_PER_REGION = 200;
export const METRICS_INSIGHTS_WINDOW_SECONDS = 3 * 3600;
const ONE_DAY = 86_400;
const SEVEN_DAYS = 604_800;

interface MetricDataQuery {
  Id?: unknown;
  Expression?: unknown;
  MetricStat?: { Period?: unknown };
  Period?: unknown;
  ReturnData?: unknown;
}

function alarms(set: TemplateSet): readonly GuardResource[] {
  return set.resources('AWS::CloudWatch::Alarm');
}

function queries(alarm: GuardResource): MetricDataQuery[] {
  const metrics = alarm.properties['Metrics'];
  return Array.isArray(metrics) ? (metrics as MetricDataQuery[]) : [];
}

/** The alarm's period: its own, or that of the data its metric math reads. */
function periodOf(alarm: GuardResource): number | undefined {
  const own = literalNumber(alarm.properties['Period']);
  if (own !== undefined) return own;
  const periods = queries(alarm)
    .map((q) => literalNumber(q.MetricStat?.Period ?? q.Period))
    .filter((p): p is number => p !== undefined);
  return periods.length ? Math.max(...periods) : undefined;
}

function isMetricsInsights(query: MetricDataQuery): boolean {
  return typeof query.Expression === 'string' && /^\s*SELECT\s/i.test(query.Expression);
}

const usesMetricsInsights = (alarm: GuardResource): boolean => queries(alarm).some(isMetricsInsights);

function finding(alarm: GuardResource, message: string, location: string): Finding {
  return { at: alarm, message, location };
}

export const ALARM_RULES: readonly GuardRule[] = [
  {
    id: 'CW-AlarmPeriod',
    checks:
      'An alarm period is 10, 20, 30 or a multiple of 60 seconds; a metric it reads has 1, 5, 10, 20, 30 or a multiple of 60.',
    limit: 'Period ∈ {10, 20, 30, 60·k}; MetricStat.Period ∈ {1, 5, 10, 20, 30, 60·k}',
    source: PUT_METRIC_ALARM,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const found: Finding[] = [];
        const own = literalNumber(alarm.properties['Period']);
        if (own !== undefined && !([10, 20, 30].includes(own) || (own > 0 && own % 60 === 0)))
          found.push(finding(alarm, `Period is ${own} s`, 'Properties.Period'));
        queries(alarm).forEach((q, i) => {
          const p = literalNumber(q.MetricStat?.Period);
          if (p !== undefined && !([1, 5, 10, 20, 30].includes(p) || (p > 0 && p % 60 === 0)))
            found.push(
              finding(alarm, `Metrics[${i}].MetricStat.Period is ${p} s`, `Properties.Metrics.${i}`),
            );
        });
        return found;
      }),
  },
  {
    id: 'CW-AlarmEvaluationRange',
    checks: 'Period × EvaluationPeriods is at most one day for periods under an hour, seven days otherwise.',
    limit: '≤ 86,400 s when Period < 3,600 s; ≤ 604,800 s otherwise',
    source: PUT_METRIC_ALARM,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const period = periodOf(alarm);
        const n = literalNumber(alarm.properties['EvaluationPeriods']);
        if (period === undefined || n === undefined) return [];
        const max = period < 3600 ? ONE_DAY : SEVEN_DAYS;
        return period * n > max
          ? [
              finding(
                alarm,
                `${n} periods of ${period} s cover ${period * n} s, more than ${max} s`,
                'Properties.EvaluationPeriods',
              ),
            ]
          : [];
      }),
  },
  {
    id: 'CW-AlarmDatapoints',
    checks: 'DatapointsToAlarm (M) is at least 1 and at most EvaluationPeriods (N).',
    limit: '1 ≤ DatapointsToAlarm ≤ EvaluationPeriods',
    source: PUT_METRIC_ALARM,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const m = literalNumber(alarm.properties['DatapointsToAlarm']);
        const n = literalNumber(alarm.properties['EvaluationPeriods']);
        if (m === undefined || n === undefined) return [];
        return m < 1 || m > n
          ? [
              finding(
                alarm,
                `DatapointsToAlarm is ${m} of EvaluationPeriods ${n}`,
                'Properties.DatapointsToAlarm',
              ),
            ]
          : [];
      }),
  },
  {
    id: 'CW-AlarmMetricMathSize',
    checks:
      'A metric-math alarm reads at most 10 metrics and computes at most 10 expressions (20 queries in all).',
    limit: `${MAX_ALARM_METRIC_STATS} MetricStat + ${MAX_ALARM_EXPRESSIONS} Expression queries, ${MAX_ALARM_QUERIES} in all`,
    source: METRIC_DATA_QUERY,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const all = queries(alarm);
        const stats = all.filter((q) => q.MetricStat !== undefined).length;
        const expressions = all.filter((q) => q.Expression !== undefined).length;
        return stats > MAX_ALARM_METRIC_STATS ||
          expressions > MAX_ALARM_EXPRESSIONS ||
          all.length > MAX_ALARM_QUERIES
          ? [
              finding(
                alarm,
                `the alarm has ${stats} metrics and ${expressions} expressions`,
                'Properties.Metrics',
              ),
            ]
          : [];
      }),
  },
  {
    id: 'CW-AlarmReturnData',
    checks: 'Exactly one query of a metric-math alarm has ReturnData true (omitted means true).',
    limit: 'exactly one ReturnData: true',
    source: METRIC_DATA_QUERY,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const all = queries(alarm);
        if (all.length === 0) return [];
        const returning = all.filter((q) => q.ReturnData !== false && q.ReturnData !== 'false');
        return returning.length === 1
          ? []
          : [
              finding(
                alarm,
                `${returning.length} queries return data (${returning.map((q) => q.Id).join(', ') || 'none'})`,
                'Properties.Metrics',
              ),
            ];
      }),
  },
  {
    id: 'CW-MetricMathId',
    checks:
      'Each query id of a metric-math alarm starts with a lowercase letter, has only letters, digits and underscores, is at most 255 long, and is unique in the alarm.',
    limit: 'Id matches ^[a-z][A-Za-z0-9_]*$, 1-255 characters, unique',
    source: METRIC_DATA_QUERY,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const seen = new Set<string>();
        return queries(alarm).flatMap((q, i) => {
          const id = typeof q.Id === 'string' ? q.Id : '';
          const problem = !/^[a-z][A-Za-z0-9_]*$/.test(id)
            ? 'is not a lowercase letter followed by letters, digits or underscores'
            : id.length > 255
              ? 'is longer than 255 characters'
              : seen.has(id)
                ? 'is used twice'
                : undefined;
          seen.add(id);
          return problem
            ? [finding(alarm, `Metrics[${i}].Id "${id}" ${problem}`, `Properties.Metrics.${i}.Id`)]
            : [];
        });
      }),
  },
  {
    id: 'CW-AlarmSearchExpression',
    checks: 'No alarm expression uses SEARCH: CloudWatch cannot alarm on a search expression.',
    limit: 'SEARCH() not allowed in an alarm',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-search-expressions.html',
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) =>
        queries(alarm).flatMap((q, i) =>
          typeof q.Expression === 'string' && /\bSEARCH\s*\(/i.test(q.Expression)
            ? [finding(alarm, `Metrics[${i}].Expression uses SEARCH`, `Properties.Metrics.${i}.Expression`)]
            : [],
        ),
      ),
  },
  {
    id: 'CW-MetricsInsightsAlarmsPerRegion',
    checks:
      'At most 200 alarms per region evaluate a Metrics Insights query (all stacks of the app together).',
    limit: `${MAX_METRICS_INSIGHTS_ALARMS_PER_REGION} Metrics Insights alarms per account and region (default quota)`,
    source: ALARM_LIMITS,
    consequence: 'rejected',
    check: (set) => {
      const byRegion = new Map<string, GuardResource[]>();
      for (const alarm of alarms(set).filter(usesMetricsInsights)) {
        const region = alarm.template.region ?? 'an unknown region';
        byRegion.set(region, [...(byRegion.get(region) ?? []), alarm]);
      }
      return [...byRegion].flatMap(([region, list]) =>
        list.length > MAX_METRICS_INSIGHTS_ALARMS_PER_REGION
          ? list
              .slice(MAX_METRICS_INSIGHTS_ALARMS_PER_REGION)
              .map((alarm) =>
                finding(alarm, `${list.length} Metrics Insights alarms in ${region}`, 'Properties.Metrics'),
              )
          : [],
      );
    },
  },
  {
    id: 'CW-MetricsInsightsAlarmWindow',
    checks: 'A Metrics Insights alarm evaluates at most the latest 3 hours (Period × EvaluationPeriods).',
    limit: `Period × EvaluationPeriods ≤ ${METRICS_INSIGHTS_WINDOW_SECONDS} s`,
    source: ALARM_LIMITS,
    consequence: 'misbehaves',
    check: (set) =>
      alarms(set)
        .filter(usesMetricsInsights)
        .flatMap((alarm) => {
          const period = periodOf(alarm);
          const n = literalNumber(alarm.properties['EvaluationPeriods']);
          if (period === undefined || n === undefined) return [];
          return period * n > METRICS_INSIGHTS_WINDOW_SECONDS
            ? [
                finding(
                  alarm,
                  `${n} periods of ${period} s need ${period * n} s of data`,
                  'Properties.EvaluationPeriods',
                ),
              ]
            : [];
        }),
  },
  {
    id: 'CW-AlarmActions',
    checks: 'An alarm has at most 5 actions for each state.',
    limit: `${MAX_ACTIONS_PER_STATE} AlarmActions, OKActions, InsufficientDataActions each`,
    source: PUT_METRIC_ALARM,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) =>
        ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((key) => {
          const actions = alarm.properties[key];
          return Array.isArray(actions) && actions.length > MAX_ACTIONS_PER_STATE
            ? [finding(alarm, `${key} has ${actions.length} actions`, `Properties.${key}`)]
            : [];
        }),
      ),
  },
  {
    id: 'CW-AlarmTags',
    checks: 'An alarm has at most 50 tags, keys of 1-128 and values of at most 256 characters.',
    limit: `${MAX_ALARM_TAGS} tags; Key 1-128, Value 0-256 characters`,
    source: PUT_METRIC_ALARM,
    consequence: 'rejected',
    check: (set) =>
      alarms(set).flatMap((alarm) => {
        const tags = alarm.properties['Tags'];
        if (!Array.isArray(tags)) return [];
        const found: Finding[] = [];
        if (tags.length > MAX_ALARM_TAGS)
          found.push(finding(alarm, `the alarm has ${tags.length} tags`, 'Properties.Tags'));
        for (const tag of tags as { Key?: unknown; Value?: unknown }[]) {
          const key = typeof tag.Key === 'string' ? tag.Key : '';
          const value = typeof tag.Value === 'string' ? tag.Value : '';
          if (key.length < 1 || key.length > 128)
            found.push(finding(alarm, `tag key "${key}" is ${key.length} characters`, 'Properties.Tags'));
          if (value.length > 256)
            found.push(
              finding(alarm, `the value of tag "${key}" is ${value.length} characters`, 'Properties.Tags'),
            );
        }
        return found;
      }),
  },
];
