/**
 * The alerting construct: its resources, their least-privilege IAM, and cdk-nag's AWS Solutions
 * checks. One synth (functions bundled by local esbuild) shared by the assertions.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../../lib/constructs/alerting.ts';
import {
  STATE_TABLE_NAME,
  stateTableArn,
  stateWriterStatement,
} from '../../../lib/constructs/alerting-state-access.ts';

const WEBHOOK_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-canary/slack-AbCdEf';
const BOT_TOKEN_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-canary/slack-bot-GhIjKl';
const ROUTING_KEY_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-canary/pagerduty-MnOpQr';

let template: Template;
let stack: Stack;

function build(
  notifications: ConstructorParameters<typeof Alerting>[2]['notifications'],
  extra: Partial<ConstructorParameters<typeof Alerting>[2]> = {},
) {
  const appUnderTest = new App();
  const stackUnderTest = new Stack(appUnderTest, 'Home', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const alarmTopic = new Topic(stackUnderTest, 'AlarmTopic', { enforceSSL: true });
  const alerting = new Alerting(stackUnderTest, 'Alerting', {
    alarmTopic,
    probeRegions: ['eu-west-1', 'us-east-1', 'ap-southeast-1'],
    notifications,
    dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards',
    runbookBaseUrl: 'https://example.com/runbooks',
    batchingWindow: Duration.seconds(30),
    ...extra,
  });
  return { app: appUnderTest, stack: stackUnderTest, alerting };
}

beforeAll(() => {
  ({ stack } = build({
    emails: ['oncall@example.com'],
    amazonQ: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
    slackWebhookSecret: WEBHOOK_SECRET,
    slackApp: { botTokenSecret: BOT_TOKEN_SECRET, channelId: 'C0123ABCD' },
    pagerDuty: { routingKeySecret: ROUTING_KEY_SECRET, severities: ['critical', 'warning'] },
    reminderMinutes: 45,
    updateHoldBackSeconds: 30,
  }));
  template = Template.fromStack(stack);
}, 120_000);

/** Every IAM statement attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(rolePrefix: string): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) =>
      (p['Properties'] as { Roles: { Ref: string }[] }).Roles.some((r) => r.Ref.startsWith(rolePrefix)),
    )
    .flatMap(
      (p) =>
        (p['Properties'] as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument
          .Statement,
    );
}

describe('Alerting', () => {
  it('creates the state table on demand, with TTL, point-in-time recovery and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: STATE_TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          Region: 'eu-west-1',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it('subscribes an encrypted, SSL-only queue with a dead-letter queue to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertingAlarmQueue'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    const queuePolicies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const sslOnly = queuePolicies.filter((p) => JSON.stringify(p).includes('"aws:SecureTransport":"false"'));
    expect(sslOnly.length).toBeGreaterThanOrEqual(2);
  });

  it('runs the notifier on arm64 Node 24 from the queue, with a batching window and partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^AlertingNotifierLogs') } },
      Environment: {
        Variables: Match.objectLike({
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp('^AlertingState') },
          EMAIL_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertingNotifications') },
          CHAT_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertingChatNotifications') },
          SMS_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertingSmsNotifications') },
          HTTPS_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertingHttpsNotifications') },
          PAYLOAD_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertingPayloadNotifications') },
          PROBE_REGIONS: 'eu-west-1,us-east-1,ap-southeast-1',
          REMINDER_MINUTES: '45',
          UPDATE_HOLD_BACK_SECONDS: '30',
          STALE_AFTER_MINUTES: '35',
          DASHBOARD_URL: 'https://console.aws.amazon.com/cloudwatch/home#dashboards',
          RUNBOOK_BASE_URL: 'https://example.com/runbooks',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('reminds and sends held-back updates on a schedule with the reminders action', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Description:
        'registry-canary: held-back incident updates, and reminders for incidents open longer than 45 min',
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Input: '{"action":"reminders"}' })],
    });
  });

  it('grants the notifier Query and GetItem on the table, PutItem only on the incident board, and Publish on exactly the five topics', () => {
    const statements = statementsOf('AlertingNotifierRole');
    const byAction = (action: string) =>
      statements.filter((s) => JSON.stringify(s['Action']).includes(action));

    expect(byAction('dynamodb:')).toEqual([
      {
        Sid: 'ReadState',
        Effect: 'Allow',
        Action: ['dynamodb:Query', 'dynamodb:GetItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingState/), 'Arn'] },
      },
      {
        Sid: 'WriteIncidentBoard',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingState/), 'Arn'] },
        // DynamoDB fine-grained access: only items whose partition key is the board's.
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#incident'] } },
      },
    ]);
    expect(byAction('sns:')).toEqual([
      {
        Sid: 'PublishNotifications',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: [
          { Ref: expect.stringMatching(/^AlertingNotifications/) },
          { Ref: expect.stringMatching(/^AlertingChatNotifications/) },
          { Ref: expect.stringMatching(/^AlertingSmsNotifications/) },
          { Ref: expect.stringMatching(/^AlertingHttpsNotifications/) },
          { Ref: expect.stringMatching(/^AlertingPayloadNotifications/) },
        ],
      },
    ]);
    // ... which are every topic of the construct, and no other (the alarm topic is the alarms').
    const topics = Object.keys(template.findResources('AWS::SNS::Topic')).filter((id) =>
      id.startsWith('Alerting'),
    );
    expect(topics).toHaveLength(5);
    const published = ((byAction('sns:')[0]?.['Resource'] ?? []) as { Ref: string }[]).map((r) => r.Ref);
    expect(published.sort()).toEqual(topics.sort());
    // KMS only on the one key the topics share.
    expect(byAction('kms:')).toEqual([
      {
        Sid: 'EncryptForNotificationTopic',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingNotificationKey/), 'Arn'] },
      },
    ]);
    // Nothing else: logs on its own group, the queue it consumes, the key of the topic it publishes to.
    const actions = statements.flatMap((s) => [s['Action']].flat()) as string[];
    for (const action of actions) {
      expect(action).toMatch(
        /^(dynamodb:(Query|GetItem|PutItem)|sns:Publish|kms:(GenerateDataKey|Decrypt)|logs:(CreateLogStream|PutLogEvents)|sqs:(ReceiveMessage|ChangeMessageVisibility|GetQueueUrl|DeleteMessage|GetQueueAttributes|SendMessage))$/,
      );
    }
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:UpdateItem');
  });

  it('lets the Slack app read only its bot token and only its own thread items, and tells it the channel', () => {
    const statements = statementsOf('AlertingSlackAppRole');
    expect(statements.filter((s) => JSON.stringify(s['Action']).match(/secretsmanager|dynamodb/))).toEqual([
      {
        Sid: 'ReadBotTokenSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: BOT_TOKEN_SECRET,
      },
      {
        Sid: 'OwnItemsOfTheStateTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingState/), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#thread'] } },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SLACK_CHANNEL_ID: 'C0123ABCD',
          SLACK_BOT_TOKEN_SECRET_ARN: BOT_TOKEN_SECRET,
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp('^AlertingState') },
        }),
      },
    });
  });

  it('lets the PagerDuty subscriber read only its routing key, with the severities that page', () => {
    const statements = statementsOf('AlertingPagerDutyRole');
    const actions = statements.flatMap((s) => [s['Action']].flat()) as string[];
    // Its log group, its secret, and failed events to the dead-letter queue (the CDK's SqsDestination grant).
    expect([...new Set(actions)].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(statements.find((s) => s['Sid'] === 'ReadRoutingKeySecret')?.['Resource']).toBe(
      ROUTING_KEY_SECRET,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PAGERDUTY_SEVERITIES: 'critical,warning' }) },
    });
    // One Lambda subscription per channel (webhook, app, PagerDuty), each on the payload topic.
    const lambdas = Object.values(
      template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } }),
    ).map((r) => (r['Properties'] as { TopicArn: { Ref: string } }).TopicArn.Ref);
    expect(lambdas).toHaveLength(3);
    for (const topic of lambdas) expect(topic).toMatch(/^AlertingPayloadNotifications/);
  });

  it('refuses a Slack app channel that is not a channel id, and PagerDuty severities it does not know, naming the prop', () => {
    expect(() => build({ slackApp: { botTokenSecret: 'x', channelId: '#alerts' } })).toThrow(
      /notifications\.slackApp\.channelId/,
    );
    expect(() => build({ pagerDuty: { routingKeySecret: 'x', severities: [] } })).toThrow(
      /notifications\.pagerDuty\.severities/,
    );
    // Each build bundles the notifier's functions with esbuild before the props are refused.
  }, 60_000);

  it('lets the webhook subscriber read only its own secret', () => {
    const statements = statementsOf('AlertingSlackWebhookRole');
    const secretStatements = statements.filter((s) => JSON.stringify(s['Action']).includes('secretsmanager'));
    expect(secretStatements).toEqual([
      {
        Sid: 'ReadWebhookSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: WEBHOOK_SECRET,
      },
    ]);
  });

  it('encrypts every notification topic with one key, subscribes the emails to the email topic and Amazon Q to the chat topic', () => {
    const topics = Object.entries(template.findResources('AWS::SNS::Topic')).filter(([id]) =>
      id.startsWith('Alerting'),
    );
    expect(topics.map(([, t]) => (t['Properties'] as { DisplayName: string }).DisplayName).sort()).toEqual([
      'canary',
      'registry-canary',
      'registry-canary chat',
      'registry-canary https',
      'registry-canary payload',
    ]);
    for (const [, topic] of topics) {
      expect(topic['Properties']).toMatchObject({
        KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingNotificationKey/), 'Arn'] },
      });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlertingNotifications') },
    });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^AlertingChatNotifications') }],
      GuardrailPolicies: [
        { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('CloudWatchReadOnlyAccess')])] },
      ],
    });
  });

  it("alarms on the dead-letter queue straight to every notification topic (5 actions, CloudWatch's most), linking its runbook", () => {
    const everyTopic = [
      { Ref: Match.stringLikeRegexp('^AlertingNotifications') },
      { Ref: Match.stringLikeRegexp('^AlertingChatNotifications') },
      { Ref: Match.stringLikeRegexp('^AlertingSmsNotifications') },
      { Ref: Match.stringLikeRegexp('^AlertingHttpsNotifications') },
      { Ref: Match.stringLikeRegexp('^AlertingPayloadNotifications') },
    ];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmDescription: Match.stringLikeRegexp('Runbook: https://example\\.com/runbooks/NOTIFIER_DLQ\\.md$'),
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: everyTopic,
      OKActions: everyTopic,
    });
  });

  it('lets a subscription filter by owner and severity on a topic, as docs/alerts.md shows', () => {
    const { stack: routed, alerting } = build({});
    alerting.notificationTopics.email.addSubscription(
      new EmailSubscription('payments-oncall@example.com', {
        filterPolicy: {
          owner: SubscriptionFilter.stringFilter({ allowlist: ['payments'] }),
          severity: SubscriptionFilter.stringFilter({ allowlist: ['critical', 'info'] }),
        },
      }),
    );
    Template.fromStack(routed).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'payments-oncall@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlertingNotifications') },
      // The default scope, MessageAttributes: what every publish carries (sns-message.ts).
      FilterPolicy: { owner: ['payments'], severity: ['critical', 'info'] },
    });
  }, 60_000);

  // Each of these synthesizes a stack of its own (bundling the functions): seconds on a busy machine.
  it('leaves out the webhook subscriber and the Slack channel, but keeps the sweep for held-back updates, when reminders are off', () => {
    const minimal = Template.fromStack(build({ reminderMinutes: 0 }).stack);
    minimal.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    minimal.resourceCountIs('AWS::Lambda::Function', 1);
    minimal.resourceCountIs('AWS::Events::Rule', 1);
    minimal.hasResourceProperties('AWS::Events::Rule', {
      Description: 'registry-canary: held-back incident updates',
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Input: '{"action":"reminders"}' })],
    });
  }, 60_000);

  it("derives the notifier's no-recent-result age from the heartbeat it is given", () => {
    const { stack: other } = build({}, { heartbeatMinutes: 30 });
    // Two heartbeats plus one 5-minute probe interval.
    Template.fromStack(other).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STALE_AFTER_MINUTES: '65' }) },
    });
  }, 60_000);

  it('refuses a heartbeat under a minute, naming the prop', () => {
    expect(() => build({}, { heartbeatMinutes: 0 })).toThrow(/heartbeatMinutes/);
  });

  it.each([-1, 601])('refuses an update hold-back of %s seconds, naming the prop', (seconds) => {
    expect(() => build({ updateHoldBackSeconds: seconds })).toThrow(/notifications\.updateHoldBackSeconds/);
  });

  it('refuses a negative reminder period, naming the prop', () => {
    expect(() => build({ reminderMinutes: -5 })).toThrow(/notifications.reminderMinutes/);
  });

  it('passes the cdk-nag AWS Solutions checks', () => {
    // A fresh app: a synthesized one is cached and would not run the checks again.
    const fresh = build({
      emails: ['oncall@example.com'],
      amazonQ: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
      slackWebhookSecret: 'registry-canary/slack',
    }).app;
    Validations.of(fresh).addPlugins(new AwsSolutionsChecks(fresh, { verbose: true }));
    let report = '';
    try {
      fresh.synth();
    } catch (error) {
      report = String(error);
    }
    expect(report).toBe('');
  }, 60_000);

  it('gives regional probes UpdateItem on the home table, by name', () => {
    const regional = new Stack(new App(), 'Regional', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    expect(regional.resolve(stateTableArn(regional, 'eu-west-1'))).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:123456789012:table/registry-canary-state'],
      ],
    });
    expect(regional.resolve(stateWriterStatement(regional, 'eu-west-1').toStatementJson())).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Effect: 'Allow',
    });
  });
});
