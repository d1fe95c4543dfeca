import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import defaultConfig from '../../../../config/default.ts';
import { alarmKindOf } from '../../../../functions/publish/alarm-catalog.ts';
import { homeAlarms, maskedTemplate, type SynthedApp, synthApp } from '../synth.ts';

// One synth (with bundling and cdk-nag) for the whole file: it is the slow part.
let app: SynthedApp;
beforeAll(() => {
  app = synthApp({ ...defaultConfig, account: '123456789012' });
}, 120_000);

describe('the default config', () => {
  it('synthesises one probe stack per region and the home stack, cdk-nag clean', () => {
    expect([...app.stacks.regional.keys()]).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-1']);
    expect(app.stacks.home.region).toBe('us-east-1');
  });

  it('passes the deploy guard (lib/guard): it ran over every template and found nothing', () => {
    expect(app.stacks.guard.lastRun).toMatchObject({
      templates: 4 + app.stacks.home.targetAlarmStacks.size,
      findings: 0,
    });
  });

  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-1'])(
    'matches the snapshot of the %s probe stack',
    (region) => {
      expect(maskedTemplate(app.regional(region))).toMatchSnapshot();
    },
  );

  it('matches the snapshot of the home stack', () => {
    expect(maskedTemplate(app.home)).toMatchSnapshot();
  });
});

describe('ScheduledProbe', () => {
  it('runs the bundled handler on arm64 and the latest Node runtime, sized from its targets', () => {
    app.regional('eu-west-1').hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 384,
      Timeout: 30,
      Environment: { Variables: Match.objectLike({ PROBE_CONFIG_FILE: 'probe-config.json' }) },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
  });

  it('gives the function its own log group with retention', () => {
    app.regional('eu-west-1').hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('invokes it every 5 minutes from EventBridge Scheduler, failures to the dead-letter queue', () => {
    const template = app.regional('eu-west-1');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeDeadLetters'), 'Arn'] } },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeDeadLetters'), 'Arn'] } },
      },
    });
  });

  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-1'])(
    'keeps no alarm, topic or key in the %s probe stack: the home stack watches the probe by its heartbeat',
    (region) => {
      const template = app.regional(region);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::KMS::Key', 0);
      expect(homeAlarms(app).map((a) => a.Properties.AlarmName)).toContain(
        `RegistryCanary-${region}-ProbeSilent`,
      );
    },
  );

  it('lets the function put metrics only in its namespace, write its state and logs, and nothing more for anonymous targets', () => {
    const template = app.regional('eu-west-1');
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ProbeRole') }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'PutMetricDataInOwnNamespace',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'RegistryCanary' } },
      }),
    );
    const named = statements.filter((s) => s.Sid);
    expect(named.map((s) => s.Sid).sort()).toEqual([
      'PutMetricDataInOwnNamespace',
      'WriteOwnLogGroup',
      'WriteStateOfRecord',
    ]);
    // The only other grant is the on-failure destination's: sending to its own dead-letter queue.
    expect(statements.filter((s) => !s.Sid)).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/ProbeDeadLetters/), 'Arn'] },
      }),
    ]);
  });
});

describe('HomeStack', () => {
  it('creates the per-target alarms, every one with both actions, and gives every alarm a runbook link', () => {
    const all = homeAlarms(app) as {
      Properties: {
        AlarmName?: string;
        AlarmDescription: string;
        AlarmActions: unknown[];
        OKActions: unknown[];
      };
    }[];
    // Every alarm of the home region, not only the per-target ones: the notifier's dead-letter
    // alarm once lacked its link because a filter on the name hid it from this test.
    for (const alarm of all) expect(alarm.Properties.AlarmDescription).toMatch(/Runbook: https:\/\/\S+/);
    for (const alarm of all) {
      // The alarm topic; the notifier's dead-letter alarm notifies the five notification topics
      // directly instead (it reports the notifier itself failing).
      const dlq = alarm.Properties.AlarmName === 'RegistryCanary-notifier-NotifierDeadLetters';
      expect(alarm.Properties.AlarmActions).toHaveLength(dlq ? 5 : 1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
    const names = all.map((a) => a.Properties.AlarmName ?? '');
    const ofKind = (kind: string) => names.filter((n) => alarmKindOf(n)?.spec.kind === kind);
    // 7 targets × (any region, many regions, silent, slow), a pull budget for Docker Hub only (ECR
    // Public sends none), a heartbeat per region, a certificate per registry host, the notifier's DLQ.
    expect(ofKind('FailingInAnyRegion')).toHaveLength(7);
    expect(ofKind('FailingInManyRegions')).toHaveLength(7);
    expect(ofKind('TargetSilent')).toHaveLength(7);
    expect(ofKind('LatencyDegraded')).toHaveLength(7);
    expect(ofKind('RateLimitLow')).toEqual(['RegistryCanary-dockerhub-alpine-RateLimitLow']);
    expect(ofKind('ProbeSilent')).toHaveLength(3);
    expect(ofKind('CertificateExpiring')).toHaveLength(7);
    expect(ofKind('NotifierDeadLetters')).toEqual(['RegistryCanary-notifier-NotifierDeadLetters']);
    expect(all).toHaveLength(7 * 4 + 1 + 3 + 7 + 1);
  });

  it("tags each target's alarms with the target's tags and owner from the config", () => {
    const tagsOf = (name: string) =>
      homeAlarms(app).find((a) => a.Properties.AlarmName === name)?.Properties.Tags;
    expect(tagsOf('RegistryCanary-dockerhub-alpine-FailingInAnyRegion')).toEqual([
      { Key: 'Owner', Value: 'platform-team' },
      { Key: 'registry', Value: 'docker-hub' },
    ]);
    expect(tagsOf('RegistryCanary-gcr-distroless-LatencyDegraded')).toEqual([
      { Key: 'Owner', Value: 'platform-team' },
      { Key: 'registry', Value: 'gcr' },
    ]);
  });

  it('publishes the dashboard URL and the alarm topic for other constructs', () => {
    expect(app.stacks.home.dashboardUrl).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=RegistryCanary-us-east-1',
    );
    app.home.hasOutput('AlarmTopicArn', {});
  });
});
