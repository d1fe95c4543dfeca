/**
 * The one place that writes an alarm from the alarm catalog (functions/publish/alarm-catalog.ts),
 * as cdk-monitoring-constructs' AlarmFactory does: the name, the threshold, the M-of-N window and
 * the missing-data policy come from the kind's record; the description says what happened, over
 * which window, who owns it and where the runbook is; ALARM and OK both notify the action.
 */
import type { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  type ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  type TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../functions/probe/codes.ts';
import {
  ALARM_KINDS,
  type AlarmKind,
  type AlarmThresholds,
  alarmName,
  thresholdOf,
  windowOf,
} from '../../functions/publish/alarm-catalog.ts';

export interface AlarmPolicy {
  /** Alarm after M bad periods ... */
  datapointsToAlarm: number;
  /** ... out of the last N. */
  evaluationPeriods: number;
}

export interface CanaryAlarmProps {
  kind: AlarmKind;
  /** The target, registry host or region the alarm is about; part of its name. */
  subject: string;
  metric: IMetric;
  thresholds: AlarmThresholds;
  policy: AlarmPolicy;
  /** The alarm period (the schedule), for the description's window. */
  period: Duration;
  /** What the alarm means here, in a sentence; the window is appended. */
  what: (window: string) => string;
  /** Named in the description. @default none */
  owner?: string;
  /** @default DEFAULT_RUNBOOK_BASE_URL */
  runbookBaseUrl?: string;
  /** Notified on ALARM and on OK. */
  action: IAlarmAction;
}

export function createCanaryAlarm(scope: Construct, id: string, props: CanaryAlarmProps): Alarm {
  const spec = ALARM_KINDS[props.kind];
  const window = windowOf(spec, props.policy);
  const base = (props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL).replace(/\/+$/, '');
  const alarm = new Alarm(scope, id, {
    alarmName: alarmName(props.kind, props.subject),
    alarmDescription: description(
      props.what(windowText(window, props.period)),
      [props.owner ? `Owner: ${props.owner}.` : '', `Runbook: ${base}/${spec.runbook}.md`]
        .filter(Boolean)
        .join(' '),
    ),
    metric: props.metric,
    threshold: thresholdOf(spec, props.thresholds),
    // The catalog's values are CloudFormation's, which are the CDK enums' values.
    comparisonOperator: spec.comparison as ComparisonOperator,
    treatMissingData: spec.missingData as TreatMissingData,
    ...window,
  });
  alarm.addAlarmAction(props.action);
  alarm.addOkAction(props.action);
  return alarm;
}

/** CloudWatch's limit on AlarmDescription (PutMetricAlarm, and the CloudFormation resource schema). */
export const MAX_ALARM_DESCRIPTION = 1024;

/**
 * What happened, then the owner and the runbook, within the limit: the runbook and owner are what
 * the notifier and a person need most, so a long explanation is what gets cut.
 */
export function description(what: string, tail: string): string {
  const room = MAX_ALARM_DESCRIPTION - tail.length - 1;
  const head = what.length <= room ? what : `${what.slice(0, Math.max(0, room - 1))}…`;
  return `${head} ${tail}`;
}

function windowText(
  window: { datapointsToAlarm: number; evaluationPeriods: number },
  period: Duration,
): string {
  const minutes = period.toMinutes();
  if (window.evaluationPeriods === 1) return `in the last run (${minutes} min period)`;
  return `in ${window.datapointsToAlarm} of the last ${window.evaluationPeriods} runs (${minutes} min apart)`;
}
