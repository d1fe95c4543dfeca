/**
 * The DynamoDB client for the state of record. The home region may be far away or down: short
 * timeouts and one retry keep a regional probe from waiting on it past its own schedule.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Environment of the probe Lambda: the state table's name (the table is in the config's home region). */
export const STATE_TABLE_ENV = 'STATE_TABLE_NAME';

/**
 * The state table's physical name; one registry-canary deployment per account. Fixed because the
 * regional stacks cannot be passed a table of another region (lib/constructs/alerting-state-access.ts),
 * and because `registry-canary status` finds it from a laptop by name.
 */
export const STATE_TABLE_NAME = 'registry-canary-state';

export interface StateClientOptions {
  /** The home region, where the table lives. */
  region: string;
  /** For tests against a local server. */
  endpoint?: string;
  /** @default 2000 */
  connectionTimeoutMs?: number;
  /** @default 3000 */
  requestTimeoutMs?: number;
  /** @default 2 */
  maxAttempts?: number;
}

export function createStateClient(options: StateClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 2_000,
      requestTimeout: options.requestTimeoutMs ?? 3_000,
    },
  });
  // Optional result fields (no TLS on plain HTTP, no rate limit) are undefined; store them as absent.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
