/**
 * Config → Lambda wiring for a private fleet, through a real synth (bundling and cdk-nag): VPC
 * placement in one region, an HTTPS proxy, an ECR target, a basic-auth target and a 1-minute
 * schedule. One synth for the file: it is the slow part.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRuntimeConfig } from '../../../../functions/run/probe-config.ts';
import type { CanaryConfigInput } from '../../../../lib/config/schema.ts';
import { homeAlarms, type SynthedApp, synthApp } from '../synth.ts';

const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:stable';

const config: CanaryConfigInput = {
  account: '123456789012',
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1', 'us-east-1'],
  schedule: { everyMinutes: 1 },
  state: { heartbeatMinutes: 30, ttlDays: 7 },
  notifications: { updateHoldBackSeconds: 45 },
  vpc: {
    'eu-west-1': {
      vpcId: 'vpc-0abc1234',
      subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
      securityGroupId: 'sg-0ccc3333',
    },
  },
  httpsProxy: 'http://proxy.internal:3128',
  noProxy: '.internal',
  runbookBaseUrl: 'https://runbooks.example.com/canary',
  targets: [
    {
      name: 'payments',
      image: ECR_IMAGE,
      credentials: { type: 'ecr' },
      regions: ['eu-west-1'],
      owner: 'payments-team',
    },
    {
      name: 'harbor',
      image: 'harbor.internal/ci/runner:1',
      credentials: { type: 'basic', secret: 'harbor-ci' },
    },
  ],
};

let app: SynthedApp;
let synthError: unknown;
beforeAll(() => {
  try {
    app = synthApp(config);
  } catch (error) {
    synthError = error;
  }
}, 120_000);

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

function probeStatements(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.values(policies)
    .filter((p) => p.Properties.Roles.some((r) => /^ProbeRole/.test(r.Ref)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** An ARN as CloudFormation will resolve it in the aws partition. */
function arn(value: unknown): unknown {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return value;
  return join[1]
    .map((part) => ((part as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : part))
    .join(join[0]);
}

/** The probe-config.json inside the region's bundled Lambda asset (cdk.out/asset.<hash>/). */
function bundledProbeConfig(region: string): ProbeRuntimeConfig {
  const stack = app.stacks.regional.get(region)!;
  const [fn] = Object.values(app.regional(region).findResources('AWS::Lambda::Function')) as {
    Properties: { Code: { S3Key: string } };
  }[];
  const hash = fn!.Properties.Code.S3Key.replace(/\.zip$/, '');
  const file = path.join((stack.node.root as App).outdir, `asset.${hash}`, 'probe-config.json');
  return JSON.parse(readFileSync(file, 'utf8')) as ProbeRuntimeConfig;
}

describe('a private fleet in a VPC behind a proxy', () => {
  it('synthesises with cdk-nag clean (a finding would make synth throw)', () => {
    expect(synthError).toBeUndefined();
    expect([...app.stacks.regional.keys()]).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('places the eu-west-1 probe in the configured subnets and security group, and only that one', () => {
    app.regional('eu-west-1').hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'], SecurityGroupIds: ['sg-0ccc3333'] },
    });
    const [usEast] = Object.values(app.regional('us-east-1').findResources('AWS::Lambda::Function')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(usEast!.Properties).not.toHaveProperty('VpcConfig');
  });

  it('runs every minute', () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      app.regional(region).hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 minute)',
      });
    }
  });

  it('lets the eu-west-1 probe pull from the named ECR repository only and read the named secret only', () => {
    const statements = probeStatements(app.regional('eu-west-1'));
    const bySid = new Map(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));

    expect(bySid.get('EcrAuthorizationToken')).toMatchObject({
      Action: 'ecr:GetAuthorizationToken',
      Resource: '*',
    });
    expect(bySid.get('EcrPullProbedRepositories')).toMatchObject({
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/payments/api',
    });
    const secrets = bySid.get('ReadConfiguredSecrets');
    expect(secrets?.Action).toBe('secretsmanager:GetSecretValue');
    expect(arn(secrets?.Resource)).toBe(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:harbor-ci-??????',
    );
    expect([...bySid.keys()].sort()).toEqual([
      'EcrAuthorizationToken',
      'EcrPullProbedRepositories',
      'ManageVpcNetworkInterfaces',
      'PutMetricDataInOwnNamespace',
      'ReadConfiguredSecrets',
      'WriteOwnLogGroup',
      'WriteStateOfRecord',
    ]);
    // Nothing else names ECR or Secrets Manager (the unnamed statement is the DLQ destination's).
    const others = statements.filter((s) => !s.Sid).flatMap((s) => [s.Action].flat());
    expect(others.filter((a) => /^(ecr|secretsmanager):/.test(a))).toEqual([]);
  });

  it('gives the us-east-1 probe, which has no ECR target and no VPC, neither ECR nor network-interface rights', () => {
    const statements = probeStatements(app.regional('us-east-1'));
    const sids = statements.map((s) => s.Sid).filter(Boolean);

    expect(sids).not.toContain('EcrAuthorizationToken');
    expect(sids).not.toContain('EcrPullProbedRepositories');
    expect(sids).not.toContain('ManageVpcNetworkInterfaces');
    expect(arn(statements.find((s) => s.Sid === 'ReadConfiguredSecrets')?.Resource)).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:harbor-ci-??????',
    );
  });

  it('ships the proxy, the runbook base URL and the region’s targets in the bundled probe-config.json', () => {
    const runtime = bundledProbeConfig('eu-west-1');

    expect(runtime).toMatchObject({
      region: 'eu-west-1',
      homeRegion: 'eu-west-1',
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: '.internal',
      runbookBaseUrl: 'https://runbooks.example.com/canary',
    });
    expect(runtime.targets.map((t) => [t.name, t.credentials])).toEqual([
      ['payments', { type: 'ecr' }],
      ['harbor', { type: 'basic', secret: 'harbor-ci' }],
    ]);
    expect(bundledProbeConfig('us-east-1').targets.map((t) => t.name)).toEqual(['harbor']);
  });

  it('gives the probes and the notifier the same configured heartbeat', () => {
    expect(bundledProbeConfig('eu-west-1').state).toEqual({ heartbeatMinutes: 30, ttlDays: 7 });
    expect(bundledProbeConfig('us-east-1').state).toEqual({ heartbeatMinutes: 30, ttlDays: 7 });
    // "No recent result" after two heartbeats plus one 1-minute interval.
    app.home.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STALE_AFTER_MINUTES: '61' }) },
    });
  });

  it("gives the notifier the config's update hold-back", () => {
    app.home.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ UPDATE_HOLD_BACK_SECONDS: '45' }) },
    });
  });

  it("ships each target's registry host and owner in the notifier's bundle, for grouping and routing", () => {
    const functions = app.home.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { TARGET_REGISTRIES_FILE: 'target-registries.json' } } },
    }) as Record<string, { Properties: { Code: { S3Key: string } } }>;
    const [notifier] = Object.values(functions);
    const hash = notifier!.Properties.Code.S3Key.replace(/\.zip$/, '');
    const file = path.join(
      (app.stacks.home.node.root as App).outdir,
      `asset.${hash}`,
      'target-registries.json',
    );

    expect(Object.keys(functions)).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      harbor: 'harbor.internal',
      payments: { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', owner: 'payments-team' },
    });
  });

  it("grants the VPC probe AWSLambdaVPCAccessExecutionRole's network actions, DescribeSubnets included", () => {
    const statement = probeStatements(app.regional('eu-west-1')).find(
      (s) => s.Sid === 'ManageVpcNetworkInterfaces',
    );

    expect(statement).toEqual(
      expect.objectContaining({
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      }),
    );
  });

  it('prints no warning for the imported VPC and subnets (their route tables are never read)', () => {
    // The construct tree's own warnings (Annotations.fromStack would synth the app again).
    const stack = app.stacks.regional.get('eu-west-1')!;
    const warnings = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => m.data));
    expect(warnings).toEqual([]);
  });

  it("links every home-region alarm, the probes' heartbeats included, to the configured runbook base URL", () => {
    const alarms = homeAlarms(app);
    const silent = alarms.find((a) => a.Properties.AlarmName === 'RegistryCanary-eu-west-1-ProbeSilent');
    expect(silent?.Properties.AlarmDescription).toMatch(
      /Runbook: https:\/\/runbooks\.example\.com\/canary\/PROBE_DLQ\.md$/,
    );
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmDescription).toMatch(
        /Runbook: https:\/\/runbooks\.example\.com\/canary\/\S+\.md$/,
      );
    }
  });
});
