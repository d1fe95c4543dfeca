/**
 * `registry-canary status` against a DynamoDB-compatible server (dynalite) on loopback, through
 * main() as a person runs it. The table is found the way the CLI finds it in AWS (by name, in the
 * config's home region); the SDK is pointed at dynalite with its documented service endpoint
 * variable AWS_ENDPOINT_URL_DYNAMODB
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), so the command's own
 * client, credential chain and error paths are the ones under test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../../bin/cli.ts';
import type { FleetStatus } from '../../../functions/publish/fleet-status.ts';
import { recordResults } from '../../../functions/publish/state.ts';
import { createStateClient } from '../../../functions/publish/state-client.ts';
import { emptyBoard, type Incident, saveBoard } from '../../../functions/publish/state-incident.ts';
import { failingResult, healthyResult } from '../../unit/publish/state-fixtures.ts';
import { createStateTable } from '../harness/state-table.ts';

const ENV_KEYS = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let server: ReturnType<typeof dynalite>;
let endpoint: string;
let writer: DynamoDBDocumentClient;
let dir: string;
let configPath: string;
let tables = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'canary-status-'));
  configPath = join(dir, 'canary.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      homeRegion: 'eu-west-1',
      probeRegions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'],
      // Silent after 2 × 15 + 5 = 35 minutes.
      schedule: { everyMinutes: 5 },
      state: { heartbeatMinutes: 15 },
      targets: [
        { name: 'hub-alpine', image: 'docker.io/library/alpine:latest' },
        { name: 'ghcr-app', image: 'ghcr.io/acme/app:v1', regions: ['eu-west-1', 'us-east-1'] },
        { name: 'retired', image: 'quay.io/acme/old:v1', enabled: false },
      ],
    }),
  );
  useDynalite();
  writer = createStateClient({ region: 'eu-west-1', endpoint });
});

afterEach(() => useDynalite());

afterAll(async () => {
  writer?.destroy();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function useDynalite(): void {
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = endpoint;
  // dynalite checks the signature's shape, not the secret.
  process.env['AWS_ACCESS_KEY_ID'] = 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
}

async function newTable(): Promise<string> {
  const table = `status-${++tables}`;
  await createStateTable(endpoint, table);
  return table;
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

async function write(table: string, region: string, at: Date, target: string, failing = false) {
  const result = failing ? failingResult('RATE_LIMITED') : healthyResult();
  const summary = await recordResults([{ target, result }], {
    region,
    now: at,
    table,
    client: writer,
    heartbeatMinutes: 15,
  });
  expect(summary.ok).toBe(true);
}

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const io = {
    out: [] as string[],
    err: [] as string[],
    stdout: (t: string) => io.out.push(t),
    stderr: (t: string) => io.err.push(t),
    readStdin: async () => '',
    readFile: async () => '',
    probe: async () => {
      throw new Error('status never probes');
    },
  };
  return io;
}

describe('registry-canary status', () => {
  it('prints open incidents, every target × region with status, code and age, and the silent region', async () => {
    const table = await newTable();
    // eu-west-1: fresh; us-east-1: hub failing, fresh; ap-southeast-2: last wrote 2 hours ago.
    await write(table, 'eu-west-1', minutesAgo(3), 'hub-alpine');
    await write(table, 'eu-west-1', minutesAgo(3), 'ghcr-app');
    await write(table, 'us-east-1', minutesAgo(4), 'hub-alpine', true);
    await write(table, 'us-east-1', minutesAgo(4), 'ghcr-app');
    await write(table, 'ap-southeast-2', minutesAgo(120), 'hub-alpine');
    const incident: Incident = {
      id: 'incident-1',
      key: 'registry:registry-1.docker.io',
      cause: 'registry',
      subject: 'registry-1.docker.io',
      severity: 'critical',
      open: true,
      openedAt: minutesAgo(20).toISOString(),
      closedAt: null,
      lastNotifiedAt: minutesAgo(20).toISOString(),
      lastRemindedAt: null,
      reminders: 0,
      members: ['hub-alpine'],
      everMembers: ['hub-alpine'],
      told: null,
      pending: null,
      previousKeys: [],
      absorbed: [],
      mergedInto: null,
    };
    const closed: Incident = {
      ...incident,
      id: 'incident-0',
      key: 'target:ghcr-app',
      cause: 'target',
      subject: 'ghcr-app',
      open: false,
      closedAt: minutesAgo(30).toISOString(),
    };
    // The notifier's own writer: the board item, as it stores it.
    await saveBoard(writer, table, { ...emptyBoard(), incidents: [closed, incident] });
    const io = captureIo();

    const code = await main(['status', '--config', configPath, '--table', table], io);

    expect(code, io.err.join('\n')).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain(`State of record: ${table} in eu-west-1`);
    expect(text).toMatch(
      // The closed incident is not listed.
      /Open incidents \(1\):\n {2}CRITICAL {2}registry registry-1\.docker\.io {2}open 20 min {2}members: hub-alpine\n/,
    );
    expect(text).toMatch(/hub-alpine +eu-west-1 +HEALTHY +- +3 min/);
    expect(text).toMatch(/hub-alpine +us-east-1 +FAILING +RATE_LIMITED +4 min/);
    expect(text).toMatch(/hub-alpine +ap-southeast-2 +HEALTHY\? +- +2 h/);
    expect(text).toMatch(/ghcr-app +us-east-1 +HEALTHY/);
    // Not expected in ap-southeast-2 (its `regions`), and a disabled target is not listed.
    expect(text).not.toMatch(/ghcr-app +ap-southeast-2/);
    expect(text).not.toContain('retired');
    expect(text).toContain('Silent probe regions: ap-southeast-2 (no result within 35 min;');
  });

  it('prints the same as JSON', async () => {
    const table = await newTable();
    await write(table, 'eu-west-1', minutesAgo(1), 'hub-alpine', true);
    const io = captureIo();

    const code = await main(['status', '--config', configPath, '--table', table, '--json'], io);

    expect(code).toBe(0);
    const status = JSON.parse(io.out.join('\n')) as FleetStatus;
    expect(status.staleAfterMs).toBe(35 * 60_000);
    const cell = status.cells.find((c) => c.target === 'hub-alpine' && c.region === 'eu-west-1')!;
    expect(cell).toMatchObject({
      silent: false,
      state: { status: 'failing', diagnosisCode: 'RATE_LIMITED' },
    });
    expect(status.cells.map((c) => `${c.target}/${c.region}`)).toEqual([
      'hub-alpine/eu-west-1',
      'hub-alpine/us-east-1',
      'hub-alpine/ap-southeast-2',
      'ghcr-app/eu-west-1',
      'ghcr-app/us-east-1',
    ]);
    expect(status.silentRegions).toEqual(['us-east-1', 'ap-southeast-2']);
  });

  it('says the table is empty and every region silent when nothing was written', async () => {
    const table = await newTable();
    const io = captureIo();

    const code = await main(['status', '--config', configPath, '--table', table], io);

    expect(code).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('Open incidents: none');
    expect(text).toContain(`No results in ${table} yet`);
    expect(text).toMatch(/hub-alpine +eu-west-1 +NO RESULT +- +-/);
    expect(text).toContain('Silent probe regions: eu-west-1, us-east-1, ap-southeast-2');
  });

  it('names the table, the region and what to fix when the table does not exist', async () => {
    const io = captureIo();

    const code = await main(['status', '--config', configPath, '--table', 'no-such-table'], io);

    expect(code).toBe(1);
    expect(io.err.join('\n')).toContain(
      "the state table no-such-table in eu-west-1 (the config's homeRegion) does not exist. Deploy the home stack to eu-west-1, or",
    );
    expect(io.err.join('\n')).toContain('set homeRegion to that region');
  });

  it('says how to get credentials when the default chain finds none', async () => {
    const table = await newTable();
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      delete process.env[key];
    }
    // No shared files, and never the instance metadata address (no traffic off loopback).
    writeFileSync(join(dir, 'empty'), '');
    process.env['AWS_CONFIG_FILE'] = join(dir, 'empty');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'empty');
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    const io = captureIo();

    const code = await main(['status', '--config', configPath, '--table', table], io);

    expect(code).toBe(1);
    expect(io.err.join('\n')).toMatch(/no AWS credentials to read the state table status-\d+ in eu-west-1/);
    expect(io.err.join('\n')).toContain('set AWS_PROFILE');
  });

  it('refuses to run without --config', async () => {
    const io = captureIo();

    expect(await main(['status'], io)).toBe(2);
    expect(io.err.join('\n')).toContain('status needs --config <file>.');
  });
});
