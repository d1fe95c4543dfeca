/**
 * Console links an alert carries: the failing runs in Logs Insights, the alarm, and a stopped
 * probe's dead-letter queues, logs and schedules.
 *
 * The Logs Insights deep link is not an API AWS documents. Its format, as the console writes it
 * (worked out in public from the console's own links: the answers to "Is there a way to generate
 * the AWS Console URLs for CloudWatch Log Group filters?", mirrored at
 * https://newbedev.com/is-there-a-way-to-generate-the-aws-console-urls-for-cloudwatch-log-group-filters):
 * the query detail is an object written as `~(key~value~...)`, arrays as `~(a~b)`, each string
 * value as `'` + encodeURIComponent(value) with `%` turned into `*`; that whole string is passed
 * through JavaScript's `escape`, prefixed with `?queryDetail=`, then encodeURIComponent'd with `%`
 * turned into `$`. The test decodes a link back the same way, so a change here cannot go unnoticed,
 * but only the console can say a link opens: the alarm and log-group links are the fallback.
 */
import { RESULT_LOG_MESSAGE } from '../result-log.ts';

/** The probe's log group in every region (lib/constructs/scheduled-probe.ts PROBE_LOG_GROUP_NAME). */
export const PROBE_LOG_GROUP = '/registry-canary/probe';
/** A query names at most this many targets; the link stays short enough to paste. */
const MAX_QUERY_TARGETS = 20;

/** The console's host for a partition (the ARN's second field). */
export function consoleHost(region: string, partition = partitionOf(region)): string {
  if (partition === 'aws-cn') return `${region}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov') return `${region}.console.amazonaws-us-gov.com`;
  return `${region}.console.aws.amazon.com`;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The query that lists the failing (or degraded) runs of these targets (the result log lines, result-log.ts). */
export function failingRunsQuery(
  targets: readonly string[],
  status: 'failing' | 'degraded' = 'failing',
): string {
  const names = targets.slice(0, MAX_QUERY_TARGETS).map((t) => `'${t.replaceAll("'", "\\'")}'`);
  const fields =
    status === 'failing' ? 'diagnosis.code, diagnosis.summary' : 'warnings.0.code, warnings.0.summary';
  return [
    `fields @timestamp, target, region, ${fields}`,
    `| filter message = '${RESULT_LOG_MESSAGE}' and status = '${status}'${names.length > 0 ? ` and target in [${names.join(', ')}]` : ''}`,
    '| sort @timestamp desc',
    '| limit 100',
  ].join('\n');
}

/** The probe's own errors in a region: what a run that published nothing left behind (Powertools' `level`, Lambda's runtime lines). */
export function probeErrorsQuery(): string {
  return [
    'fields @timestamp, level, message, @message',
    "| filter level = 'ERROR' or level = 'WARN' or @message like /Task timed out|Runtime\\./",
    '| sort @timestamp desc',
    '| limit 100',
  ].join('\n');
}

export function logsInsightsUrl(
  region: string,
  query: string,
  logGroup = PROBE_LOG_GROUP,
  hours = 3,
): string {
  const detail = `~(end~0~start~-${hours * 3600}~timeType~'RELATIVE~unit~'seconds~editorString~${value(query)}~source~(~${value(logGroup)}))`;
  const fragment = encodeURIComponent(`?queryDetail=${escape(detail)}`).replaceAll('%', '$');
  return `https://${consoleHost(region)}/cloudwatch/home?region=${region}#logsV2:logs-insights${fragment}`;
}

/** Inverse of logsInsightsUrl's encoding of the query detail: for the test, and for a person debugging a link. */
export function decodeLogsInsightsDetail(url: string): string {
  const fragment = url.slice(url.indexOf('#logsV2:logs-insights') + '#logsV2:logs-insights'.length);
  const detail = unescape(decodeURIComponent(fragment.replaceAll('$', '%'))).replace(/^\?queryDetail=/, '');
  return detail;
}

/** A string value of the query detail: `'` + percent-encoding with `*` for `%`. */
function value(text: string): string {
  return `'${encodeURIComponent(text).replaceAll('%', '*')}`;
}

export function alarmConsoleUrl(alarmArnOrName: string, homeRegion: string): string {
  const arn = /^arn:([^:]+):cloudwatch:([^:]+):\d+:alarm:(.+)$/.exec(alarmArnOrName);
  const region = arn?.[2] ?? homeRegion;
  const name = arn?.[3] ?? alarmArnOrName;
  return `https://${consoleHost(region, arn?.[1])}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`;
}

export function logGroupUrl(region: string, logGroup = PROBE_LOG_GROUP): string {
  // The console double-encodes the log group name in its fragment ('/' is $252F).
  const name = encodeURIComponent(encodeURIComponent(logGroup)).replaceAll('%', '$');
  return `https://${consoleHost(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${name}`;
}

export function queuesUrl(region: string): string {
  return `https://${consoleHost(region)}/sqs/v3/home?region=${region}#/queues`;
}

export function schedulesUrl(region: string): string {
  return `https://${consoleHost(region)}/scheduler/home?region=${region}#schedules`;
}
