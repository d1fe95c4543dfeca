/**
 * Alerts that diagnose. Alarms notify the internal alarm topic; from there:
 *
 *   alarm topic -> SQS queue (batching window: a burst of alarms arrives together)
 *     -> notifier Lambda (reads the state table, groups alarms into incidents by cause and scope)
 *       -> one encrypted notification topic per format (functions/publish/notification/alert-topics.ts),
 *          each alert published to every one as a String message with routing attributes:
 *            email   -> the configured addresses (and any you subscribe, with a filter policy)
 *            chat    -> Amazon Q Developer
 *            sms     -> phones you subscribe
 *            https   -> webhooks you subscribe
 *            payload -> one Lambda subscriber per channel (alert-subscriber.ts): Slack webhook,
 *                       Slack app, PagerDuty; and any Lambda or SQS queue of yours
 *
 * Also here: the state table the regional probes write to, reminders on a schedule, and the
 * failure path: a notifier that fails leaves the message in a dead-letter queue whose alarm goes
 * straight to every notification topic (not through the notifier, which is what is broken).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { LoggingLevel as ChatbotLoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../functions/probe/codes.ts';
import { alarmName } from '../../functions/publish/alarm-catalog.ts';
import {
  ALERT_TOPIC_NAMES,
  ALERT_TOPICS,
  type AlertTopic,
} from '../../functions/publish/notification/alert-topics.ts';
import {
  NotifierEnv,
  TARGET_REGISTRIES_FILE_NAME,
} from '../../functions/publish/notification/notifier-config.ts';
import { DEFAULT_HOLD_BACK_MS } from '../../functions/publish/notification/pending.ts';
import {
  DEFAULT_HEARTBEAT_MINUTES,
  INCIDENT_PK,
  staleAfterMinutes as staleAfter,
} from '../../functions/publish/state-item.ts';
import { THREAD_PK } from '../../functions/publish/state-thread.ts';
import { MAX_ACTIONS_PER_STATE } from '../guard/rules/alarm.ts';
import { AlertSubscriber, type AlertSubscriberProps, lambdaBasics, lambdaRole } from './alert-subscriber.ts';
import { STATE_TABLE_NAME } from './alerting-state-access.ts';
import { alarmTopicKey, allowCanaryAlarmsToPublish } from './encrypted-topic.ts';

const NOTIFIER_ENTRY = fileURLToPath(new URL('../../functions/handlers/notifier.ts', import.meta.url));
const SLACK_WEBHOOK_ENTRY = fileURLToPath(
  new URL('../../functions/handlers/slack-webhook.ts', import.meta.url),
);
const SLACK_APP_ENTRY = fileURLToPath(new URL('../../functions/handlers/slack-app.ts', import.meta.url));
const PAGERDUTY_ENTRY = fileURLToPath(new URL('../../functions/handlers/pagerduty.ts', import.meta.url));

export interface AmazonQSlackChannel {
  /** The Slack workspace (team) id, e.g. T0123ABCD, authorised once in the Amazon Q Developer console. */
  slackWorkspaceId: string;
  /** The channel id, e.g. C0123ABCD (channel details in Slack). */
  slackChannelId: string;
  /** @default 'registry-canary' */
  configurationName?: string;
}

export interface SlackAppSettings {
  /** ARN or name of a Secrets Manager secret holding the bot token (xoxb-..., bare or JSON {"token": "..."}). */
  botTokenSecret: string;
  /** The channel id, e.g. C0123ABCD; the app must be a member of it. */
  channelId: string;
}

export interface PagerDutySettings {
  /** ARN or name of a Secrets Manager secret holding the Events API v2 integration key (32 characters). */
  routingKeySecret: string;
  /** Which incident severities page. @default ['critical'] */
  severities?: readonly ('critical' | 'warning')[];
}

export interface NotificationSettings {
  /** Each address gets a subscription (to confirm by email). @default none */
  emails?: readonly string[];
  /** Post to Slack through Amazon Q Developer in chat applications. @default none */
  amazonQ?: AmazonQSlackChannel;
  /**
   * ARN or name of a Secrets Manager secret holding a Slack incoming-webhook URL (the bare URL or
   * JSON `{"url": "..."}`). Adds the webhook subscriber Lambda. @default none
   */
  slackWebhookSecret?: string;
  /**
   * Post to Slack as a Slack app (bot token with chat:write), so each incident is one thread.
   * Adds the Slack app subscriber Lambda. @default none
   */
  slackApp?: SlackAppSettings;
  /** Page through PagerDuty's Events API v2. Adds the PagerDuty subscriber Lambda. @default none */
  pagerDuty?: PagerDutySettings;
  /** Remind about an incident still open after this many minutes; 0 turns reminders off. @default 60 */
  reminderMinutes?: number;
  /**
   * Hold back an update to an incident notified less than this many seconds ago (0-600), so a
   * burst makes one update. @default 120
   */
  updateHoldBackSeconds?: number;
}

export interface AlertingProps {
  /** The internal topic every alarm notifies on ALARM and OK. */
  alarmTopic: ITopic;
  /** The key of the stack's alarm topic, shared by the notification topics. @default a key of its own */
  topicKey?: Key;
  /** The deployment's probe regions, so an alert counts a region that sent nothing. */
  probeRegions: readonly string[];
  notifications: NotificationSettings;
  /** Linked from every alert. @default no dashboard link */
  dashboardUrl?: string;
  /** Runbook pages are `<runbookBaseUrl>/<CODE>.md`. @default the project's docs/runbooks */
  runbookBaseUrl?: string;
  /**
   * How often the probes run. A region's result older than two heartbeats (or two intervals, if
   * longer) plus one interval counts as "no recent result" in alerts. @default 5
   */
  probeIntervalMinutes?: number;
  /**
   * How often the probes rewrite an unchanged result: the config's `state.heartbeatMinutes`, which
   * the probes are given too. @default DEFAULT_HEARTBEAT_MINUTES (15)
   */
  heartbeatMinutes?: number;
  /**
   * Each alarmed target's registry host (target name → host), shipped in the notifier's bundle: a
   * target with no state row yet is grouped under its registry instead of standing alone.
   * @default none (such a target gets its own incident)
   */
  targetRegistries?: Readonly<Record<string, string>>;
  /**
   * Each target's owner (target name → team), shipped with the registries: named in every alert
   * and sent as the `owner` message attribute, for subscription filter policies. @default none
   */
  targetOwners?: Readonly<Record<string, string>>;
  /** How long alarms collect in the queue before the notifier reads them. @default 60 seconds */
  batchingWindow?: Duration;
  /** @default one month */
  logRetention?: RetentionDays;
}

export class Alerting extends Construct {
  /** The state of record; regional probes get UpdateItem on it (see alerting-state-access.ts). */
  readonly stateTable: TableV2;
  /** What people and subscribers subscribe to: one topic per format, all encrypted with `notificationKey`. */
  readonly notificationTopics: Readonly<Record<AlertTopic, Topic>>;
  readonly notificationKey: Key;
  readonly alarmQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly notifier: NodejsFunction;
  readonly notifierRole: Role;
  readonly slackWebhook?: NodejsFunction;
  readonly slackWebhookRole?: Role;
  readonly slackApp?: AlertSubscriber;
  readonly pagerDuty?: AlertSubscriber;
  readonly amazonQChannel?: SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const reminderMinutes = props.notifications.reminderMinutes ?? 60;
    if (!Number.isInteger(reminderMinutes) || reminderMinutes < 0) {
      throw new Error(
        `Alerting: notifications.reminderMinutes must be a whole number >= 0, got ${reminderMinutes}`,
      );
    }
    const holdBackSeconds = props.notifications.updateHoldBackSeconds ?? DEFAULT_HOLD_BACK_MS / 1000;
    if (!Number.isInteger(holdBackSeconds) || holdBackSeconds < 0 || holdBackSeconds > 600) {
      throw new Error(
        `Alerting: notifications.updateHoldBackSeconds must be a whole number from 0 to 600, got ${holdBackSeconds}`,
      );
    }
    if (props.probeRegions.length === 0)
      throw new Error('Alerting: probeRegions must name at least one region');
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const interval = props.probeIntervalMinutes ?? 5;
    const heartbeat = props.heartbeatMinutes ?? DEFAULT_HEARTBEAT_MINUTES;
    if (!Number.isInteger(heartbeat) || heartbeat < 1) {
      throw new Error(`Alerting: heartbeatMinutes must be a whole number >= 1, got ${heartbeat}`);
    }
    // The probe rewrites a healthy, unchanged result only as a heartbeat (state.ts), at most once a run.
    const staleAfterMinutes = staleAfter(heartbeat, interval);

    this.stateTable = new TableV2(this, 'State', {
      tableName: STATE_TABLE_NAME,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      // Rebuilt by the next probe run: nothing in it outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The dead-letter alarm publishes here directly, encrypting with this key.
    this.notificationKey =
      props.topicKey ??
      alarmTopicKey(this, 'NotificationKey', 'Encrypts the registry-canary notification topics');
    // The dead-letter alarm notifies every topic: CloudWatch takes at most 5 actions per state.
    if (ALERT_TOPIC_NAMES.length > MAX_ACTIONS_PER_STATE) {
      throw new Error(
        `Alerting: ${ALERT_TOPIC_NAMES.length} notification topics, but an alarm takes at most ${MAX_ACTIONS_PER_STATE} actions per state`,
      );
    }
    this.notificationTopics = Object.fromEntries(
      ALERT_TOPIC_NAMES.map((format) => {
        const topic = new Topic(this, NOTIFICATION_TOPIC_IDS[format], {
          displayName: ALERT_TOPICS[format].displayName,
          masterKey: this.notificationKey,
          enforceSSL: true,
        });
        allowCanaryAlarmsToPublish(topic);
        return [format, topic];
      }),
    ) as Record<AlertTopic, Topic>;
    for (const email of props.notifications.emails ?? []) {
      this.notificationTopics.email.addSubscription(new EmailSubscription(email));
    }

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const notifierTimeout = Duration.seconds(60);
    this.alarmQueue = new Queue(this, 'AlarmQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda consumers: six times the function timeout, so retries do not overlap.
      visibilityTimeout: Duration.seconds(notifierTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    props.alarmTopic.addSubscription(new SqsSubscription(this.alarmQueue));

    const notifierLogs = new LogGroup(this, 'NotifierLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.notifierRole = lambdaRole(this, 'NotifierRole', 'registry-canary notifier', notifierLogs);
    this.notifierRole.addToPolicy(
      new PolicyStatement({
        sid: 'ReadState',
        actions: ['dynamodb:Query', 'dynamodb:GetItem'],
        resources: [this.stateTable.tableArn],
      }),
    );
    this.notifierRole.addToPolicy(
      new PolicyStatement({
        sid: 'WriteIncidentBoard',
        // The incident board is one item (functions/publish/state-incident.ts), written whole.
        actions: ['dynamodb:PutItem'],
        resources: [this.stateTable.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [INCIDENT_PK] } },
      }),
    );
    this.notifierRole.addToPolicy(
      new PolicyStatement({
        sid: 'PublishNotifications',
        actions: ['sns:Publish'],
        resources: ALERT_TOPIC_NAMES.map((format) => this.notificationTopics[format].topicArn),
      }),
    );
    this.notifierRole.addToPolicy(
      new PolicyStatement({
        sid: 'EncryptForNotificationTopic',
        // What SNS asks KMS for on behalf of a publisher to an encrypted topic.
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.notificationKey.keyArn],
      }),
    );

    const notifierBasics = lambdaBasics(NOTIFIER_ENTRY);
    const registriesFile = props.targetRegistries
      ? writeTargetRegistries(props.targetRegistries, props.targetOwners ?? {})
      : null;
    this.notifier = new NodejsFunction(this, 'Notifier', {
      ...notifierBasics,
      ...(registriesFile
        ? {
            bundling: {
              ...notifierBasics.bundling,
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) => [
                  `cp "${registriesFile}" "${path.join(output, TARGET_REGISTRIES_FILE_NAME)}"`,
                ],
              },
            },
          }
        : {}),
      role: this.notifierRole,
      logGroup: notifierLogs,
      timeout: notifierTimeout,
      memorySize: 256,
      description: 'registry-canary: turns alarm transitions into alerts that diagnose',
      environment: {
        [NotifierEnv.table]: this.stateTable.tableName,
        ...Object.fromEntries(
          ALERT_TOPIC_NAMES.map((format) => [
            ALERT_TOPICS[format].env,
            this.notificationTopics[format].topicArn,
          ]),
        ),
        [NotifierEnv.probeRegions]: props.probeRegions.join(','),
        [NotifierEnv.reminderMinutes]: String(reminderMinutes),
        [NotifierEnv.holdBackSeconds]: String(holdBackSeconds),
        [NotifierEnv.staleAfterMinutes]: String(staleAfterMinutes),
        ...(props.dashboardUrl ? { [NotifierEnv.dashboardUrl]: props.dashboardUrl } : {}),
        ...(props.runbookBaseUrl ? { [NotifierEnv.runbookBaseUrl]: props.runbookBaseUrl } : {}),
        ...(registriesFile ? { [NotifierEnv.targetRegistriesFile]: TARGET_REGISTRIES_FILE_NAME } : {}),
        POWERTOOLS_SERVICE_NAME: 'registry-canary-notifier',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      // Reminder runs (asynchronous) that fail land in the same dead-letter queue as alarm batches.
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    this.notifier.addEventSource(
      new SqsEventSource(this.alarmQueue, {
        batchSize: 100,
        maxBatchingWindow: props.batchingWindow ?? Duration.seconds(60),
        reportBatchItemFailures: true,
        // Two is the least SQS allows; incidents are locked optimistically, so two do not collide.
        maxConcurrency: 2,
      }),
    );
    // The sweep also sends the updates the notifier held back to keep a burst to one message
    // (functions/publish/notification/pending.ts), so it runs even with reminders off.
    new Rule(this, 'Reminders', {
      description:
        reminderMinutes > 0
          ? `registry-canary: held-back incident updates, and reminders for incidents open longer than ${reminderMinutes} min`
          : 'registry-canary: held-back incident updates',
      schedule: Schedule.rate(Duration.minutes(Math.min(5, reminderMinutes || 5))),
      targets: [
        new LambdaFunction(this.notifier, { event: RuleTargetInput.fromObject({ action: 'reminders' }) }),
      ],
    });

    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      // Named, so the notification topics' policies admit it (encrypted-topic.ts).
      alarmName: alarmName('NotifierDeadLetters', 'notifier'),
      alarmDescription: [
        'registry-canary could not turn some alarms into alerts: the notifier failed, and the alarm',
        'messages are in its dead-letter queue. Alarms may be firing that nobody was told about: open the',
        "dashboard, read the notifier's log group for the error, then follow the runbook.",
        `Runbook: ${notifierDeadLetterRunbook(props.runbookBaseUrl)}`,
      ].join(' '),
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Every topic: each has readers (the payload topic's Lambdas post plain CloudWatch alarms to
    // Slack and PagerDuty, delivery.ts), and none of them goes through the notifier.
    for (const format of ALERT_TOPIC_NAMES) {
      const toPeople = new SnsAction(this.notificationTopics[format]);
      this.deadLetterAlarm.addAlarmAction(toPeople);
      this.deadLetterAlarm.addOkAction(toPeople);
    }

    const subscriber = (
      id: string,
      extra: Omit<AlertSubscriberProps, 'topic' | 'deadLetterQueue' | 'logRetention'>,
    ) =>
      new AlertSubscriber(this, id, {
        topic: this.notificationTopics.payload,
        deadLetterQueue: this.deadLetterQueue,
        logRetention,
        ...extra,
      });
    if (props.notifications.slackWebhookSecret) {
      const webhook = subscriber('SlackWebhook', {
        entry: SLACK_WEBHOOK_ENTRY,
        purpose: 'posts alerts to a Slack incoming webhook',
        secret: { arnOrName: props.notifications.slackWebhookSecret, sid: 'ReadWebhookSecret' },
        secretEnv: 'SLACK_WEBHOOK_SECRET_ARN',
        environment: { POWERTOOLS_SERVICE_NAME: 'registry-canary-slack-webhook' },
      });
      this.slackWebhook = webhook.function;
      this.slackWebhookRole = webhook.role;
    }
    if (props.notifications.slackApp) {
      const app = props.notifications.slackApp;
      if (!/^[A-Z0-9]+$/.test(app.channelId)) {
        throw new Error(
          `Alerting: notifications.slackApp.channelId must be a Slack channel id such as C0123ABCD, got "${app.channelId}"`,
        );
      }
      this.slackApp = subscriber('SlackApp', {
        entry: SLACK_APP_ENTRY,
        purpose: 'posts alerts to Slack as a Slack app, one thread per incident',
        secret: { arnOrName: app.botTokenSecret, sid: 'ReadBotTokenSecret' },
        secretEnv: 'SLACK_BOT_TOKEN_SECRET_ARN',
        environment: {
          SLACK_CHANNEL_ID: app.channelId,
          POWERTOOLS_SERVICE_NAME: 'registry-canary-slack-app',
        },
        state: { table: this.stateTable, partitionKey: THREAD_PK, tableEnv: 'STATE_TABLE_NAME' },
      });
    }
    if (props.notifications.pagerDuty) {
      const pd = props.notifications.pagerDuty;
      const severities = pd.severities ?? ['critical'];
      if (severities.length === 0 || severities.some((s) => s !== 'critical' && s !== 'warning')) {
        throw new Error(
          `Alerting: notifications.pagerDuty.severities must list critical and/or warning, got ${JSON.stringify(severities)}`,
        );
      }
      this.pagerDuty = subscriber('PagerDuty', {
        entry: PAGERDUTY_ENTRY,
        purpose: 'sends alerts to PagerDuty (Events API v2), one alert per incident',
        secret: { arnOrName: pd.routingKeySecret, sid: 'ReadRoutingKeySecret' },
        secretEnv: 'PAGERDUTY_ROUTING_KEY_SECRET_ARN',
        environment: {
          PAGERDUTY_SEVERITIES: severities.join(','),
          POWERTOOLS_SERVICE_NAME: 'registry-canary-pagerduty',
        },
      });
    }

    if (props.notifications.amazonQ) {
      const channel = props.notifications.amazonQ;
      this.amazonQChannel = new SlackChannelConfiguration(this, 'AmazonQSlack', {
        slackChannelConfigurationName: channel.configurationName ?? 'registry-canary',
        slackWorkspaceId: channel.slackWorkspaceId,
        slackChannelId: channel.slackChannelId,
        notificationTopics: [this.notificationTopics.chat],
        loggingLevel: ChatbotLoggingLevel.ERROR,
        // The channel only receives notifications. The guardrail caps what anyone in the channel
        // could do through it at reading CloudWatch, instead of the service default (administrator).
        guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess')],
      });
    }
  }
}

/**
 * Construct ids of the topics. The email topic keeps the id the single notification topic had, so
 * an update keeps its confirmed email subscriptions.
 */
const NOTIFICATION_TOPIC_IDS: Record<AlertTopic, string> = {
  email: 'Notifications',
  chat: 'ChatNotifications',
  sms: 'SmsNotifications',
  https: 'HttpsNotifications',
  payload: 'PayloadNotifications',
};

/** The page for the notifier's dead-letter alarm: not a diagnosis code, so not runbookUrl. */
export function notifierDeadLetterRunbook(baseUrl = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/NOTIFIER_DLQ.md`;
}

/**
 * Writes the target → registry (and owner) map where the afterBundling hook copies it from; named
 * by its content's hash (sorted), so concurrent synths cannot mix up two apps' maps. A target with
 * an owner is `{ registry, owner }`, one without is the bare host (notifier-config.ts reads both).
 */
export function writeTargetRegistries(
  map: Readonly<Record<string, string>>,
  owners: Readonly<Record<string, string>>,
): string {
  const entries = Object.entries(map)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([target, registry]) => [target, owners[target] ? { registry, owner: owners[target] } : registry]);
  const json = `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
  const dir = path.join(tmpdir(), 'registry-canary-synth');
  mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `target-registries-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`,
  );
  writeFileSync(file, json);
  return file;
}
