/**
 * One probe region: the scheduled probe, nothing else. Every alarm lives in the home stack, the
 * probe's own health included (its heartbeat: lib/constructs/fleet-alarms.ts); this stack
 * references nothing in another region, so each region deploys on its own.
 */
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { runtimeConfigFor } from '../config/runtime-config.ts';
import type { CanaryConfig } from '../config/schema.ts';
import { planShards } from '../config/shards.ts';
import {
  STATE_TABLE_NAME,
  StateTableEnv,
  stateWriterStatement,
} from '../constructs/alerting-state-access.ts';
import { ScheduledProbe } from '../constructs/scheduled-probe.ts';

export interface RegionalProbeStackProps extends StackProps {
  config: CanaryConfig;
  /** The probe region; the stack deploys there. */
  region: string;
}

export class RegionalProbeStack extends Stack {
  readonly probe: ScheduledProbe;

  constructor(scope: Construct, id: string, props: RegionalProbeStackProps) {
    const { config, region } = props;
    super(scope, id, {
      ...props,
      env: { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region },
      description: `registry-canary probes from ${region} (home region ${config.homeRegion})`,
    });

    // A large region runs as several shards of one function (lib/config/shards.ts), each sized for one shard.
    const { sizing, shards } = planShards(config, region);
    this.probe = new ScheduledProbe(this, 'Probe', {
      runtimeConfig: runtimeConfigFor(config, region),
      memoryMb: sizing.memoryMb,
      timeoutSeconds: sizing.timeoutSeconds,
      shards,
      everyMinutes: config.schedule.everyMinutes,
      logRetention: config.logRetentionDays as RetentionDays,
      ...(config.vpc?.[region] ? { vpc: config.vpc[region] } : {}),
    });

    // Each result also goes to the state of record in the home region (alerts read it): UpdateItem only.
    this.probe.role.addToPolicy(stateWriterStatement(this, config.homeRegion));
    (this.probe.function as LambdaFunction).addEnvironment(StateTableEnv.name, STATE_TABLE_NAME);

    new CfnOutput(this, 'ProbeFunctionName', { value: this.probe.function.functionName });
    new CfnOutput(this, 'ProbeLogGroup', { value: this.probe.logGroup.logGroupName });

    this.acknowledgeNagFindings();
  }

  /** Each acknowledgement says why the finding does not apply here. */
  private acknowledgeNagFindings(): void {
    const role = this.probe.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:PutMetricData, ecr:GetAuthorizationToken, ecr-public:GetAuthorizationToken, sts:GetServiceBearerToken and the Lambda VPC network-interface actions have no resource-level permissions; PutMetricData is bounded by a cloudwatch:namespace condition instead.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.probe.logGroup.node.defaultChild as never)}.Arn>:*]`,
      reason:
        "Log streams are created at run time with generated names; the grant is limited to the function's own log group.",
    });
    Validations.of(this.probe.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.probe.function.node.defaultChild as never)}.Arn>:*]`,
      reason:
        'Granted by LambdaInvoke (Function.grantInvoke), which covers the function and its versions; the role can invoke this one function only.',
    });
    Validations.of(this.probe.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the probe function and its schedule; it has an alarm.',
    });
  }
}
