/**
 * Secrets for the deployed Lambdas, read from AWS Secrets Manager at run time by ARN or name and
 * cached while the execution environment is warm. Secrets never come from environment variables:
 * those show in the console, in CloudFormation templates and in every crash dump.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialsUnavailableError } from './types.ts';

/** Reads a secret's value as a string. */
export interface SecretReader {
  read(secretId: string): Promise<string>;
}

export interface SecretsManagerReaderOptions {
  client: SecretsManagerClient;
  /** How long a value is reused before it is read again, so that a rotated secret is picked up. @default 5 minutes */
  ttlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

interface CacheEntry {
  value: Promise<string>;
  expiresAt: number;
}

export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export function secretsManagerReader(options: SecretsManagerReaderOptions): SecretReader {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  return {
    read(secretId) {
      const cached = cache.get(secretId);
      if (cached && cached.expiresAt > now()) return cached.value;
      // Cache the promise, so that concurrent probes of one target make one call.
      const value = fetchSecret(options.client, secretId);
      cache.set(secretId, { value, expiresAt: now() + ttlMs });
      // A failure is not cached: the next probe tries again.
      value.catch(() => {
        if (cache.get(secretId)?.value === value) cache.delete(secretId);
      });
      return value;
    },
  };
}

async function fetchSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
  const reply = await client
    .send(new GetSecretValueCommand({ SecretId: secretId }))
    .catch((error: unknown) => {
      const code = awsErrorName(error);
      throw new CredentialsUnavailableError(
        `Reading the secret ${secretId} from Secrets Manager failed: ${code ?? 'unknown error'}.`,
        code,
        { cause: error },
      );
    });
  if (reply.SecretString !== undefined) return reply.SecretString;
  if (reply.SecretBinary !== undefined) return Buffer.from(reply.SecretBinary).toString('utf8');
  throw new CredentialsUnavailableError(`The secret ${secretId} has no value.`, 'EmptySecret');
}

/** The AWS error name (AccessDeniedException, ResourceNotFoundException, ...) of an SDK error. */
export function awsErrorName(error: unknown): string | undefined {
  if (error instanceof Error && error.name && error.name !== 'Error') return error.name;
  return undefined;
}
