/**
 * An SNS topic encrypted with a customer-managed KMS key, which the canary's CloudWatch alarms may
 * publish to.
 *
 * Two policies must both let CloudWatch in, or alarm notifications are dropped and the alarm
 * history says "not authorized to perform SNS:Publish":
 * - The topic policy. A CloudFormation topic policy (the CDK writes one for `enforceSSL`) replaces
 *   SNS's default policy, so nothing else allows the CloudWatch service principal to publish. The
 *   allow is scoped with aws:SourceAccount and aws:SourceArn to this account's alarms named
 *   `RegistryCanary-*`, against the confused deputy (Amazon SNS Developer Guide, "Example cases for
 *   Amazon SNS access control": allowing CloudWatch alarms to publish, and "aws:SourceAccount
 *   versus aws:SourceOwner").
 * - The key policy. The AWS-managed SNS key's policy does not let cloudwatch.amazonaws.com use it,
 *   so the topic has its own key, whose policy allows kms:Decrypt and kms:GenerateDataKey* to
 *   CloudWatch (Amazon SNS Developer Guide, "Key management: Enable compatibility between event
 *   sources from AWS services and encrypted topics").
 * test/unit/lib/stacks/topic-publishers.test.ts walks every alarm action of every stack and checks
 * both policies admit it.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ALARM_NAME_PREFIX } from '../../functions/publish/alarm-catalog.ts';

export interface EncryptedTopicProps {
  /** Shown in the console and in email subjects. */
  displayName: string;
  /** Subscribed by email (each must confirm). @default none */
  emails?: readonly string[];
  /** A key already made for another of the stack's topics (one key a stack: each costs $1 a month). @default a new key */
  key?: Key;
}

export class EncryptedTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  /** The action alarms use for both ALARM and OK. */
  readonly alarmAction: IAlarmAction;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    this.key = props.key ?? alarmTopicKey(this, 'Key', `Encrypts the ${props.displayName} SNS topic`);
    this.topic = new Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: this.key,
      enforceSSL: true,
    });
    allowCanaryAlarmsToPublish(this.topic);
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    this.alarmAction = new SnsAction(this.topic);
  }
}

/** A key for alarm topics: CloudWatch encrypts the alarm message it publishes with the topic's key. */
export function alarmTopicKey(scope: Construct, id: string, description: string): Key {
  const key = new Key(scope, id, {
    description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(7),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsEncryptForTopics',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  return key;
}

/** The ARN pattern of every alarm the canary creates in a stack's account and region. */
export function canaryAlarmArnPattern(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: `${ALARM_NAME_PREFIX}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Lets this account's canary alarms (and nothing else through CloudWatch) publish to the topic. */
export function allowCanaryAlarmsToPublish(topic: ITopic): void {
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CanaryAlarmsPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(topic).account },
        ArnLike: { 'aws:SourceArn': canaryAlarmArnPattern(topic) },
      },
    }),
  );
}
