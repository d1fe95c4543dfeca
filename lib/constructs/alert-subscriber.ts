/**
 * One Lambda subscriber of the payload topic (alert-topics.ts), the same for every channel (Slack webhook,
 * Slack app, PagerDuty): its own log group and role (its log group, its secret, and, if it keeps
 * state, only its own items of the state table), the function, its dead-letter queue (the
 * alerting construct's, whose alarm notifies people directly), and the subscription. Channels
 * differ only in their entry, secret and environment.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ESM_REQUIRE_BANNER } from './scheduled-probe.ts';

export interface AlertSubscriberProps {
  topic: ITopic;
  /** The handler file (functions/handlers/...). */
  entry: string;
  /** What it does, for the function's and the role's descriptions. */
  purpose: string;
  /** The secret it reads (ARN or name), and the sid of the grant. */
  secret: { arnOrName: string; sid: string };
  /** Set as the function's environment, with the secret's ARN under `secretEnv`. */
  environment: Record<string, string>;
  secretEnv: string;
  /** State the subscriber keeps: GetItem and PutItem on the items whose partition key is `partitionKey`. */
  state?: { table: TableV2; partitionKey: string; tableEnv: string };
  deadLetterQueue: IQueue;
  logRetention: RetentionDays;
}

export class AlertSubscriber extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: AlertSubscriberProps) {
    super(scope, id);
    this.secret = importSecret(this, props.secret.arnOrName);
    const logs = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = lambdaRole(this, 'Role', props.purpose, logs);
    this.role.addToPolicy(
      new PolicyStatement({
        sid: props.secret.sid,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`],
      }),
    );
    if (props.state) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'OwnItemsOfTheStateTable',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [props.state.table.tableArn],
          // Only its own items: the condition keys of DynamoDB fine-grained access control.
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [props.state.partitionKey] } },
        }),
      );
    }
    this.function = new NodejsFunction(this, 'Function', {
      ...lambdaBasics(props.entry),
      role: this.role,
      logGroup: logs,
      timeout: Duration.seconds(30),
      memorySize: 256,
      description: `registry-canary: ${props.purpose}`,
      environment: {
        ...props.environment,
        [props.secretEnv]: this.secret.secretArn,
        ...(props.state ? { [props.state.tableEnv]: props.state.table.tableName } : {}),
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      retryAttempts: 2,
      onFailure: new SqsDestination(props.deadLetterQueue),
    });
    props.topic.addSubscription(new LambdaSubscription(this.function));
  }
}

/** A role that may write only its own log group: no AWS managed policy, nothing account-wide. */
export function lambdaRole(scope: Construct, id: string, purpose: string, logGroup: LogGroup): Role {
  const role = new Role(scope, id, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: purpose,
  });
  role.addToPolicy(
    new PolicyStatement({
      sid: 'WriteOwnLogGroup',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroup.logGroupArn}:*`],
    }),
  );
  const logGroupId = Stack.of(scope).getLogicalId(logGroup.node.defaultChild as CfnElement);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:*]`,
    reason:
      "Log streams are created at run time with generated names; the grant is limited to the function's own log group.",
  });
  return role;
}

export function lambdaBasics(entry: string) {
  return {
    entry,
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      target: 'node24',
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: false,
      externalModules: [],
      banner: ESM_REQUIRE_BANNER,
    },
  };
}

/** A full ARN names one secret exactly; a name (or partial ARN) gets Secrets Manager's random suffix. */
function importSecret(scope: Construct, arnOrName: string): ISecret {
  if (/^arn:aws[a-z-]*:secretsmanager:/.test(arnOrName)) {
    return Secret.fromSecretCompleteArn(scope, 'Secret', arnOrName);
  }
  return Secret.fromSecretNameV2(scope, 'Secret', arnOrName);
}
