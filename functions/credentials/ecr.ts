/**
 * Amazon ECR: an authorization token from GetAuthorizationToken in the registry's own region (a
 * token from another region is rejected), optionally after assuming a role in the registry's
 * account. The token is base64 `AWS:<password>`, sent as Basic, and valid for 12 hours.
 */
import { type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { parseEcrHost } from '../registry/profiles.ts';
import { awsErrorName } from './secrets.ts';
import { type CachedToken, decodeAwsAuthorizationToken, TokenCache } from './token-cache.ts';
import { type CredentialProvider, CredentialsUnavailableError, type RegistryCredentials } from './types.ts';

/** Temporary AWS credentials, as an SDK client accepts them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** How to build the ECR client for one registry. */
export interface EcrClientOptions {
  /** Assumed-role credentials; the default credential chain when absent. */
  credentials?: AwsCredentials;
  /** Call the ECR API's FIPS endpoint, because the registry host is a FIPS endpoint. */
  useFipsEndpoint: boolean;
  /** Call the ECR API's dual-stack endpoint, because the registry host is a dual-stack endpoint. */
  useDualstackEndpoint: boolean;
}

export interface EcrProviderOptions {
  /** The registry's region; by default read from the ECR host name. */
  region?: string;
  /** A role to assume first, for a registry in another account. */
  roleArn?: string;
  /** An ECR client for a region, with the endpoint variant and credentials of `options`. */
  ecrClient: (region: string, options: EcrClientOptions) => ECRClient;
  /** An STS client for a region; needed only with roleArn. */
  stsClient?: (region: string) => STSClient;
  /** @default Date.now */
  now?: () => number;
  /** Renew the token this long before it expires. @default 15 minutes */
  renewBeforeMs?: number;
}

export const ROLE_SESSION_NAME = 'registry-canary';

export function ecrCredentials(options: EcrProviderOptions): CredentialProvider {
  const cache = new TokenCache(options.now ?? Date.now, options.renewBeforeMs ?? 15 * 60_000);

  /** The region, endpoint variant and cache key of a registry host. */
  const locate = (registryHost: string): { region: string; endpoint: Endpoint; key: string } => {
    const host = parseEcrHost(registryHost);
    const region = options.region ?? host?.region;
    if (!region) {
      throw new CredentialsUnavailableError(
        `Cannot tell the AWS region of ${registryHost}: it is not an ECR host name; set the region of the ecr credential source.`,
        'UnknownRegion',
      );
    }
    // The API is called the way the registry is reached: who pulls from a FIPS endpoint must not
    // send the token request to a non-FIPS one, and a dual-stack host may be used from an
    // IPv6-only network, where the IPv4-only API endpoint cannot be reached.
    const endpoint: Endpoint = {
      useFipsEndpoint: host?.fips ?? false,
      useDualstackEndpoint: host?.dualStack ?? false,
    };
    // One token per region, role and endpoint: GetAuthorizationToken's token is valid for every
    // registry of that region the principal may read.
    const key = [region, options.roleArn ?? '', endpoint.useFipsEndpoint, endpoint.useDualstackEndpoint].join(
      '|',
    );
    return { region, endpoint, key };
  };

  const resolve = async (registryHost: string) => {
    const { region, endpoint, key } = locate(registryHost);
    return cache.get(key, () => fetchToken(options, region, endpoint));
  };

  return {
    source: 'ecr',
    resolve,
    // ECR may refuse a token before the expiresAt it was issued with (a clock ahead of AWS's, a
    // token cached elsewhere); the registry client then asks once for a fresh one.
    async refresh(registryHost) {
      cache.forget(locate(registryHost).key);
      return resolve(registryHost);
    },
  };
}

type Endpoint = Omit<EcrClientOptions, 'credentials'>;

async function fetchToken(
  options: EcrProviderOptions,
  region: string,
  endpoint: Endpoint,
): Promise<CachedToken> {
  const credentials = options.roleArn ? await assumeRole(options, options.roleArn, region) : undefined;
  const reply = await options
    .ecrClient(region, credentials ? { ...endpoint, credentials } : endpoint)
    .send(new GetAuthorizationTokenCommand({}))
    .catch((error: unknown) => {
      const code = awsErrorName(error);
      throw new CredentialsUnavailableError(
        `ECR GetAuthorizationToken in ${region} failed: ${code ?? 'unknown error'}.`,
        code,
        { cause: error },
      );
    });
  const data = reply.authorizationData?.[0];
  if (!data?.authorizationToken || !data.expiresAt) {
    throw new CredentialsUnavailableError(
      `ECR GetAuthorizationToken in ${region} answered without a token.`,
      'EmptyAuthorizationData',
    );
  }
  const credentialsForRegistry: RegistryCredentials = decodeAwsAuthorizationToken(
    data.authorizationToken,
    'ECR',
  );
  return { credentials: credentialsForRegistry, expiresAt: data.expiresAt.getTime() };
}

async function assumeRole(
  options: EcrProviderOptions,
  roleArn: string,
  region: string,
): Promise<AwsCredentials> {
  if (!options.stsClient) {
    throw new CredentialsUnavailableError(`Assuming ${roleArn} needs an STS client.`, 'NoStsClient');
  }
  const reply = await options
    .stsClient(region)
    .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME }))
    .catch((error: unknown) => {
      const code = awsErrorName(error);
      throw new CredentialsUnavailableError(
        `STS AssumeRole of ${roleArn} failed: ${code ?? 'unknown error'}.`,
        code,
        { cause: error },
      );
    });
  const c = reply.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) {
    throw new CredentialsUnavailableError(
      `STS AssumeRole of ${roleArn} answered without credentials.`,
      'EmptyCredentials',
    );
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}
