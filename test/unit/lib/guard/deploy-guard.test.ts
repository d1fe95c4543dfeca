/**
 * The deploy guard through the CDK's own policy-validation path: each rule's case (cases.ts) must
 * fail synth naming the rule and the resource, and pass at its limit.
 */
import { readFileSync } from 'node:fs';
import {
  type App,
  CfnResource,
  CfnWaitConditionHandle,
  Fn,
  NestedStack,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { CfnAlarm, CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { GUARD_RULES } from '../../../../lib/guard/catalog.ts';
import { DEPLOY_GUARD_NAME, DeployGuard } from '../../../../lib/guard/deploy-guard.ts';
import { GUARD_CASES, type GuardCase, guardedApp, STACK_ENV, STACK_NAME } from './cases.ts';

interface Outcome {
  /** The synth error's message, or undefined when synth passed. */
  error: string | undefined;
  guard: DeployGuard;
}

function synthGuarded(build: (stack: Stack) => void): Outcome {
  const { app, stack } = guardedApp();
  build(stack);
  return synthWithGuard(app);
}

function synthWithGuard(app: App): Outcome {
  const guard = new DeployGuard();
  Validations.of(app).addPlugins(guard);
  try {
    app.synth();
    return { error: undefined, guard };
  } catch (error) {
    return { error: (error as Error).message, guard };
  }
}

/** The catalog's rule ids a report names (an id that prefixes another is told apart). */
function rulesNamed(report: string): string[] {
  return GUARD_RULES.map((r) => r.id).filter((id) =>
    new RegExp(`${DEPLOY_GUARD_NAME}::${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(report),
  );
}

const cases = Object.entries(GUARD_CASES) as [string, GuardCase][];

describe('the deploy guard catalog', () => {
  it('has a failing case for every rule, and no case without a rule', () => {
    expect(Object.keys(GUARD_CASES).sort()).toEqual(GUARD_RULES.map((r) => r.id).sort());
  });

  it('lists every rule with its limit and source in docs/deploy.md', () => {
    const docs = readFileSync(new URL('../../../../docs/deploy.md', import.meta.url), 'utf8');
    for (const rule of GUARD_RULES)
      expect(docs, rule.id).toContain(`| \`${rule.id}\` | ${rule.limit.replace(/\|/g, '\\|')} |`);
  });

  it('cites an AWS documentation page and states the limit for every rule', () => {
    for (const rule of GUARD_RULES) {
      expect(rule.source, rule.id).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(rule.limit, rule.id).not.toBe('');
      expect(rule.checks, rule.id).not.toBe('');
    }
  });
});

describe.each(cases)('rule %s', (id, guardCase) => {
  it('fails synth naming the rule and the resource, and no other rule', () => {
    const { error } = synthGuarded(guardCase.breaks);
    expect(error, 'synth passed').toBeDefined();
    expect(rulesNamed(error!)).toEqual([id]);
    expect(error).toContain(guardCase.names === STACK_NAME ? STACK_NAME : `${STACK_NAME}/${guardCase.names}`);
  });

  it('passes at the limit', () => {
    const { error, guard } = synthGuarded(guardCase.atLimit);
    expect(error).toBeUndefined();
    expect(guard.lastRun?.findings).toBe(0);
  });
});

describe('how findings are reported', () => {
  it('makes a rejected deploy fatal and a run-time misbehaviour an error', () => {
    const rejected = synthGuarded(GUARD_CASES['LAMBDA-Timeout']!.breaks).error!;
    const misbehaves = synthGuarded(GUARD_CASES['LAMBDA-TimeoutWithinSchedule']!.breaks).error!;
    expect(rejected).toMatch(/FATAL Function \(AWS::Lambda::Function\) in Guarded: Timeout is 901 s/);
    expect(misbehaves).toMatch(
      /ERROR Function \(AWS::Lambda::Function\) in Guarded: Timeout is 61 s but Schedule runs it rate\(1 minute\)/,
    );
  });

  it('prints the documented limit and its source beside the finding', () => {
    const { error } = synthGuarded(GUARD_CASES['CW-AlarmStatusWidgetAlarms']!.breaks);
    expect(error).toContain('widget 0 lists 101 alarms');
    expect(error).toContain('AWS limit: 100 alarms per alarm status widget');
    expect(error).toContain('Source: https://docs.aws.amazon.com/AmazonCloudWatch/');
  });

  it('lets no acknowledgement hide a deploy AWS would reject', () => {
    const { app, stack } = guardedApp();
    GUARD_CASES['CW-AlarmPeriod']!.breaks(stack);
    Validations.of(stack).acknowledge({ id: `${DEPLOY_GUARD_NAME}::CW-AlarmPeriod`, reason: 'trying' });
    expect(synthWithGuard(app).error).toContain('CW-AlarmPeriod');
  });

  it('lets a run-time misbehaviour be acknowledged with a reason', () => {
    const { app, stack } = guardedApp();
    GUARD_CASES['LAMBDA-TimeoutWithinSchedule']!.breaks(stack);
    Validations.of(stack).acknowledge({
      id: `${DEPLOY_GUARD_NAME}::LAMBDA-TimeoutWithinSchedule`,
      reason: 'the handler stops itself before the next run',
    });
    expect(synthWithGuard(app).error).toBeUndefined();
  });
});

describe('what the guard reads', () => {
  it('names a top-level stack whose template has more than 500 resources', () => {
    const { error } = synthGuarded((stack) => {
      for (let i = 0; i < 501; i++)
        new CfnAlarm(stack, `A${i}`, {
          comparisonOperator: 'GreaterThanThreshold',
          evaluationPeriods: 1,
          threshold: 0,
          namespace: 'n',
          metricName: 'm',
          statistic: 'Sum',
          period: 60,
        });
    });
    expect(rulesNamed(error!)).toEqual(['CFN-ResourcesPerTemplate']);
    expect(error).toContain('template of Guarded: the template declares 501 resources');
  });

  it('reads the nested stacks’ templates and names the resource inside them', () => {
    const { error } = synthGuarded((stack) => {
      new CfnAlarm(new NestedStack(stack, 'Nested'), 'Alarm', {
        comparisonOperator: 'GreaterThanThreshold',
        evaluationPeriods: 1,
        threshold: 0,
        namespace: 'n',
        metricName: 'm',
        statistic: 'Sum',
        period: 45,
      });
    });
    expect(rulesNamed(error!)).toEqual(['CW-AlarmPeriod']);
    expect(error).toContain(`${STACK_NAME}/Nested/Alarm`);
  });

  it('finds an invalid MetricStat period inside a metric-math alarm', () => {
    const { error } = synthGuarded((stack) => {
      new CfnAlarm(stack, 'Alarm', {
        comparisonOperator: 'GreaterThanThreshold',
        evaluationPeriods: 1,
        threshold: 0,
        metrics: [
          {
            id: 'm',
            returnData: false,
            metricStat: { metric: { namespace: 'n', metricName: 'm' }, stat: 'Sum', period: 90 },
          },
          { id: 'e', expression: 'm', returnData: true },
        ],
      });
    });
    expect(error).toContain('Metrics[0].MetricStat.Period is 90 s');
  });

  it('counts Metrics Insights alarms per region over every stack of the app', () => {
    // 200 in eu-west-1 and one in us-east-1 pass; one more in another eu-west-1 stack does not.
    const build = (extraInSameRegion: boolean) => {
      const { app, stack } = guardedApp();
      GUARD_CASES['CW-MetricsInsightsAlarmsPerRegion']!.atLimit(stack);
      GUARD_CASES['CW-MetricsInsightsAlarmWindow']!.atLimit(
        new Stack(app, 'OtherRegion', { env: { ...STACK_ENV, region: 'us-east-1' } }),
      );
      if (extraInSameRegion)
        GUARD_CASES['CW-MetricsInsightsAlarmWindow']!.atLimit(
          new Stack(app, 'SameRegion', { env: STACK_ENV }),
        );
      return synthWithGuard(app).error;
    };
    expect(build(false)).toBeUndefined();
    const error = build(true);
    expect(rulesNamed(error ?? '')).toEqual(['CW-MetricsInsightsAlarmsPerRegion']);
    expect(error).toContain('201 Metrics Insights alarms in eu-west-1');
  });

  it('rejects a dashboard name with a character PutDashboard refuses', () => {
    const { error } = synthGuarded((stack) => {
      new CfnDashboard(stack, 'Subject', { dashboardName: 'my dashboard', dashboardBody: '{"widgets":[]}' });
    });
    expect(rulesNamed(error!)).toEqual(['NAME-CloudWatchDashboard']);
    expect(error).toContain('has characters outside A-Z, a-z, 0-9, - and _');
  });

  it('rejects rate(0 minutes) on a schedule', () => {
    const { error } = synthGuarded((stack) => {
      new CfnResource(stack, 'Schedule', {
        type: 'AWS::Scheduler::Schedule',
        properties: {
          ScheduleExpression: 'rate(0 minutes)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: 'a', RoleArn: 'r' },
        },
      });
    });
    expect(rulesNamed(error!)).toEqual(['SCHEDULE-RateExpression']);
    expect(error).toContain('has a value below 1');
  });

  it('fails a dashboard whose body is not JSON once filled in, rather than passing it unread', () => {
    const { error } = synthGuarded((stack) => {
      const handle = new CfnWaitConditionHandle(stack, 'Handle');
      new CfnDashboard(stack, 'Dashboard', { dashboardBody: Fn.join('', ['{"widgets": ', handle.ref, '}']) });
    });
    expect(error).toContain('DashboardBody is not JSON once its values are filled in');
    expect(error).toContain(`${STACK_NAME}/Dashboard`);
  });
});
