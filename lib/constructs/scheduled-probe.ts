/**
 * One region's probe: the Lambda (bundled locally by esbuild, arm64, latest Node runtime), its log
 * group, the schedule that invokes it, and where failed invocations go (a dead-letter queue, kept
 * for diagnosis). Monitoring is not optional (as in guardian/cdk's scheduled lambda), but it is not
 * here: every finished run sends a heartbeat to the home region, whose ProbeSilent alarm
 * (lib/constructs/fleet-alarms.ts) finds a run that crashed, timed out, was not invoked or could
 * not publish. An alarm here would need a topic and a KMS key in every region (a key costs $1 a
 * month, and up to $3 once rotated twice) to say less: a dead letter only means the run failed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type IFunction,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCHEDULED_TIME_FIELD } from '../../functions/handlers/scheduled-time.ts';
import {
  PROBE_CONFIG_FILE_ENV,
  PROBE_CONFIG_FILE_NAME,
  type ProbeRuntimeConfig,
} from '../../functions/run/probe-config.ts';
import { probePolicyStatements } from './probe-permissions.ts';

/** One probe stack per region, so one name per region; see the log group below. */
export const PROBE_LOG_GROUP_NAME = '/registry-canary/probe';

export const PROBE_HANDLER_ENTRY = fileURLToPath(
  new URL('../../functions/handlers/probe-handler.ts', import.meta.url),
);

/** Builds the probe's code (esbuild with code splitting) into a directory; see the script for why. */
export const PROBE_BUILD_SCRIPT = fileURLToPath(
  new URL('../../scripts/build-probe-lambda.mjs', import.meta.url),
);

export { ESM_REQUIRE_BANNER } from '../../scripts/bundling/options.mjs';

export interface VpcPlacement {
  vpcId: string;
  subnetIds: readonly string[];
  securityGroupId: string;
}

export interface ScheduledProbeProps {
  /** What the function probes; shipped inside its bundle as probe-config.json. */
  runtimeConfig: ProbeRuntimeConfig;
  memoryMb: number;
  timeoutSeconds: number;
  everyMinutes: number;
  logRetention: RetentionDays;
  /** Run inside a VPC, for registries only reachable from it. @default no VPC */
  vpc?: VpcPlacement;
  /**
   * Split the targets into this many shards, each invoked by its own schedule with `{ shard, shards }`
   * (functions/handlers/shard.ts); size memory and timeout for one shard. @default 1
   */
  shards?: number;
}

export class ScheduledProbe extends Construct {
  readonly function: IFunction;
  readonly logGroup: LogGroup;
  /** Failed invocations and schedule deliveries, kept 14 days for diagnosis (docs/runbooks/PROBE_DLQ.md). */
  readonly deadLetterQueue: Queue;
  /** The first shard's schedule (the only one unless the region is sharded). */
  readonly schedule: Schedule;
  /** One schedule per shard. */
  readonly schedules: Schedule[] = [];
  readonly role: Role;
  /** The role EventBridge Scheduler invokes the function with. */
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: ScheduledProbeProps) {
    super(scope, id);
    const region = props.runtimeConfig.region;

    this.logGroup = new LogGroup(this, 'Logs', {
      // A fixed name: the home dashboard's Logs Insights widgets query it from another region, where
      // no reference to this stack can reach.
      logGroupName: PROBE_LOG_GROUP_NAME,
      retention: props.logRetention,
      // The logs are operational, not records: deleting the stack should not leave them billing.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `registry-canary probe in ${region}: metrics, logs and the credentials its targets name`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.logGroupArn}:*`],
      }),
    );
    for (const statement of probePolicyStatements(this, props.runtimeConfig.targets))
      this.role.addToPolicy(statement);

    const network = props.vpc ? this.placement(props.vpc) : undefined;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // A run that is late is worthless: the next one is due. So no retries, and an event older than
    // one period goes to the dead-letter queue instead of running late.
    const period = Duration.minutes(props.everyMinutes);
    const maxEventAge = Duration.seconds(Math.max(60, Math.min(period.toSeconds(), 6 * 3600)));

    const configFile = writeRuntimeConfig(props.runtimeConfig);
    const fn = new LambdaFunction(this, 'Function', {
      code: probeCode(configFile),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      description: `registry-canary: probes ${props.runtimeConfig.targets.length} registry targets from ${region}`,
      environment: {
        [PROBE_CONFIG_FILE_ENV]: PROBE_CONFIG_FILE_NAME,
        POWERTOOLS_SERVICE_NAME: 'registry-canary-probe',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      retryAttempts: 0,
      maxEventAge,
      onFailure: new SqsDestination(this.deadLetterQueue),
      ...(network ?? {}),
    });
    this.function = fn;

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account may use the role (confused-deputy protection).
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Invokes the registry-canary probe in ${region} on its schedule`,
    });
    const shards = props.shards ?? 1;
    for (let shard = 0; shard < shards; shard++) {
      // Shard 0 keeps the id 'Schedule', so an unsharded region's template does not change.
      const schedule = new Schedule(this, shard === 0 ? 'Schedule' : `Schedule${shard}`, {
        schedule: ScheduleExpression.rate(period),
        description:
          shards === 1
            ? `registry-canary probe run every ${props.everyMinutes} min`
            : `registry-canary probe run every ${props.everyMinutes} min, shard ${shard + 1} of ${shards}`,
        target: new LambdaInvoke(fn, {
          role: this.schedulerRole,
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 0,
          maxEventAge,
          // The scheduled time stamps the run's metrics (functions/handlers/scheduled-time.ts).
          input: ScheduleTargetInput.fromObject({
            [SCHEDULED_TIME_FIELD]: ContextAttribute.scheduledTime,
            ...(shards > 1 ? { shard, shards } : {}),
          }),
        }),
      });
      this.schedules.push(schedule);
    }
    this.schedule = this.schedules[0]!;
  }

  private placement(vpc: VpcPlacement): {
    vpc: IVpc;
    vpcSubnets: { subnets: ReturnType<typeof Subnet.fromSubnetId>[] };
    securityGroups: ISecurityGroup[];
  } {
    // Attributes, not Vpc.fromLookup: synth must stay offline and need no credentials. Without a
    // lookup the imported subnets have no route table ids, which the CDK warns about; nothing here
    // reads a route table (Lambda's VpcConfig takes only subnet and security group ids).
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'The probe only places its Lambda in these subnets; no route table is read or changed.',
    );
    const subnets = vpc.subnetIds.map((id, i) => Subnet.fromSubnetId(this, `Subnet${i}`, id));
    const imported = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: vpc.vpcId,
      availabilityZones: subnets.map((_, i) => `az-${i}`),
      privateSubnetIds: [...vpc.subnetIds],
    });
    // Lambda creates and deletes its network interfaces with the function's own role: the actions
    // of AWS's AWSLambdaVPCAccessExecutionRole (v3 includes ec2:DescribeSubnets, which older guides
    // did not list), less the logs actions the role has for its own log group. Resource "*":
    // DescribeNetworkInterfaces "only works if it's allowed on all resources".
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ManageVpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    return {
      vpc: imported,
      vpcSubnets: { subnets },
      securityGroups: [SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', vpc.securityGroupId)],
    };
  }
}

/**
 * The probe's code: scripts/build-probe-lambda.mjs run locally at synth (esbuild, ESM, minified,
 * node24, code splitting into chunks, everything bundled: the versions we test are the versions
 * that run), with the region's runtime config copied beside index.mjs. NodejsFunction cannot split
 * (it bundles with --outfile); local bundling keeps `cdk synth` offline and free of Docker. The
 * image is what the CDK would run if local bundling declined; tryBundle never declines (a failed
 * build throws), so it is never pulled.
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.ILocalBundling.html
 */
function probeCode(configFile: string): Code {
  return Code.fromAsset(path.dirname(PROBE_HANDLER_ENTRY), {
    // The hash of what is shipped (bundle and config), not of the handler's directory.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
      // The CDK reuses a bundling result within a process by a key of the source path and the
      // bundling options, in which tryBundle (a function) does not appear
      // (aws-cdk-lib/core/lib/asset-staging.js, calculateCacheKey): without the config's name (its
      // content hash) among the options, every region would ship the first region's config.
      // (Code.fromAsset's options have no extraHash.)
      environment: { REGISTRY_CANARY_PROBE_CONFIG: path.basename(configFile) },
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(process.execPath, [PROBE_BUILD_SCRIPT, outputDir, configFile, '--target', 'node24'], {
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          return true;
        },
      },
    },
  });
}

/**
 * Writes the region's runtime config where the bundling step copies it from. The name is the
 * content's hash, so concurrent synths and stale files cannot mix up regions.
 */
function writeRuntimeConfig(config: ProbeRuntimeConfig): string {
  const json = `${JSON.stringify(config, null, 2)}\n`;
  const dir = path.join(tmpdir(), 'registry-canary-synth');
  mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `probe-config-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`,
  );
  writeFileSync(file, json);
  return file;
}
