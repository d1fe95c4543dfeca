/**
 * Amazon ECR Public (public.ecr.aws). Anonymous by default: resolve returns null and the engine
 * fetches an anonymous token from the challenge's realm. Authenticated pulls (a higher rate limit)
 * take a token from the ecr-public API, which exists only in us-east-1.
 */
import { type ECRPUBLICClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr-public';
import { awsErrorName } from './secrets.ts';
import { decodeAwsAuthorizationToken, TokenCache } from './token-cache.ts';
import { type CredentialProvider, CredentialsUnavailableError } from './types.ts';

/** The only region that serves the ecr-public API's GetAuthorizationToken. */
export const ECR_PUBLIC_API_REGION = 'us-east-1';

export interface EcrPublicProviderOptions {
  authenticated: boolean;
  /** An ecr-public client for a region. Called with us-east-1. */
  ecrPublicClient: (region: string) => ECRPUBLICClient;
  /** @default Date.now */
  now?: () => number;
  /** @default 15 minutes */
  renewBeforeMs?: number;
}

export function ecrPublicCredentials(options: EcrPublicProviderOptions): CredentialProvider {
  if (!options.authenticated) return { source: 'ecr-public', resolve: async () => null };
  const cache = new TokenCache(options.now ?? Date.now, options.renewBeforeMs ?? 15 * 60_000);

  return {
    source: 'ecr-public',
    resolve: () =>
      cache.get(ECR_PUBLIC_API_REGION, async () => {
        const reply = await options
          .ecrPublicClient(ECR_PUBLIC_API_REGION)
          .send(new GetAuthorizationTokenCommand({}))
          .catch((error: unknown) => {
            const code = awsErrorName(error);
            throw new CredentialsUnavailableError(
              `ECR Public GetAuthorizationToken in ${ECR_PUBLIC_API_REGION} failed: ${code ?? 'unknown error'}.`,
              code,
              { cause: error },
            );
          });
        const data = reply.authorizationData;
        if (!data?.authorizationToken || !data.expiresAt) {
          throw new CredentialsUnavailableError(
            'ECR Public GetAuthorizationToken answered without a token.',
            'EmptyAuthorizationData',
          );
        }
        return {
          credentials: decodeAwsAuthorizationToken(data.authorizationToken, 'ECR Public'),
          expiresAt: data.expiresAt.getTime(),
        };
      }),
  };
}
