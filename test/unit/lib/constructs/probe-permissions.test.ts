import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { probePolicyStatements } from '../../../../lib/constructs/probe-permissions.ts';
import { target } from '../../handlers/probe-fixtures.ts';

function statementsFor(...targets: ReturnType<typeof target>[]) {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  return probePolicyStatements(stack, targets).map((s) => stack.resolve(s.toStatementJson()));
}

describe('probePolicyStatements', () => {
  it('grants only namespaced PutMetricData to anonymous targets', () => {
    expect(statementsFor(target('a'), target('b'))).toEqual([
      {
        Sid: 'PutMetricDataInOwnNamespace',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'RegistryCanary' } },
      },
    ]);
  });

  it("grants ECR pulls on the probed repositories only, in the registry's account and region", () => {
    const ecr = (name: string, repository: string) =>
      target(name, {
        registry: '222222222222.dkr.ecr.us-west-2.amazonaws.com',
        repository,
        credentials: { type: 'ecr' },
      });
    const statements = statementsFor(ecr('a', 'team/app'), ecr('b', 'team/db'), target('public'));
    expect(statements).toContainEqual({
      Sid: 'EcrAuthorizationToken',
      Effect: 'Allow',
      Action: 'ecr:GetAuthorizationToken',
      Resource: '*',
    });
    expect(statements).toContainEqual({
      Sid: 'EcrPullProbedRepositories',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Resource: [
        'arn:aws:ecr:us-west-2:222222222222:repository/team/app',
        'arn:aws:ecr:us-west-2:222222222222:repository/team/db',
      ],
    });
  });

  it("grants a mirror's own credentials: ECR pulls on its repository, its secret, and nothing to fill a pull-through cache", () => {
    const statements = statementsFor(
      target('hub', {
        mirrors: [
          {
            image: '222222222222.dkr.ecr.us-west-2.amazonaws.com/docker-hub/library/alpine:3.20',
            registry: '222222222222.dkr.ecr.us-west-2.amazonaws.com',
            repository: 'docker-hub/library/alpine',
            reference: '3.20',
            credentials: { type: 'ecr' },
            plainHttp: false,
          },
          {
            image: 'harbor.example.com/hub/library/alpine:3.20',
            registry: 'harbor.example.com',
            repository: 'hub/library/alpine',
            reference: '3.20',
            credentials: { type: 'basic', secret: 'harbor-robot' },
            plainHttp: false,
          },
        ],
      }),
    );

    expect(statements).toContainEqual({
      Sid: 'EcrPullProbedRepositories',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Resource: 'arn:aws:ecr:us-west-2:222222222222:repository/docker-hub/library/alpine',
    });
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: 'ReadConfiguredSecrets', Action: 'secretsmanager:GetSecretValue' }),
    );
    const actions = statements.flatMap((st) => [st.Action].flat());
    expect(actions).not.toContain('ecr:BatchImportUpstreamImage');
    expect(actions).not.toContain('ecr:CreateRepository');
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['us-iso-east-1', 'aws-iso'],
  ])("names the ECR repository in the partition of the registry's region %s", (region, partition) => {
    const statements = statementsFor(
      target('a', {
        registry: 'registry.example.com',
        repository: 'team/app',
        credentials: { type: 'ecr', region },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'EcrPullProbedRepositories',
        Resource: `arn:${partition}:ecr:${region}:111111111111:repository/team/app`,
      }),
    );
  });

  it('grants only sts:AssumeRole for an ECR target reached through a role', () => {
    const roleArn = 'arn:aws:iam::333333333333:role/registry-reader';
    const statements = statementsFor(target('x', { credentials: { type: 'ecr', roleArn } }));
    expect(statements.map((s) => s.Sid)).toEqual(['PutMetricDataInOwnNamespace', 'AssumeRegistryRoles']);
    expect(statements[1]).toMatchObject({ Action: 'sts:AssumeRole', Resource: roleArn });
  });

  it('grants GetSecretValue only on the configured secrets, by name or ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gcp-key-AbCdEf';
    const statements = statementsFor(
      target('basic', { credentials: { type: 'basic', secret: 'registry/harbor' } }),
      target('google', { credentials: { type: 'google', secret: arn, mode: 'json-key' } }),
    );
    expect(statements).toContainEqual({
      Sid: 'ReadConfiguredSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: expect.arrayContaining([
        arn,
        `${arn}-??????`,
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:eu-west-1:111111111111:secret:registry/harbor-??????',
            ],
          ],
        },
      ]),
    });
    expect(statements.at(-1)!.Resource).toHaveLength(3);
  });

  it('grants the ECR Public token only when a target asks for an authenticated one', () => {
    expect(
      statementsFor(target('anon', { credentials: { type: 'ecr-public', authenticated: false } })),
    ).toHaveLength(1);
    expect(
      statementsFor(target('auth', { credentials: { type: 'ecr-public', authenticated: true } })),
    ).toContainEqual({
      Sid: 'EcrPublicAuthorizationToken',
      Effect: 'Allow',
      Action: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'],
      Resource: '*',
    });
  });
});
