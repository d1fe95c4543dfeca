/**
 * The least privilege a region's probe needs, derived from its targets: nothing a target's
 * credential source does not use, and pull rights only on the repositories it probes.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/publish/metrics-catalog.ts';
import { parseEcrHost } from '../../functions/registry/profiles.ts';
import type { ProbeTarget } from '../../functions/run/probe-config.ts';
import { partitionOf } from '../config/region-rules.ts';

export function probePolicyStatements(scope: Construct, targets: readonly ProbeTarget[]): PolicyStatement[] {
  const stack = Stack.of(scope);
  const statements = [
    // PutMetricData has no resource-level permissions; the namespace condition is the boundary.
    new PolicyStatement({
      sid: 'PutMetricDataInOwnNamespace',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }),
  ];

  const ecrRepositories = new Set<string>();
  const roles = new Set<string>();
  const secrets = new Set<string>();
  let ecrPublicAuth = false;
  // A target's mirrors have credentials of their own, read by the same role (functions/run/mirror-run.ts).
  // Pull rights only: an ECR pull-through cache also grants ecr:BatchImportUpstreamImage and
  // ecr:CreateRepository to whoever may fill it
  // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html); a canary
  // reads what the deployments pulled and never fills the cache itself.
  const endpoints = targets.flatMap((target) => [target, ...(target.mirrors ?? [])]);
  for (const target of endpoints) {
    const source = target.credentials;
    switch (source.type) {
      case 'ecr':
        if (source.roleArn) {
          // The assumed role carries the pull rights in the registry's account.
          roles.add(source.roleArn);
        } else {
          const host = parseEcrHost(target.registry);
          const region = source.region ?? host?.region ?? stack.region;
          const account = host?.accountId ?? stack.account;
          // The registry's partition, from the CDK's region facts (lib/config/regions.ts): a prefix
          // rule knew aws-cn and aws-us-gov only, and gave eusc-de-east-1 or us-iso-east-1 "aws".
          const partition = partitionOf(region) ?? 'aws';
          ecrRepositories.add(`arn:${partition}:ecr:${region}:${account}:repository/${target.repository}`);
        }
        break;
      case 'ecr-public':
        if (source.authenticated) ecrPublicAuth = true;
        break;
      case 'basic':
      case 'google':
        for (const arn of secretArns(stack, source.secret)) secrets.add(arn);
        break;
      case 'anonymous':
        break;
    }
  }

  if (ecrRepositories.size > 0) {
    statements.push(
      // GetAuthorizationToken is account-wide by design: it has no resource-level permissions.
      new PolicyStatement({
        sid: 'EcrAuthorizationToken',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'EcrPullProbedRepositories',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [...ecrRepositories].sort(),
      }),
    );
  }
  if (roles.size > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'AssumeRegistryRoles',
        actions: ['sts:AssumeRole'],
        resources: [...roles].sort(),
      }),
    );
  }
  if (ecrPublicAuth) {
    statements.push(
      new PolicyStatement({
        sid: 'EcrPublicAuthorizationToken',
        actions: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'],
        resources: ['*'],
      }),
    );
  }
  if (secrets.size > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'ReadConfiguredSecrets',
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...secrets].sort(),
      }),
    );
  }
  return statements;
}

/**
 * A secret given by name resolves in the probe's own region and account. Secrets Manager appends
 * six random characters to every secret's ARN, so a name (or a partial ARN) matches `-??????`.
 */
function secretArns(stack: Stack, secret: string): string[] {
  if (secret.startsWith('arn:')) return [secret, `${secret}-??????`];
  return [
    stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${secret}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  ];
}
