/**
 * An SNS topic encrypted with its own customer-managed KMS key, which CloudWatch alarms may publish
 * to. (Alarms cannot use the AWS-managed SNS key: its policy does not let cloudwatch.amazonaws.com
 * use it, and their notifications would be dropped silently.)
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface EncryptedTopicProps {
  /** Shown in the console and in email subjects. */
  displayName: string;
  /** Subscribed by email (each must confirm). @default none */
  emails?: readonly string[];
}

export class EncryptedTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  /** The action alarms use for both ALARM and OK. */
  readonly alarmAction: IAlarmAction;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the ${props.displayName} SNS topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch encrypts the alarm message it publishes with the topic's key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    this.alarmAction = new SnsAction(this.topic);
  }
}
