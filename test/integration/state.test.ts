/**
 * The state of record against a real DynamoDB-compatible server (dynalite) on loopback: transitions,
 * heartbeats, conditional updates, and several writers at once.
 */
import type { AddressInfo } from 'node:net';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWriteMemory, type RecordOptions, recordResults } from '../../functions/publish/state.ts';
import { createStateClient } from '../../functions/publish/state-client.ts';
import { readTargetStates } from '../../functions/publish/state-read.ts';
import { failingResult, healthyResult } from '../unit/publish/state-fixtures.ts';
import { createStateTable } from './harness/state-table.ts';

let server: ReturnType<typeof dynalite>;
let endpoint: string;
let client: DynamoDBDocumentClient;
let tableCounter = 0;
let table: string;

// dynalite checks the signature's shape, not the secret.
process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createStateClient({ region: 'eu-west-1', endpoint });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  // A fresh table per test keeps tests independent without restarting the server.
  table = `state-${++tableCounter}`;
  await createStateTable(endpoint, table);
});

const T0 = new Date('2026-11-22T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function options(overrides: Partial<RecordOptions> = {}): RecordOptions {
  return { region: 'eu-west-1', now: T0, table, client, heartbeatMinutes: 15, ...overrides };
}

async function item(target: string, region = 'eu-west-1') {
  const reply = await client.send(new GetCommand({ TableName: table, Key: { pk: target, sk: region } }));
  return reply.Item;
}

describe('recordResults', () => {
  it('writes a new target with since, lastSeen, ttl and the diagnosis fields', async () => {
    const summary = await recordResults([{ target: 'hub-alpine', result: failingResult() }], options());

    expect(summary).toEqual({ ok: true, written: 1, skipped: 0, superseded: 0, failed: [] });
    const stored = await item('hub-alpine');
    expect(stored).toMatchObject({
      pk: 'hub-alpine',
      sk: 'eu-west-1',
      registry: 'registry-1.docker.io',
      status: 'failing',
      diagnosisCode: 'RATE_LIMITED',
      since: T0.toISOString(),
      lastSeen: T0.toISOString(),
      consecutiveFailures: 1,
      rateLimitRemaining: 0,
      rateLimitLimit: 100,
      rateLimitSource: '203.0.113.7',
      certDaysRemaining: 98,
      ttl: T0.getTime() / 1000 + 14 * 86_400,
    });
    expect(stored?.['evidence']).toHaveLength(2);
  });

  it('keeps since and counts consecutive failures while the status stays failing', async () => {
    const memory = createWriteMemory();
    await recordResults([{ target: 't', result: failingResult() }], options({ memory }));
    await recordResults([{ target: 't', result: failingResult() }], options({ memory, now: minutes(5) }));
    await recordResults([{ target: 't', result: failingResult() }], options({ memory, now: minutes(10) }));

    const stored = await item('t');
    expect(stored).toMatchObject({
      since: T0.toISOString(),
      lastSeen: minutes(10).toISOString(),
      consecutiveFailures: 3,
    });
  });

  it('resets since and the counter on a transition back to healthy', async () => {
    await recordResults([{ target: 't', result: failingResult() }], options());
    await recordResults([{ target: 't', result: failingResult() }], options({ now: minutes(5) }));
    await recordResults([{ target: 't', result: healthyResult() }], options({ now: minutes(10) }));

    const stored = await item('t');
    expect(stored).toMatchObject({
      status: 'healthy',
      diagnosisCode: null,
      since: minutes(10).toISOString(),
      consecutiveFailures: 0,
    });
  });

  it('skips an unchanged healthy result until the heartbeat is due', async () => {
    const memory = createWriteMemory();
    const first = await recordResults([{ target: 't', result: healthyResult() }], options({ memory }));
    const second = await recordResults(
      [{ target: 't', result: healthyResult() }],
      options({ memory, now: minutes(5) }),
    );
    const afterSkip = await item('t');
    const heartbeat = await recordResults(
      [{ target: 't', result: healthyResult() }],
      options({ memory, now: minutes(15) }),
    );

    expect(first.written).toBe(1);
    expect(second).toMatchObject({ written: 0, skipped: 1 });
    expect(afterSkip?.['lastSeen']).toBe(T0.toISOString());
    expect(heartbeat).toMatchObject({ written: 1, skipped: 0 });
    expect(await item('t')).toMatchObject({ lastSeen: minutes(15).toISOString(), since: T0.toISOString() });
  });

  it('writes at once when a healthy target changes its warnings, even before the heartbeat', async () => {
    const memory = createWriteMemory();
    await recordResults([{ target: 't', result: healthyResult() }], options({ memory }));
    const degraded = healthyResult({
      status: 'degraded',
      warnings: [{ code: 'RATE_LIMIT_LOW', summary: 'Only 9 of 100 pulls left' }],
      rateLimit: { limit: 100, remaining: 9, windowSeconds: 21600, source: '203.0.113.7' },
    });
    const summary = await recordResults(
      [{ target: 't', result: degraded }],
      options({ memory, now: minutes(1) }),
    );

    expect(summary.written).toBe(1);
    expect(await item('t')).toMatchObject({
      status: 'degraded',
      summary: 'Only 9 of 100 pulls left',
      rateLimitRemaining: 9,
      since: minutes(1).toISOString(),
    });
  });

  it('rewrites a degraded, unchanged result when its rate-limit budget moves to another tenth of the limit', async () => {
    const memory = createWriteMemory();
    const low = (remaining: number) =>
      healthyResult({
        status: 'degraded',
        warnings: [{ code: 'RATE_LIMIT_LOW', summary: `Only ${remaining} of 100 pulls left` }],
        rateLimit: { limit: 100, remaining, windowSeconds: 21600, source: '203.0.113.7' },
      });
    await recordResults([{ target: 't', result: low(19) }], options({ memory }));
    const sameTenth = await recordResults(
      [{ target: 't', result: low(10) }],
      options({ memory, now: minutes(1) }),
    );
    const nextTenth = await recordResults(
      [{ target: 't', result: low(9) }],
      options({ memory, now: minutes(2) }),
    );

    expect(sameTenth).toMatchObject({ written: 0, skipped: 1 });
    expect(nextTenth).toMatchObject({ written: 1, skipped: 0 });
    expect(await item('t')).toMatchObject({ rateLimitRemaining: 9, since: T0.toISOString() });
  });

  it('rewrites an unchanged result at once when the registry counts it against another source', async () => {
    const memory = createWriteMemory();
    const from = (source: string) =>
      healthyResult({ rateLimit: { limit: 100, remaining: 76, windowSeconds: 21600, source } });
    await recordResults([{ target: 't', result: from('203.0.113.7') }], options({ memory }));
    const moved = await recordResults(
      [{ target: 't', result: from('198.51.100.20') }],
      options({ memory, now: minutes(1) }),
    );

    expect(moved.written).toBe(1);
    expect(await item('t')).toMatchObject({ rateLimitSource: '198.51.100.20' });
  });

  it('writes a failing target on every run, whatever the heartbeat', async () => {
    const memory = createWriteMemory();
    await recordResults([{ target: 't', result: failingResult() }], options({ memory }));
    const summary = await recordResults(
      [{ target: 't', result: failingResult() }],
      options({ memory, now: minutes(1) }),
    );
    expect(summary.written).toBe(1);
  });

  it('never lets a late, older result replace a newer one', async () => {
    await recordResults([{ target: 't', result: failingResult() }], options({ now: minutes(10) }));
    const late = await recordResults(
      [{ target: 't', result: healthyResult() }],
      options({ now: minutes(5) }),
    );

    expect(late).toMatchObject({ ok: true, written: 0, superseded: 1 });
    expect(await item('t')).toMatchObject({ status: 'failing', lastSeen: minutes(10).toISOString() });
  });

  it('keeps one since and counts both when two overlapping runs of one region write at once', async () => {
    await recordResults([{ target: 't', result: healthyResult() }], options());
    await Promise.all([
      recordResults([{ target: 't', result: failingResult() }], options({ now: minutes(5) })),
      recordResults([{ target: 't', result: failingResult() }], options({ now: minutes(5) })),
    ]);

    expect(await item('t')).toMatchObject({
      status: 'failing',
      since: minutes(5).toISOString(),
      consecutiveFailures: 2,
    });
  });

  it('lets two regions write the same targets at once without touching each other', async () => {
    const targets = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const [eu, ap] = await Promise.all([
      recordResults(
        targets.map((target) => ({ target, result: failingResult() })),
        options({ region: 'eu-west-1' }),
      ),
      recordResults(
        targets.map((target) => ({ target, result: healthyResult() })),
        options({ region: 'ap-southeast-1', now: minutes(1) }),
      ),
    ]);

    expect(eu).toMatchObject({ ok: true, written: 20 });
    expect(ap).toMatchObject({ ok: true, written: 20 });
    const states = await readTargetStates(client, table, 't7');
    expect(states.map((s) => [s.region, s.status, s.consecutiveFailures])).toEqual([
      ['ap-southeast-1', 'healthy', 0],
      ['eu-west-1', 'failing', 1],
    ]);
  });

  it('returns a failure summary and does not throw when the table cannot be reached', async () => {
    const unreachable = createStateClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      connectionTimeoutMs: 500,
    });
    const warnings: unknown[] = [];
    const summary = await recordResults(
      [
        { target: 'a', result: healthyResult() },
        { target: 'b', result: failingResult() },
      ],
      options({ client: unreachable, concurrency: 1, logger: { warn: (...args) => warnings.push(args) } }),
    );
    unreachable.destroy();

    expect(summary.ok).toBe(false);
    expect(summary.written).toBe(0);
    expect(summary.failed.map((f) => f.target)).toEqual(['a', 'b']);
    expect(summary.failed[1]?.error).toMatch(/^not attempted: /);
    expect(warnings).toHaveLength(1);
  });

  it('starts no write once the deadline has passed, and names the targets it left unwritten', async () => {
    const warnings: unknown[][] = [];
    const summary = await recordResults(
      [
        { target: 'a', result: failingResult() },
        { target: 'b', result: healthyResult() },
      ],
      options({ deadline: 1_000, clock: () => 1_000, logger: { warn: (...args) => warnings.push(args) } }),
    );

    expect(summary).toMatchObject({ ok: false, written: 0 });
    expect(summary.failed).toEqual([
      { target: 'a', error: 'not attempted: the state write deadline passed' },
      { target: 'b', error: 'not attempted: the state write deadline passed' },
    ]);
    expect(await item('a')).toBeUndefined();
    expect(warnings[0]?.[1]).toMatchObject({ deadlinePassed: true, unwritten: ['a', 'b'] });
  });

  it('writes normally when the deadline is still ahead', async () => {
    const summary = await recordResults(
      [{ target: 'a', result: failingResult() }],
      options({ deadline: Date.now() + 30_000 }),
    );
    expect(summary).toEqual({ ok: true, written: 1, skipped: 0, superseded: 0, failed: [] });
    expect(await item('a')).toMatchObject({ status: 'failing' });
  });

  it('returns a failure summary when the table does not exist', async () => {
    const summary = await recordResults(
      [{ target: 'a', result: healthyResult() }],
      options({ table: 'no-such-table', logger: { warn: () => {} } }),
    );
    expect(summary.ok).toBe(false);
    expect(summary.failed[0]?.error).toMatch(/ResourceNotFound/);
  });
});
