/**
 * One case per deploy-guard rule: a stack that breaks exactly that rule, and the same stack at the
 * limit, which passes. deploy-guard.test.ts synthesizes both through the real plugin; its meta-test
 * fails when a catalog rule has no case here. Each limit is the one cited beside the rule in
 * lib/guard/rules/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  App,
  CfnOutput,
  CfnParameter,
  CfnResource,
  CfnWaitConditionHandle,
  NestedStack,
  Stack,
} from 'aws-cdk-lib';
import { CfnAlarm, CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { TEXT_LIMITS } from '../../../../lib/guard/rules/text-limits.ts';

export interface GuardCase {
  /** Adds to the stack what breaks the rule (once, at the smallest amount over the limit). */
  breaks(stack: Stack): void;
  /** The same, exactly at the limit: the guard lets it pass. */
  atLimit(stack: Stack): void;
  /** The construct path (below the stack) of the resource the failure must name. */
  names: string;
}

export const STACK_NAME = 'Guarded';
export const STACK_ENV = { account: '123456789012', region: 'eu-west-1' };

/**
 * A fresh app that reports no version metadata (it would add a resource to every template), with
 * the CDK's own 500-resource check off (`@aws-cdk/core:stackResourceLimit` 0): it would throw
 * before the guard runs, and these tests are about the guard, which also holds when a user raises
 * that context value.
 */
export function guardedApp(): { app: App; stack: Stack } {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'canary-guard-')),
    analyticsReporting: false,
    context: { '@aws-cdk/core:stackResourceLimit': 0 },
  });
  return { app, stack: new Stack(app, STACK_NAME, { env: STACK_ENV }) };
}

// ---- CloudFormation ----

function handles(scope: Stack, count: number): void {
  for (let i = 0; i < count; i++) new CfnWaitConditionHandle(scope, `Handle${i}`);
}

function nestedWith(count: number) {
  return (stack: Stack) => handles(new NestedStack(stack, 'Nested'), count);
}

/** A parameter whose value pads the template to exactly `bytes` bytes on disk. */
function paddedTo(bytes: number) {
  const pad = (stack: Stack, value: string) =>
    new CfnResource(stack, 'Padding', {
      type: 'AWS::SSM::Parameter',
      properties: { Type: 'String', Value: value },
    });
  const { app, stack } = guardedApp();
  pad(stack, '');
  const base = app.synth().getStackByName(STACK_NAME).template as object;
  const baseBytes = Buffer.byteLength(JSON.stringify(base, undefined, 1));
  return (target: Stack) => pad(target, 'x'.repeat(bytes - baseBytes));
}

function outputs(count: number) {
  return (stack: Stack) => {
    for (let i = 0; i < count; i++) new CfnOutput(stack, `Output${i}`, { value: `${i}` });
  };
}

/** Parameters up to `count` in all: the CDK's synthesizer adds one of its own at synth (BootstrapVersion). */
function parameters(count: number) {
  return (stack: Stack) => {
    for (let i = 1; i < count; i++)
      new CfnParameter(stack, `Parameter${i}`, { type: 'String', default: `${i}` });
  };
}

// ---- dashboards ----

function dashboard(stack: Stack, widgets: object[]): void {
  new CfnDashboard(stack, 'Dashboard', { dashboardBody: JSON.stringify({ widgets }) });
}

const text = (i: number) => ({
  type: 'text',
  x: 0,
  y: i,
  width: 24,
  height: 1,
  properties: { markdown: `${i}` },
});
const metricsWidget = (count: number) => ({
  type: 'metric',
  width: 24,
  height: 6,
  properties: {
    region: 'eu-west-1',
    metrics: Array.from({ length: count }, (_, i) => ['Canary', 'Failing', 'Target', `t${i}`]),
  },
});
const alarmWidget = (count: number) => ({
  type: 'alarm',
  width: 24,
  height: 6,
  properties: {
    alarms: Array.from({ length: count }, (_, i) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`),
  },
});

// ---- alarms ----

type AlarmProps = ConstructorParameters<typeof CfnAlarm>[2];

const SIMPLE_ALARM: AlarmProps = {
  comparisonOperator: 'GreaterThanThreshold',
  evaluationPeriods: 1,
  threshold: 0,
  namespace: 'Canary',
  metricName: 'Failing',
  statistic: 'Maximum',
  period: 60,
};

function alarm(stack: Stack, props: Partial<AlarmProps>, id = 'Alarm'): CfnAlarm {
  return new CfnAlarm(stack, id, { ...SIMPLE_ALARM, ...props } as AlarmProps);
}

const stat = (id: string, period = 60) => ({
  id,
  returnData: false,
  metricStat: { metric: { namespace: 'Canary', metricName: 'Failing' }, stat: 'Sum', period },
});

/** A metric-math alarm over `stats` metrics, returning `expression`. */
function mathAlarm(stack: Stack, metrics: object[], id = 'Alarm', extra: Partial<AlarmProps> = {}): CfnAlarm {
  return new CfnAlarm(stack, id, {
    comparisonOperator: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    threshold: 0,
    metrics,
    ...extra,
  } as AlarmProps);
}

const insightsQuery = {
  id: 'q',
  expression: 'SELECT MAX(Failing) FROM SCHEMA("Canary", Target)',
  period: 60,
  returnData: true,
};

function insightsAlarms(count: number, period = 60, evaluationPeriods = 1) {
  return (stack: Stack) => {
    for (let i = 0; i < count; i++)
      mathAlarm(stack, [{ ...insightsQuery, period }], `Insights${i}`, { evaluationPeriods });
  };
}

// ---- functions and schedules ----

function fn(stack: Stack, timeout: number): CfnResource {
  return new CfnResource(stack, 'Function', {
    type: 'AWS::Lambda::Function',
    properties: {
      Role: 'arn:aws:iam::123456789012:role/r',
      Code: { ZipFile: 'x' },
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: timeout,
    },
  });
}

function scheduled(timeout: number, expression = 'rate(1 minute)') {
  return (stack: Stack) => {
    const f = fn(stack, timeout);
    new CfnResource(stack, 'Schedule', {
      type: 'AWS::Scheduler::Schedule',
      properties: {
        ScheduleExpression: expression,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: f.getAtt('Arn'), RoleArn: 'arn:aws:iam::123456789012:role/s' },
      },
    });
  };
}

function rule(expression: string) {
  return (stack: Stack) =>
    new CfnResource(stack, 'Rule', {
      type: 'AWS::Events::Rule',
      properties: { ScheduleExpression: expression },
    });
}

function invokeConfig(maximumEventAgeInSeconds: number) {
  return (stack: Stack) =>
    new CfnResource(stack, 'InvokeConfig', {
      type: 'AWS::Lambda::EventInvokeConfig',
      properties: {
        FunctionName: 'f',
        Qualifier: '$LATEST',
        MaximumEventAgeInSeconds: maximumEventAgeInSeconds,
        MaximumRetryAttempts: 0,
      },
    });
}

function retryPolicy(maximumRetryAttempts: number) {
  return (stack: Stack) =>
    new CfnResource(stack, 'Schedule', {
      type: 'AWS::Scheduler::Schedule',
      properties: {
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
          RoleArn: 'arn:aws:iam::123456789012:role/s',
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: maximumRetryAttempts },
        },
      },
    });
}

function polled(visibilityTimeout: number, timeout: number) {
  return (stack: Stack) => {
    const queue = new CfnResource(stack, 'Queue', {
      type: 'AWS::SQS::Queue',
      properties: { VisibilityTimeout: visibilityTimeout },
    });
    const f = fn(stack, timeout);
    new CfnResource(stack, 'Mapping', {
      type: 'AWS::Lambda::EventSourceMapping',
      properties: { EventSourceArn: queue.getAtt('Arn'), FunctionName: f.ref },
    });
  };
}

// ---- the cases ----

/** What else a resource needs for the other rules to read it (a dashboard needs a body). */
const REQUIRED: Record<string, Record<string, unknown>> = {
  'AWS::CloudWatch::Dashboard': { DashboardBody: '{"widgets":[]}' },
};

const textLimitCases: Record<string, GuardCase> = Object.fromEntries(
  TEXT_LIMITS.map((limit) => {
    const subject = (length: number) => (stack: Stack) =>
      new CfnResource(stack, 'Subject', {
        type: limit.type,
        properties: { ...REQUIRED[limit.type], [limit.property]: 'a'.repeat(length) },
      });
    return [limit.id, { breaks: subject(limit.max + 1), atLimit: subject(limit.max), names: 'Subject' }];
  }),
);

export const GUARD_CASES: Record<string, GuardCase> = {
  'CFN-ResourcesPerTemplate': { breaks: nestedWith(501), atLimit: nestedWith(500), names: 'Nested' },
  'CFN-TemplateSize': { breaks: paddedTo(1_000_001), atLimit: paddedTo(1_000_000), names: STACK_NAME },
  'CFN-OutputsPerTemplate': { breaks: outputs(201), atLimit: outputs(200), names: STACK_NAME },
  'CFN-ParametersPerTemplate': { breaks: parameters(201), atLimit: parameters(200), names: STACK_NAME },
  'CFN-TemplateDescription': {
    breaks: (stack) => {
      stack.templateOptions.description = 'd'.repeat(1025);
    },
    atLimit: (stack) => {
      stack.templateOptions.description = 'd'.repeat(1024);
    },
    names: STACK_NAME,
  },
  'CW-DashboardWidgets': {
    breaks: (stack) =>
      dashboard(
        stack,
        Array.from({ length: 501 }, (_, i) => text(i)),
      ),
    atLimit: (stack) =>
      dashboard(
        stack,
        Array.from({ length: 500 }, (_, i) => text(i)),
      ),
    names: 'Dashboard',
  },
  'CW-AlarmStatusWidgetAlarms': {
    breaks: (stack) => dashboard(stack, [alarmWidget(101)]),
    atLimit: (stack) => dashboard(stack, [alarmWidget(100)]),
    names: 'Dashboard',
  },
  'CW-MetricsPerWidget': {
    breaks: (stack) => dashboard(stack, [metricsWidget(501)]),
    atLimit: (stack) => dashboard(stack, [metricsWidget(500)]),
    names: 'Dashboard',
  },
  'CW-MetricsPerDashboard': {
    breaks: (stack) =>
      dashboard(stack, [...Array.from({ length: 5 }, () => metricsWidget(500)), metricsWidget(1)]),
    atLimit: (stack) =>
      dashboard(
        stack,
        Array.from({ length: 5 }, () => metricsWidget(500)),
      ),
    names: 'Dashboard',
  },
  'CW-AlarmPeriod': {
    breaks: (stack) => alarm(stack, { period: 45 }),
    atLimit: (stack) => alarm(stack, { period: 20 }),
    names: 'Alarm',
  },
  'CW-AlarmEvaluationRange': {
    breaks: (stack) => alarm(stack, { period: 60, evaluationPeriods: 1441 }),
    atLimit: (stack) => alarm(stack, { period: 60, evaluationPeriods: 1440 }),
    names: 'Alarm',
  },
  'CW-AlarmDatapoints': {
    breaks: (stack) => alarm(stack, { evaluationPeriods: 2, datapointsToAlarm: 3 }),
    atLimit: (stack) => alarm(stack, { evaluationPeriods: 2, datapointsToAlarm: 2 }),
    names: 'Alarm',
  },
  'CW-AlarmMetricMathSize': {
    breaks: (stack) =>
      mathAlarm(stack, [
        ...Array.from({ length: 11 }, (_, i) => stat(`m${i}`)),
        { id: 'e', expression: 'm0', returnData: true },
      ]),
    atLimit: (stack) =>
      mathAlarm(stack, [
        ...Array.from({ length: 10 }, (_, i) => stat(`m${i}`)),
        { id: 'e', expression: 'm0', returnData: true },
      ]),
    names: 'Alarm',
  },
  'CW-AlarmReturnData': {
    breaks: (stack) =>
      mathAlarm(stack, [
        { ...stat('m'), returnData: undefined },
        { id: 'e', expression: 'm * 2' },
      ]),
    atLimit: (stack) => mathAlarm(stack, [stat('m'), { id: 'e', expression: 'm * 2', returnData: true }]),
    names: 'Alarm',
  },
  'CW-MetricMathId': {
    breaks: (stack) => mathAlarm(stack, [stat('M'), { id: 'e', expression: 'M', returnData: true }]),
    atLimit: (stack) => mathAlarm(stack, [stat('m_1'), { id: 'e', expression: 'm_1', returnData: true }]),
    names: 'Alarm',
  },
  'CW-AlarmSearchExpression': {
    breaks: (stack) =>
      mathAlarm(stack, [
        {
          id: 'e',
          expression: "SEARCH('{Canary,Target} Failing', 'Maximum', 60)",
          returnData: true,
          period: 60,
        },
      ]),
    atLimit: (stack) =>
      mathAlarm(stack, [stat('m'), { id: 'e', expression: 'FILL(m, 0)', returnData: true }]),
    names: 'Alarm',
  },
  'CW-MetricsInsightsAlarmsPerRegion': {
    breaks: insightsAlarms(201),
    atLimit: insightsAlarms(200),
    names: 'Insights200',
  },
  'CW-MetricsInsightsAlarmWindow': {
    breaks: insightsAlarms(1, 3600, 4),
    atLimit: insightsAlarms(1, 3600, 3),
    names: 'Insights0',
  },
  'CW-AlarmActions': {
    breaks: (stack) =>
      alarm(stack, {
        alarmActions: Array.from({ length: 6 }, (_, i) => `arn:aws:sns:eu-west-1:123456789012:t${i}`),
      }),
    atLimit: (stack) =>
      alarm(stack, {
        alarmActions: Array.from({ length: 5 }, (_, i) => `arn:aws:sns:eu-west-1:123456789012:t${i}`),
      }),
    names: 'Alarm',
  },
  'CW-AlarmTags': {
    breaks: (stack) =>
      alarm(stack, { tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }),
    atLimit: (stack) =>
      alarm(stack, { tags: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }),
    names: 'Alarm',
  },
  'LAMBDA-Timeout': {
    breaks: (stack) => fn(stack, 901),
    atLimit: (stack) => fn(stack, 900),
    names: 'Function',
  },
  'LAMBDA-TimeoutWithinSchedule': { breaks: scheduled(61), atLimit: scheduled(60), names: 'Function' },
  'SCHEDULE-RateExpression': {
    breaks: rule('rate(1 minutes)'),
    atLimit: rule('rate(1 minute)'),
    names: 'Rule',
  },
  'LAMBDA-AsyncRetryBounds': { breaks: invokeConfig(59), atLimit: invokeConfig(60), names: 'InvokeConfig' },
  'SCHEDULE-RetryPolicyBounds': { breaks: retryPolicy(186), atLimit: retryPolicy(185), names: 'Schedule' },
  'SQS-VisibilityTimeoutCoversFunction': {
    breaks: polled(29, 30),
    atLimit: polled(30, 30),
    names: 'Mapping',
  },
  ...textLimitCases,
};
