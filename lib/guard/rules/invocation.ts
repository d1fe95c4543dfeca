/**
 * How the functions are invoked: their timeout, the schedules that run them, the retry settings of
 * asynchronous invocation, and the queue a function polls.
 *
 * Sources:
 * - Lambda timeout: "up to a maximum value of 900 seconds (15 minutes)" (Lambda Developer Guide,
 *   "Configure Lambda function timeout"; the CreateFunction API model says the same).
 * - Rate expressions of EventBridge rules: "rate(value unit)", value a positive number, unit
 *   minute | minutes | hour | hours | day | days, "If the value is equal to 1, then the unit must be
 *   singular. If the value is greater than 1, the unit must be plural" (EventBridge User Guide,
 *   "Rate expressions reference"). EventBridge Scheduler: "a value as a positive integer, and a unit
 *   with the following options: minute | minutes | hour | hours | day | days" (CreateSchedule,
 *   ScheduleExpression).
 * - Asynchronous invocation: MaximumEventAgeInSeconds 60-21600, MaximumRetryAttempts 0-2 (Lambda
 *   API model, PutFunctionEventInvokeConfig); Scheduler RetryPolicy MaximumEventAgeInSeconds
 *   60-86400, MaximumRetryAttempts 0-185 (Scheduler API model, RetryPolicy).
 * - SQS event source: "Your function's timeout must be less than or equal to the queue's visibility
 *   timeout. Lambda validates this requirement when you create or update an event source mapping"
 *   (Lambda Developer Guide, "Creating and configuring an Amazon SQS event source mapping"). SQS's
 *   default visibility timeout is 30 seconds, Lambda's default timeout 3 seconds.
 */
import { literalNumber, referencedLogicalId, resolveText } from '../intrinsics.ts';
import type { Finding, GuardRule } from '../rule.ts';
import type { GuardResource, TemplateSet } from '../template-set.ts';

export const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
const DEFAULT_LAMBDA_TIMEOUT = 3;
const DEFAULT_VISIBILITY_TIMEOUT = 30;

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

export interface Rate {
  value: number;
  unit: string;
  seconds: number;
}

/** A `rate(value unit)` expression, or why it is not one. */
export function parseRate(expression: string): Rate | { problem: string } | undefined {
  if (!expression.startsWith('rate(')) return undefined;
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (!match) return { problem: `"${expression}" is not rate(<positive integer> minute(s)|hour(s)|day(s))` };
  const value = Number(match[1]);
  const unit = match[2]!;
  if (value < 1) return { problem: `"${expression}" has a value below 1` };
  return { value, unit, seconds: value * UNIT_SECONDS[unit.replace(/s$/, '')]! };
}

/** Every schedule in the app with the function it invokes: Scheduler schedules and EventBridge rules. */
function scheduledFunctions(
  set: TemplateSet,
): { schedule: GuardResource; expression: string; fn: GuardResource }[] {
  const found: { schedule: GuardResource; expression: string; fn: GuardResource }[] = [];
  const add = (schedule: GuardResource, expression: unknown, arn: unknown) => {
    const text = resolveText(expression, { region: schedule.template.region });
    const id = referencedLogicalId(arn);
    const fn = id ? set.resource(schedule.template, id) : undefined;
    if (text && fn?.type === 'AWS::Lambda::Function') found.push({ schedule, expression: text, fn });
  };
  for (const schedule of set.resources('AWS::Scheduler::Schedule')) {
    const target = schedule.properties['Target'] as { Arn?: unknown } | undefined;
    add(schedule, schedule.properties['ScheduleExpression'], target?.Arn);
  }
  for (const rule of set.resources('AWS::Events::Rule')) {
    const targets = rule.properties['Targets'];
    for (const target of Array.isArray(targets) ? (targets as { Arn?: unknown }[]) : [])
      add(rule, rule.properties['ScheduleExpression'], target.Arn);
  }
  return found;
}

const timeoutOf = (fn: GuardResource): number | undefined =>
  fn.properties['Timeout'] === undefined ? DEFAULT_LAMBDA_TIMEOUT : literalNumber(fn.properties['Timeout']);

function rangeFindings(
  resource: GuardResource,
  values: Record<string, [unknown, number, number]>,
  prefix: string,
): Finding[] {
  return Object.entries(values).flatMap(([key, [raw, min, max]]) => {
    const value = literalNumber(raw);
    return value !== undefined && (value < min || value > max)
      ? [{ at: resource, message: `${key} is ${value}, outside ${min}-${max}`, location: `${prefix}${key}` }]
      : [];
  });
}

export const INVOCATION_RULES: readonly GuardRule[] = [
  {
    id: 'LAMBDA-Timeout',
    checks: 'A function timeout is 1 to 900 seconds.',
    limit: `1-${MAX_LAMBDA_TIMEOUT_SECONDS} s`,
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html',
    consequence: 'rejected',
    check: (set) =>
      set.resources('AWS::Lambda::Function').flatMap((fn) => {
        const timeout = timeoutOf(fn);
        return timeout !== undefined && (timeout < 1 || timeout > MAX_LAMBDA_TIMEOUT_SECONDS)
          ? [{ at: fn, message: `Timeout is ${timeout} s`, location: 'Properties.Timeout' }]
          : [];
      }),
  },
  {
    id: 'LAMBDA-TimeoutWithinSchedule',
    checks:
      'A function run on a rate schedule can finish before the next run starts: its timeout is at most the interval.',
    limit: 'Timeout ≤ the schedule’s rate interval (otherwise runs overlap and a slow run delays the next)',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html',
    consequence: 'misbehaves',
    check: (set) =>
      scheduledFunctions(set).flatMap(({ schedule, expression, fn }) => {
        const rate = parseRate(expression);
        const timeout = timeoutOf(fn);
        if (!rate || 'problem' in rate || timeout === undefined) return [];
        return timeout > rate.seconds
          ? [
              {
                at: fn,
                message: `Timeout is ${timeout} s but ${schedule.logicalId} runs it ${expression} (every ${rate.seconds} s)`,
                location: 'Properties.Timeout',
              },
            ]
          : [];
      }),
  },
  {
    id: 'SCHEDULE-RateExpression',
    checks:
      'A rate schedule is rate(<positive integer> <unit>); on an EventBridge rule the unit is singular for 1 and plural otherwise.',
    limit: 'rate(value unit), unit ∈ minute(s) | hour(s) | day(s); rules: rate(1 minute), rate(5 minutes)',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html',
    consequence: 'rejected',
    check: (set) => {
      const found: Finding[] = [];
      const check = (resource: GuardResource, numberMatters: boolean) => {
        const expression = resolveText(resource.properties['ScheduleExpression'], {
          region: resource.template.region,
        });
        if (!expression) return;
        const rate = parseRate(expression);
        if (!rate) return;
        const problem =
          'problem' in rate
            ? rate.problem
            : numberMatters && (rate.value === 1) === rate.unit.endsWith('s')
              ? `"${expression}": the unit must be ${rate.value === 1 ? 'singular for 1' : 'plural above 1'}`
              : undefined;
        if (problem)
          found.push({ at: resource, message: problem, location: 'Properties.ScheduleExpression' });
      };
      for (const schedule of set.resources('AWS::Scheduler::Schedule')) check(schedule, false);
      for (const rule of set.resources('AWS::Events::Rule')) check(rule, true);
      return found;
    },
  },
  {
    id: 'LAMBDA-AsyncRetryBounds',
    checks: 'Asynchronous invocation keeps events 60-21,600 s and retries 0-2 times.',
    limit: 'MaximumEventAgeInSeconds 60-21600, MaximumRetryAttempts 0-2',
    source: 'https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html',
    consequence: 'rejected',
    check: (set) =>
      set.resources('AWS::Lambda::EventInvokeConfig').flatMap((config) =>
        rangeFindings(
          config,
          {
            MaximumEventAgeInSeconds: [config.properties['MaximumEventAgeInSeconds'], 60, 21_600],
            MaximumRetryAttempts: [config.properties['MaximumRetryAttempts'], 0, 2],
          },
          'Properties.',
        ),
      ),
  },
  {
    id: 'SCHEDULE-RetryPolicyBounds',
    checks: 'A schedule keeps undelivered events 60-86,400 s and retries 0-185 times.',
    limit: 'RetryPolicy MaximumEventAgeInSeconds 60-86400, MaximumRetryAttempts 0-185',
    source: 'https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html',
    consequence: 'rejected',
    check: (set) =>
      set.resources('AWS::Scheduler::Schedule').flatMap((schedule) => {
        const policy = (
          schedule.properties['Target'] as { RetryPolicy?: Record<string, unknown> } | undefined
        )?.RetryPolicy;
        if (!policy) return [];
        return rangeFindings(
          schedule,
          {
            MaximumEventAgeInSeconds: [policy['MaximumEventAgeInSeconds'], 60, 86_400],
            MaximumRetryAttempts: [policy['MaximumRetryAttempts'], 0, 185],
          },
          'Properties.Target.RetryPolicy.',
        );
      }),
  },
  {
    id: 'SQS-VisibilityTimeoutCoversFunction',
    checks: "A queue a function polls hides a message at least as long as the function's timeout.",
    limit: 'queue VisibilityTimeout ≥ function Timeout (defaults 30 s and 3 s)',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html',
    consequence: 'rejected',
    check: (set) =>
      set.resources('AWS::Lambda::EventSourceMapping').flatMap((mapping) => {
        const queueId = referencedLogicalId(mapping.properties['EventSourceArn']);
        const fnId = referencedLogicalId(mapping.properties['FunctionName']);
        const queue = queueId ? set.resource(mapping.template, queueId) : undefined;
        const fn = fnId ? set.resource(mapping.template, fnId) : undefined;
        if (queue?.type !== 'AWS::SQS::Queue' || fn?.type !== 'AWS::Lambda::Function') return [];
        const visibility =
          queue.properties['VisibilityTimeout'] === undefined
            ? DEFAULT_VISIBILITY_TIMEOUT
            : literalNumber(queue.properties['VisibilityTimeout']);
        const timeout = timeoutOf(fn);
        if (visibility === undefined || timeout === undefined) return [];
        return visibility < timeout
          ? [
              {
                at: mapping,
                message: `${queue.logicalId} hides messages for ${visibility} s but ${fn.logicalId} may run ${timeout} s`,
                location: 'Properties.EventSourceArn',
              },
            ]
          : [];
      }),
  },
];
