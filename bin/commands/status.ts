/**
 * `registry-canary status --config <file> [--table NAME] [--json]`: the state of record, read in
 * the config's home region with the caller's AWS credentials (the SDK's default chain): the open
 * incidents and, per target and probe region, the latest result (status, code, age), plus the
 * probe regions that have gone silent. Imported lazily by bin/cli.ts (the AWS SDK and the config
 * schema stay off the `probe <ref>` path).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsErrorName } from '../../functions/credentials/secrets.ts';
import {
  type ExpectedTarget,
  type FleetStatus,
  readFleetStatus,
} from '../../functions/publish/fleet-status.ts';
import { STATE_TABLE_NAME } from '../../functions/publish/state-client.ts';
import { staleAfterMinutes } from '../../functions/publish/state-item.ts';
import { formatAge } from '../../functions/report/age.ts';
import { parseCommandArgs, UsageError } from './usage-error.ts';

export { formatAge };

import { loadConfig } from '../../lib/config/load-config.ts';
import type { CanaryConfig } from '../../lib/config/schema.ts';

export const STATUS_USAGE = `Usage: registry-canary status --config <file> [--table NAME] [--json]

Reads the state of record (the DynamoDB table the probes write and the alerts read) in the
config's home region, with your AWS credentials (AWS_PROFILE, SSO, environment...), and prints
the open incidents, each target's latest result per probe region (status, code, age), and the
probe regions that have gone silent. Needs dynamodb:Query on the table.

Options:
  --config FILE   the deployment config (.ts, .js, .mjs or .json), anywhere on disk
  --table NAME    the state table (default ${STATE_TABLE_NAME}, the name the home stack gives it)
  --json          print the status as JSON
  -h, --help      show this help`;

export interface StatusIo {
  stdout(text: string): void;
  /** @default loadConfig from lib/config */
  loadConfig?: (path: string) => Promise<CanaryConfig>;
  /** @default createStateClient for the region, with the SDK's default credential chain */
  stateClient?: (region: string) => Promise<DynamoDBDocumentClient>;
  now?: () => Date;
}

/** A state of record that cannot be read, with what to fix. */
export class StatusReadError extends Error {
  override readonly name = 'StatusReadError';
}

export async function runStatus(args: string[], io: StatusIo): Promise<number> {
  const { values } = parseStatusArgs(args);
  if (values.help) {
    io.stdout(STATUS_USAGE);
    return 0;
  }
  if (!values.config) throw new UsageError('status needs --config <file>.');
  const config = await (io.loadConfig ?? ((p: string) => loadConfig(p)))(values.config);
  const table = values.table ?? STATE_TABLE_NAME;
  const status = await readStatusOf(config, table, io);
  io.stdout(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
  return 0;
}

/** The fleet's status from the state of record; shared with `report`. */
export async function readStatusOf(config: CanaryConfig, table: string, io: StatusIo): Promise<FleetStatus> {
  const region = config.homeRegion;
  const client = await (io.stateClient ?? defaultStateClient)(region);
  try {
    return await readFleetStatus({
      client,
      table,
      region,
      targets: expectedTargets(config),
      probeRegions: config.probeRegions,
      staleAfterMs: staleAfterMinutes(config.state.heartbeatMinutes, config.schedule.everyMinutes) * 60_000,
      now: (io.now ?? (() => new Date()))(),
    });
  } catch (error) {
    throw readError(error, table, region);
  } finally {
    client.destroy();
  }
}

/** Each enabled target with the probe regions it is probed from (its `regions`, else all). */
export function expectedTargets(config: CanaryConfig): ExpectedTarget[] {
  return config.targets
    .filter((t) => t.enabled)
    .map((t) => ({
      name: t.name,
      image: t.image,
      regions: config.probeRegions.filter((r) => t.regions === undefined || t.regions.includes(r)),
    }));
}

async function defaultStateClient(region: string): Promise<DynamoDBDocumentClient> {
  const { createStateClient } = await import('../../functions/publish/state-client.ts');
  // A person is waiting: the probe's short timeouts, and the SDK's retries of a throttled read.
  return createStateClient({ region, maxAttempts: 3 });
}

/**
 * The SDK's error, as what to fix. Names: the DynamoDB API reference's common errors
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html) and the
 * credential chain's CredentialsProviderError (@smithy/property-provider).
 */
export function readError(error: unknown, table: string, region: string): Error {
  const name = awsErrorName(error);
  const where = `the state table ${table} in ${region} (the config's homeRegion)`;
  switch (name) {
    case 'ResourceNotFoundException':
      return new StatusReadError(
        `${where} does not exist. Deploy the home stack to ${region}, or, if it was deployed to another ` +
          'region, set homeRegion to that region (a table is found only in its own region); a table ' +
          'of another name: --table NAME.',
        { cause: error },
      );
    case 'CredentialsProviderError':
      return new StatusReadError(
        `no AWS credentials to read ${where}: set AWS_PROFILE (and run \`aws sso login\` for SSO), or ` +
          'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for the account of the deployment.',
        { cause: error },
      );
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new StatusReadError(
        `AWS refused your credentials in ${region} (${name}): they have expired, or ${region} is not ` +
          'enabled for the account. Refresh them (`aws sso login`) or check homeRegion.',
        { cause: error },
      );
    case 'AccessDeniedException':
      return new StatusReadError(
        `your credentials may not read ${where} (AccessDeniedException): they need dynamodb:Query on ` +
          `arn:aws:dynamodb:${region}:<account>:table/${table}.`,
        { cause: error },
      );
    default:
      return new StatusReadError(
        `reading ${where} failed: ${name ?? ''}${error instanceof Error ? ` ${error.message}` : ''}`.trim(),
        { cause: error },
      );
  }
}

export function formatStatus(status: FleetStatus): string {
  const now = Date.parse(status.readAt);
  const lines = [`State of record: ${status.table} in ${status.region}, read ${status.readAt}`, ''];
  if (status.incidents.length === 0) lines.push('Open incidents: none');
  else {
    lines.push(`Open incidents (${status.incidents.length}):`);
    for (const incident of status.incidents) {
      lines.push(
        `  ${incident.severity.toUpperCase()}  ${incident.cause} ${incident.subject}` +
          `  open ${formatAge(now - Date.parse(incident.openedAt))}` +
          `  members: ${incident.members.length ? incident.members.join(', ') : '-'}`,
      );
    }
  }
  lines.push('');
  if (status.cells.every((c) => c.state === null)) {
    lines.push(`No results in ${status.table} yet: no probe region has written one (or they expired).`);
  }
  const rows = status.cells.map((c) => [
    c.target,
    c.region,
    c.state === null
      ? 'NO RESULT'
      : c.silent
        ? `${c.state.status.toUpperCase()}?`
        : c.state.status.toUpperCase(),
    c.state?.diagnosisCode ?? c.state?.warnings[0]?.code ?? '-',
    c.ageMs === null ? '-' : formatAge(c.ageMs),
  ]);
  const header = ['TARGET', 'REGION', 'STATUS', 'CODE', 'AGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) {
    lines.push(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
  }
  if (status.cells.some((c) => c.silent && c.state !== null)) {
    lines.push(
      `  (STATUS? = last result older than ${formatAge(status.staleAfterMs)}: the region may have stopped probing)`,
    );
  }
  lines.push('');
  lines.push(
    status.silentRegions.length
      ? `Silent probe regions: ${status.silentRegions.join(', ')} (no result within ${formatAge(status.staleAfterMs)}; ` +
          "check that region's probe function and its schedule)"
      : 'Silent probe regions: none',
  );
  return lines.join('\n');
}

function parseStatusArgs(args: string[]) {
  return parseCommandArgs({
    args,
    strict: true,
    options: {
      config: { type: 'string' },
      table: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
