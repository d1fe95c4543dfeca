import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as PublicTokenCommand,
} from '@aws-sdk/client-ecr-public';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type EcrClientOptions, ecrCredentials } from '../../../functions/credentials/ecr.ts';
import { ecrPublicCredentials } from '../../../functions/credentials/ecr-public.ts';
import { CredentialsUnavailableError } from '../../../functions/credentials/types.ts';

const ecr = mockClient(ECRClient);
const sts = mockClient(STSClient);
const ecrPublic = mockClient(ECRPUBLICClient);

const HOST = '123456789012.dkr.ecr.eu-central-1.amazonaws.com';
const HOUR = 3_600_000;
const token = (password: string) => Buffer.from(`AWS:${password}`).toString('base64');

function awsError(name: string): Error {
  return Object.assign(new Error(`${name}: denied`), { name, $metadata: {} });
}

describe('ecrCredentials', () => {
  let now = 0;
  let clientsMade: ({ region: string } & EcrClientOptions)[] = [];
  const stsRegions: string[] = [];
  const provider = (options: { region?: string; roleArn?: string } = {}) =>
    ecrCredentials({
      ...options,
      ecrClient: (region, clientOptions) => {
        clientsMade.push({ region, ...clientOptions });
        return new ECRClient({ region, ...clientOptions });
      },
      stsClient: (region) => {
        stsRegions.push(region);
        return new STSClient({ region });
      },
      now: () => now,
      renewBeforeMs: 15 * 60_000,
    });

  beforeEach(() => {
    ecr.reset();
    sts.reset();
    now = Date.parse('2026-11-22T12:00:00Z');
    clientsMade = [];
    stsRegions.length = 0;
  });

  it('decodes AWS:<password> from GetAuthorizationToken in the registry region', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token('p4ss:with:colons'), expiresAt: new Date(now + 12 * HOUR) },
      ],
    });

    const credentials = await provider().resolve(HOST);

    expect(credentials).toEqual({ kind: 'basic', username: 'AWS', password: 'p4ss:with:colons' });
    expect(clientsMade).toEqual([
      { region: 'eu-central-1', useFipsEndpoint: false, useDualstackEndpoint: false },
    ]);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  it('uses the configured region for a host that is not an ECR host name', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
    });

    await provider({ region: 'ap-south-1' }).resolve('registry.internal:5000');

    expect(clientsMade[0]!.region).toBe('ap-south-1');
  });

  it('refuses a host whose region it cannot tell', async () => {
    await expect(provider().resolve('registry.internal')).rejects.toMatchObject({
      providerCode: 'UnknownRegion',
    });
  });

  it('assumes the role first and signs GetAuthorizationToken with its credentials', async () => {
    const roleArn = 'arn:aws:iam::210987654321:role/canary-pull';
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'secret-key',
        SessionToken: 'session',
        Expiration: new Date(now + HOUR),
      },
    });
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
    });

    await provider({ roleArn }).resolve(HOST);

    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: roleArn,
      RoleSessionName: 'registry-canary',
    });
    expect(stsRegions).toEqual(['eu-central-1']);
    expect(clientsMade[0]).toMatchObject({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-key', sessionToken: 'session' },
    });
  });

  it('caches the token until 15 minutes before expiresAt', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolvesOnce({
        authorizationData: [{ authorizationToken: token('first'), expiresAt: new Date(now + HOUR) }],
      })
      .resolves({
        authorizationData: [{ authorizationToken: token('second'), expiresAt: new Date(now + 3 * HOUR) }],
      });
    const ecrProvider = provider();

    await ecrProvider.resolve(HOST);
    now += 44 * 60_000;
    await expect(ecrProvider.resolve(HOST)).resolves.toMatchObject({ password: 'first' });
    now += 2 * 60_000;
    await expect(ecrProvider.resolve(HOST)).resolves.toMatchObject({ password: 'second' });

    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
  });

  it('refreshes past the cache when the registry called the token expired, and caches the new one', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolvesOnce({
        authorizationData: [{ authorizationToken: token('first'), expiresAt: new Date(now + HOUR) }],
      })
      .resolves({
        authorizationData: [{ authorizationToken: token('second'), expiresAt: new Date(now + 3 * HOUR) }],
      });
    const ecrProvider = provider();

    await expect(ecrProvider.resolve(HOST)).resolves.toMatchObject({ password: 'first' });
    await expect(ecrProvider.refresh?.(HOST)).resolves.toMatchObject({ password: 'second' });
    await expect(ecrProvider.resolve(HOST)).resolves.toMatchObject({ password: 'second' });

    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
  });

  it('keeps one token per region', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
    });
    const ecrProvider = provider();

    await ecrProvider.resolve(HOST);
    await ecrProvider.resolve('123456789012.dkr.ecr.us-west-2.amazonaws.com');

    expect(clientsMade.map((c) => c.region)).toEqual(['eu-central-1', 'us-west-2']);
  });

  it.each([
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', 'us-east-1', true, false],
    ['123456789012.dkr-ecr.eu-west-1.on.aws', 'eu-west-1', false, true],
    ['123456789012.dkr-ecr-fips.us-east-2.on.aws', 'us-east-2', true, true],
    ['123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn', 'cn-north-1', false, true],
    ['123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1', false, false],
  ])(
    'calls the API of %s in %s with useFipsEndpoint %s and useDualstackEndpoint %s',
    async (host, region, fips, dual) => {
      ecr.on(GetAuthorizationTokenCommand).resolves({
        authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
      });

      await provider().resolve(host);

      expect(clientsMade).toEqual([{ region, useFipsEndpoint: fips, useDualstackEndpoint: dual }]);
    },
  );

  it('keeps the endpoint variant of a FIPS host when the region is configured', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
    });

    await provider({ region: 'us-west-2' }).resolve('123456789012.dkr.ecr-fips.us-west-2.amazonaws.com');

    expect(clientsMade).toEqual([
      { region: 'us-west-2', useFipsEndpoint: true, useDualstackEndpoint: false },
    ]);
  });

  it('passes the endpoint variant together with the assumed-role credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'secret-key',
        SessionToken: 'session',
        Expiration: new Date(now + HOUR),
      },
    });
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
    });

    await provider({ roleArn: 'arn:aws:iam::210987654321:role/canary-pull' }).resolve(
      '210987654321.dkr-ecr-fips.us-east-1.on.aws',
    );

    expect(clientsMade[0]).toMatchObject({
      region: 'us-east-1',
      useFipsEndpoint: true,
      useDualstackEndpoint: true,
      credentials: { accessKeyId: 'ASIAEXAMPLE' },
    });
  });

  it('keeps separate tokens for the standard and the FIPS host of one region', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('x'), expiresAt: new Date(now + HOUR) }],
    });
    const ecrProvider = provider();

    await ecrProvider.resolve('123456789012.dkr.ecr.us-east-1.amazonaws.com');
    await ecrProvider.resolve('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com');

    expect(clientsMade.map((c) => c.useFipsEndpoint)).toEqual([false, true]);
  });

  it.each([
    'AccessDeniedException',
    'ThrottlingException',
    'InvalidParameterException',
    'ExpiredTokenException',
  ])('turns %s into CredentialsUnavailableError with that code', async (name) => {
    ecr.on(GetAuthorizationTokenCommand).rejects(awsError(name));

    const error = await provider()
      .resolve(HOST)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(error).toMatchObject({
      providerCode: name,
      message: `ECR GetAuthorizationToken in eu-central-1 failed: ${name}.`,
    });
  });

  it('reports a refused AssumeRole with the STS error code', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied'));

    await expect(
      provider({ roleArn: 'arn:aws:iam::210987654321:role/canary-pull' }).resolve(HOST),
    ).rejects.toMatchObject({
      providerCode: 'AccessDenied',
      message: 'STS AssumeRole of arn:aws:iam::210987654321:role/canary-pull failed: AccessDenied.',
    });
  });

  it('does not quote a malformed token', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('no-colon-s3cret').toString('base64'),
          expiresAt: new Date(now + HOUR),
        },
      ],
    });

    const error = (await provider()
      .resolve(HOST)
      .catch((e: unknown) => e)) as Error;

    expect(error).toMatchObject({ providerCode: 'MalformedAuthorizationToken' });
    expect(error.message).not.toContain('s3cret');
  });
});

describe('ecrPublicCredentials', () => {
  const regions: string[] = [];
  const provider = (authenticated: boolean) =>
    ecrPublicCredentials({
      authenticated,
      ecrPublicClient: (region) => {
        regions.push(region);
        return new ECRPUBLICClient({ region });
      },
    });

  beforeEach(() => {
    ecrPublic.reset();
    regions.length = 0;
  });

  it('is anonymous by default and calls no API', async () => {
    await expect(provider(false).resolve('public.ecr.aws')).resolves.toBeNull();

    expect(ecrPublic.calls()).toHaveLength(0);
  });

  it('gets an authenticated token from the ecr-public API in us-east-1', async () => {
    ecrPublic.on(PublicTokenCommand).resolves({
      authorizationData: { authorizationToken: token('pub'), expiresAt: new Date(Date.now() + HOUR) },
    });

    await expect(provider(true).resolve('public.ecr.aws')).resolves.toEqual({
      kind: 'basic',
      username: 'AWS',
      password: 'pub',
    });
    expect(regions).toEqual(['us-east-1']);
  });

  it('reports an API failure with its AWS error code', async () => {
    ecrPublic.on(PublicTokenCommand).rejects(awsError('AccessDeniedException'));

    await expect(provider(true).resolve('public.ecr.aws')).rejects.toMatchObject({
      name: 'CredentialsUnavailableError',
      providerCode: 'AccessDeniedException',
    });
  });
});
