/**
 * Secrets for the deployed Lambdas, read from AWS Secrets Manager at run time by ARN or name and
 * cached while the execution environment is warm. Secrets never come from environment variables:
 * those show in the console, in CloudFormation templates and in every crash dump.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialsUnavailableError } from './types.ts';

/** Reads a secret's value as a string. */
export interface SecretReader {
  read(secretId: string): Promise<string>;
}

export interface SecretsManagerReaderOptions {
  /** The client for secrets given by name, and for ARNs in its region. */
  client: SecretsManagerClient;
  /**
   * The region of `client`. With it, an ARN of another region is read in that region (Secrets
   * Manager finds a secret only in its own region) with a client from clientForRegion, created on
   * first use and kept. Without it, every secret is read with `client`.
   */
  region?: string;
  /** @default (region) => new SecretsManagerClient({ region }) */
  clientForRegion?: (region: string) => SecretsManagerClient;
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
  const clientFor = regionalClients(options);

  return {
    read(secretId) {
      const cached = cache.get(secretId);
      if (cached && cached.expiresAt > now()) return cached.value;
      // Cache the promise, so that concurrent probes of one target make one call.
      const value = fetchSecret(clientFor(secretId), secretId);
      cache.set(secretId, { value, expiresAt: now() + ttlMs });
      // A failure is not cached: the next probe tries again.
      value.catch(() => {
        if (cache.get(secretId)?.value === value) cache.delete(secretId);
      });
      return value;
    },
  };
}

/** The region an ARN names (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME), or null for a name. */
export function secretArnRegion(secretId: string): string | null {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:./.exec(secretId)?.[1] ?? null;
}

/** Picks the client for a secret id: `client`, or one per other region named by an ARN. */
function regionalClients(options: SecretsManagerReaderOptions): (secretId: string) => SecretsManagerClient {
  const create = options.clientForRegion ?? ((region: string) => new SecretsManagerClient({ region }));
  const clients = new Map<string, SecretsManagerClient>();
  return (secretId) => {
    const region = secretArnRegion(secretId);
    if (!options.region || !region || region === options.region) return options.client;
    let client = clients.get(region);
    if (!client) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
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
