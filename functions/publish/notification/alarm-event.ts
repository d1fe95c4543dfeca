/**
 * Reads CloudWatch alarm state changes out of the notifier's SQS batch (alarm -> SNS -> SQS).
 *
 * Which target an alarm is about, in this order (the convention the CDK app's alarms follow):
 *   1. the `Target` dimension of its metric (Trigger.Dimensions for a single-metric alarm, or any
 *      Trigger.Metrics[].MetricStat.Metric.Dimensions for a metric-math alarm);
 *   2. a line `Target: <name>` in its description (for composite alarms, which have no metric).
 * An alarm with neither is still reported, under its own name: an alert is never dropped.
 */
import type { SQSRecord } from 'aws-lambda';
import { type AlarmKind, type AlarmSeverity, alarmKindOf } from '../alarm-catalog.ts';

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export interface AlarmTransition {
  /** The SQS message this came from, for partial batch failures. */
  messageId: string;
  alarmName: string;
  alarmArn: string | null;
  description: string;
  /** Null when the alarm follows neither convention. */
  target: string | null;
  newState: AlarmState;
  oldState: AlarmState | null;
  reason: string;
  /** ISO 8601. */
  at: string;
  metricName: string | null;
  /** The alarm's kind and severity from the alarm catalog, or null for an alarm the canary did not make. */
  kind: AlarmKind | null;
  severity: AlarmSeverity | null;
}

export interface UnreadableRecord {
  messageId: string;
  reason: string;
}

export const TARGET_DIMENSION = 'Target';

/** `now` stands in for a missing or unreadable StateChangeTime. */
export function parseAlarmRecords(
  records: readonly SQSRecord[],
  now: Date,
): {
  transitions: AlarmTransition[];
  unreadable: UnreadableRecord[];
} {
  const transitions: AlarmTransition[] = [];
  const unreadable: UnreadableRecord[] = [];
  for (const record of records) {
    try {
      transitions.push(parseAlarmMessage(record.messageId, alarmJsonOf(record.body), now));
    } catch (error) {
      unreadable.push({ messageId: record.messageId, reason: (error as Error).message });
    }
  }
  // Apply in the order the alarms changed, not the order SQS happened to deliver.
  transitions.sort((a, b) => a.at.localeCompare(b.at));
  return { transitions, unreadable };
}

/** The SQS body is the SNS envelope, or the alarm JSON itself when raw message delivery is on. */
function alarmJsonOf(body: string): Record<string, unknown> {
  const outer = JSON.parse(body) as Record<string, unknown>;
  if (outer['Type'] === 'Notification' && typeof outer['Message'] === 'string') {
    return JSON.parse(outer['Message']) as Record<string, unknown>;
  }
  return outer;
}

export function parseAlarmMessage(
  messageId: string,
  alarm: Record<string, unknown>,
  now: Date,
): AlarmTransition {
  const alarmName = alarm['AlarmName'];
  const newState = alarm['NewStateValue'];
  if (typeof alarmName !== 'string' || !isAlarmState(newState)) {
    throw new Error('not a CloudWatch alarm state change: AlarmName or NewStateValue missing');
  }
  const description = typeof alarm['AlarmDescription'] === 'string' ? alarm['AlarmDescription'] : '';
  const trigger = (alarm['Trigger'] ?? {}) as Record<string, unknown>;
  const oldState = alarm['OldStateValue'];
  return {
    messageId,
    alarmName,
    alarmArn: typeof alarm['AlarmArn'] === 'string' ? alarm['AlarmArn'] : null,
    description,
    target: targetFromTrigger(trigger) ?? targetFromDescription(description),
    newState,
    oldState: isAlarmState(oldState) ? oldState : null,
    reason: typeof alarm['NewStateReason'] === 'string' ? alarm['NewStateReason'] : '',
    at: isoTime(alarm['StateChangeTime'], now),
    metricName: metricNameOf(trigger),
    ...alarmKindFields(alarmName),
  };
}

/** The catalog's kind and severity of an alarm name (null for an alarm the canary did not make). */
export function alarmKindFields(alarmName: string): Pick<AlarmTransition, 'kind' | 'severity'> {
  const found = alarmKindOf(alarmName);
  return found
    ? { kind: found.spec.kind as AlarmKind, severity: found.spec.severity }
    : { kind: null, severity: null };
}

function isAlarmState(value: unknown): value is AlarmState {
  return value === 'ALARM' || value === 'OK' || value === 'INSUFFICIENT_DATA';
}

type Dimensions = { name?: unknown; value?: unknown }[];

function targetFromTrigger(trigger: Record<string, unknown>): string | null {
  const dimensionSets: unknown[] = [trigger['Dimensions']];
  if (Array.isArray(trigger['Metrics'])) {
    for (const metric of trigger['Metrics'] as Record<string, unknown>[]) {
      const stat = metric?.['MetricStat'] as { Metric?: { Dimensions?: unknown } } | undefined;
      dimensionSets.push(stat?.Metric?.Dimensions);
    }
  }
  for (const set of dimensionSets) {
    if (!Array.isArray(set)) continue;
    const found = (set as Dimensions).find(
      (d) => d?.name === TARGET_DIMENSION && typeof d.value === 'string',
    );
    if (found) return found.value as string;
  }
  return null;
}

function targetFromDescription(description: string): string | null {
  const match = /^\s*Target:\s*(\S+)\s*$/m.exec(description);
  return match?.[1] ?? null;
}

function metricNameOf(trigger: Record<string, unknown>): string | null {
  if (typeof trigger['MetricName'] === 'string') return trigger['MetricName'];
  if (Array.isArray(trigger['Metrics'])) {
    for (const metric of trigger['Metrics'] as Record<string, unknown>[]) {
      const name = (metric?.['MetricStat'] as { Metric?: { MetricName?: unknown } } | undefined)?.Metric
        ?.MetricName;
      if (typeof name === 'string') return name;
    }
  }
  return null;
}

/** CloudWatch writes "2026-11-22T10:00:00.000+0000", which Date parses; keep a canonical ISO form. */
function isoTime(value: unknown, now: Date): string {
  if (typeof value === 'string') {
    const parsed = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  return now.toISOString();
}
