/** CloudWatch alarm state changes as the notifier receives them: SNS envelope inside an SQS record. */
import type { SQSRecord } from 'aws-lambda';

export interface AlarmFixture {
  alarmName: string;
  target?: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  at: string;
  /** Metric-math alarm (Trigger.Metrics) instead of a single metric (Trigger.Dimensions). */
  metricMath?: boolean;
  metricName?: string;
  reason?: string;
  description?: string;
}

let sequence = 0;

export function alarmMessage(fixture: AlarmFixture): Record<string, unknown> {
  const dimensions = fixture.target ? [{ value: fixture.target, name: 'Target' }] : [];
  const metricName = fixture.metricName ?? 'Success';
  const trigger = fixture.metricMath
    ? {
        Period: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 2,
        TreatMissingData: 'missing',
        Metrics: [
          { Id: 'failing', Expression: 'SUM(METRICS())', Label: 'regions failing', ReturnData: true },
          {
            Id: 'm0',
            ReturnData: false,
            MetricStat: {
              Metric: {
                Namespace: 'RegistryCanary',
                MetricName: metricName,
                Dimensions: [...dimensions, { value: 'eu-west-1', name: 'ProbeRegion' }],
              },
              Period: 300,
              Stat: 'Minimum',
            },
          },
        ],
      }
    : {
        MetricName: metricName,
        Namespace: 'RegistryCanary',
        StatisticType: 'Statistic',
        Statistic: 'MINIMUM',
        Dimensions: [...dimensions, { value: 'eu-west-1', name: 'ProbeRegion' }],
        Period: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
      };
  return {
    AlarmName: fixture.alarmName,
    AlarmDescription:
      fixture.description ??
      `Target ${fixture.target ?? '?'} is failing.\nRunbook: https://example.com/runbooks`,
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-11-01T00:00:00.000+0000',
    NewStateValue: fixture.state,
    NewStateReason:
      fixture.reason ??
      (fixture.state === 'ALARM'
        ? 'Threshold Crossed: 2 out of the last 3 datapoints were less than the threshold (1.0).'
        : 'Threshold Crossed: no datapoints were less than the threshold (1.0).'),
    StateChangeTime: fixture.at.replace('Z', '+0000'),
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${fixture.alarmName}`,
    OldStateValue: fixture.state === 'ALARM' ? 'OK' : 'ALARM',
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    Trigger: trigger,
  };
}

export function alarmRecord(fixture: AlarmFixture, raw = false): SQSRecord {
  sequence += 1;
  const message = alarmMessage(fixture);
  const body = raw
    ? JSON.stringify(message)
    : JSON.stringify({
        Type: 'Notification',
        MessageId: `sns-${sequence}`,
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:registry-canary-alarms',
        Subject: `ALARM: "${fixture.alarmName}" in EU (Ireland)`,
        Message: JSON.stringify(message),
        Timestamp: fixture.at,
      });
  return {
    messageId: `msg-${sequence}`,
    receiptHandle: `rh-${sequence}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.parse(fixture.at)),
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: String(Date.parse(fixture.at)),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:registry-canary-alarm-queue',
    awsRegion: 'eu-west-1',
  };
}
