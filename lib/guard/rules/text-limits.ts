/**
 * Length and character limits of the names and descriptions these stacks set, one record per
 * resource property, each with the API whose model states it. Only values known at synth are
 * checked: a name CloudFormation generates is within the limits by construction.
 *
 * Limits are the service API models' (botocore 1.43.11 data, whose documentation strings are the
 * API Reference pages cited), read on this machine:
 * - CloudWatch PutMetricAlarm AlarmName 1-255, AlarmDescription 0-1024; PutDashboard DashboardName
 *   "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"".
 * - Lambda CreateFunction FunctionName: "If you specify only the function name, it is limited to 64
 *   characters", pattern [a-zA-Z0-9-_]+; Description 0-256.
 * - IAM CreateRole RoleName 1-64 [\w+=,.@-]+; Description 0-1000 of tab, newline and printable Latin-1.
 * - SNS CreateTopic Name: "uppercase and lowercase ASCII letters, numbers, underscores, and hyphens,
 *   and must be between 1 and 256 characters long" (a FIFO topic ends in .fifo).
 * - SQS CreateQueue QueueName: "up to 80 characters ... alphanumeric characters, hyphens (-), and
 *   underscores (_)" (a FIFO queue ends in .fifo).
 * - CloudWatch Logs CreateLogGroup logGroupName 1-512 [\.\-_/#A-Za-z0-9]+.
 * - EventBridge Scheduler CreateSchedule Name 1-64 [0-9a-zA-Z-_.]+, Description 0-512.
 * - EventBridge PutRule Name 1-64 [\.\-_A-Za-z0-9]+, Description 0-512.
 * - DynamoDB table names: 3-255 characters of a-z, A-Z, 0-9, _, - and . (DynamoDB Developer Guide,
 *   "Supported data types and naming rules").
 */
import { resolveText } from '../intrinsics.ts';
import type { GuardRule } from '../rule.ts';

interface TextLimit {
  id: string;
  type: string;
  property: string;
  /** What the value is, for messages. */
  what: string;
  min: number;
  max: number;
  /** The characters allowed, as a whole-value pattern. @default any */
  pattern?: RegExp;
  /** The allowed characters, in words. */
  charset?: string;
  source: string;
}

const api = (path: string) => `https://docs.aws.amazon.com/${path}`;

/** Printable characters only: PutMetricAlarm's AlarmName "can't contain ASCII control characters". */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

export const TEXT_LIMITS: readonly TextLimit[] = [
  {
    id: 'NAME-CloudWatchAlarm',
    type: 'AWS::CloudWatch::Alarm',
    property: 'AlarmName',
    what: 'alarm name',
    min: 1,
    max: 255,
    pattern: NO_CONTROL_CHARACTERS,
    charset: 'UTF-8 without ASCII control characters',
    source: api('AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html'),
  },
  {
    id: 'TEXT-CloudWatchAlarmDescription',
    type: 'AWS::CloudWatch::Alarm',
    property: 'AlarmDescription',
    what: 'alarm description',
    min: 0,
    max: 1024,
    source: api('AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html'),
  },
  {
    id: 'NAME-CloudWatchDashboard',
    type: 'AWS::CloudWatch::Dashboard',
    property: 'DashboardName',
    what: 'dashboard name',
    min: 1,
    max: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    charset: 'A-Z, a-z, 0-9, - and _',
    source: api('AmazonCloudWatch/latest/APIReference/API_PutDashboard.html'),
  },
  {
    id: 'NAME-LambdaFunction',
    type: 'AWS::Lambda::Function',
    property: 'FunctionName',
    what: 'function name',
    min: 1,
    max: 64,
    pattern: /^[a-zA-Z0-9_-]+$/,
    charset: 'a-z, A-Z, 0-9, - and _',
    source: api('lambda/latest/api/API_CreateFunction.html'),
  },
  {
    id: 'TEXT-LambdaDescription',
    type: 'AWS::Lambda::Function',
    property: 'Description',
    what: 'function description',
    min: 0,
    max: 256,
    source: api('lambda/latest/api/API_CreateFunction.html'),
  },
  {
    id: 'NAME-IamRole',
    type: 'AWS::IAM::Role',
    property: 'RoleName',
    what: 'role name',
    min: 1,
    max: 64,
    pattern: /^[\w+=,.@-]+$/,
    charset: 'letters, digits and + = , . @ _ -',
    source: api('IAM/latest/APIReference/API_CreateRole.html'),
  },
  {
    id: 'TEXT-IamRoleDescription',
    type: 'AWS::IAM::Role',
    property: 'Description',
    what: 'role description',
    min: 0,
    max: 1000,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: IAM's own pattern allows tab, LF and CR
    pattern: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
    charset: 'tab, newline and printable Latin-1',
    source: api('IAM/latest/APIReference/API_CreateRole.html'),
  },
  {
    id: 'NAME-SnsTopic',
    type: 'AWS::SNS::Topic',
    property: 'TopicName',
    what: 'topic name',
    min: 1,
    max: 256,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    charset: 'A-Z, a-z, 0-9, _ and - (and .fifo at the end)',
    source: api('sns/latest/api/API_CreateTopic.html'),
  },
  {
    id: 'NAME-SqsQueue',
    type: 'AWS::SQS::Queue',
    property: 'QueueName',
    what: 'queue name',
    min: 1,
    max: 80,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    charset: 'A-Z, a-z, 0-9, - and _ (and .fifo at the end)',
    source: api('AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html'),
  },
  {
    id: 'NAME-LogGroup',
    type: 'AWS::Logs::LogGroup',
    property: 'LogGroupName',
    what: 'log group name',
    min: 1,
    max: 512,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    charset: 'A-Z, a-z, 0-9 and . - _ / #',
    source: api('AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html'),
  },
  {
    id: 'NAME-SchedulerSchedule',
    type: 'AWS::Scheduler::Schedule',
    property: 'Name',
    what: 'schedule name',
    min: 1,
    max: 64,
    pattern: /^[0-9a-zA-Z_.-]+$/,
    charset: '0-9, a-z, A-Z and - _ .',
    source: api('scheduler/latest/APIReference/API_CreateSchedule.html'),
  },
  {
    id: 'TEXT-SchedulerScheduleDescription',
    type: 'AWS::Scheduler::Schedule',
    property: 'Description',
    what: 'schedule description',
    min: 0,
    max: 512,
    source: api('scheduler/latest/APIReference/API_CreateSchedule.html'),
  },
  {
    id: 'NAME-EventsRule',
    type: 'AWS::Events::Rule',
    property: 'Name',
    what: 'rule name',
    min: 1,
    max: 64,
    pattern: /^[.\-_A-Za-z0-9]+$/,
    charset: 'A-Z, a-z, 0-9 and . - _',
    source: api('eventbridge/latest/APIReference/API_PutRule.html'),
  },
  {
    id: 'TEXT-EventsRuleDescription',
    type: 'AWS::Events::Rule',
    property: 'Description',
    what: 'rule description',
    min: 0,
    max: 512,
    source: api('eventbridge/latest/APIReference/API_PutRule.html'),
  },
  {
    id: 'NAME-DynamoDbTable',
    type: 'AWS::DynamoDB::GlobalTable',
    property: 'TableName',
    what: 'table name',
    min: 3,
    max: 255,
    pattern: /^[a-zA-Z0-9_.-]+$/,
    charset: 'a-z, A-Z, 0-9 and _ - .',
    source: api('amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html'),
  },
];

export const TEXT_LIMIT_RULES: readonly GuardRule[] = TEXT_LIMITS.map((limit) => ({
  id: limit.id,
  checks: `A ${limit.what} (${limit.type} ${limit.property}) is ${limit.min}-${limit.max} characters${limit.charset ? ` of ${limit.charset}` : ''}.`,
  limit: `${limit.min}-${limit.max} characters${limit.charset ? `; ${limit.charset}` : ''}`,
  source: limit.source,
  consequence: 'rejected' as const,
  check: (set) =>
    set.resources(limit.type).flatMap((resource) => {
      const raw = resource.properties[limit.property];
      if (raw === undefined) return [];
      const text = resolveText(raw, { region: resource.template.region });
      if (text === undefined) return [];
      const length = [...text].length;
      const problem =
        length < limit.min || length > limit.max
          ? `is ${length} characters`
          : limit.pattern && !limit.pattern.test(text)
            ? `has characters outside ${limit.charset}`
            : undefined;
      return problem
        ? [
            {
              at: resource,
              message: `the ${limit.what} "${text.slice(0, 80)}" ${problem}`,
              location: `Properties.${limit.property}`,
            },
          ]
        : [];
    }),
}));
