/**
 * The probe run with its real state recorder against a home-region table that hangs: a loopback
 * HTTP server that accepts every request and never answers. The run must still log every result,
 * send its metrics and return its summary, and end at its publish deadline, not at the SDK's
 * timeouts (2 s connect + 3 s per request, twice).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { anonymous } from '../../functions/credentials/types.ts';
import { createWriteMemory } from '../../functions/publish/state.ts';
import { createStateClient } from '../../functions/publish/state-client.ts';
import { RunDeadline } from '../../functions/run/deadline.ts';
import {
  type ProbeFn,
  PUBLISH_MARGIN_MS,
  runScheduledProbes,
  stateRecorder,
} from '../../functions/run/probe-run.ts';
import { healthyResult, runtimeConfig, target } from '../unit/handlers/probe-fixtures.ts';

process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';

const cloudWatch = mockClient(CloudWatchClient);
let server: Server;
let client: DynamoDBDocumentClient;
let requests = 0;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  server = createServer(() => {
    requests += 1; // and never answer
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The handler's own client settings (state-client.ts defaults), pointed at the hanging server.
  client = createStateClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
});

afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  cloudWatch.reset();
  cloudWatch.on(PutMetricDataCommand).resolves({});
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

it('logs, sends its metrics and returns its summary at the publish deadline when the state table hangs', async () => {
  // The run's clock is real time plus what the probes "spent": they take 10 s of a 17.5 s
  // invocation, so the publish deadline (end minus PUBLISH_MARGIN_MS) is 1.5 s after probing,
  // well short of what the SDK would wait for one hanging UpdateItem.
  let skew = 0;
  const now = () => Date.now() + skew;
  const invocationEnd = now() + 17_500;
  const deadline = invocationEnd - PUBLISH_MARGIN_MS;
  const targets = ['a', 'b', 'c'].map((name) => target(name));
  let started = 0;
  const probe: ProbeFn = async (ref) => {
    // Once every target has started (and checked its own budget), the probing takes its 10 s.
    started += 1;
    if (started === targets.length) skew += 10_000;
    return healthyResult({ ref });
  };
  const logger = new Logger({ serviceName: 'test' });

  const summary = await runScheduledProbes(
    {
      config: runtimeConfig(targets, { concurrency: 3 }),
      probe,
      credentialsFor: () => anonymous,
      logger,
      cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
      now,
      recordState: stateRecorder({
        table: 'registry-canary-state',
        client,
        region: 'eu-west-1',
        memory: createWriteMemory(),
        logger,
        heartbeatMinutes: 15,
        ttlDays: 14,
      }),
    },
    RunDeadline.at(invocationEnd, now),
    new Date('2026-12-02T08:15:00Z'),
  );
  const endedAt = now();

  expect(requests).toBeGreaterThan(0); // the writes did reach the table, and hung there
  expect(endedAt).toBeLessThan(deadline + 1_000);
  expect(summary).toEqual({
    region: 'eu-west-1',
    probed: 3,
    healthy: 3,
    degraded: 0,
    failing: 0,
    metrics: { sent: 4, unsent: 0 }, // three targets' Failing and the region's heartbeat
  });
  const results = lines.filter((l) => l['message'] === 'probe result');
  expect(results.map((l) => l['target'])).toEqual(['a', 'b', 'c']);
  const warning = lines.find((l) => l['message'] === 'state of record: some results were not written');
  expect(warning).toMatchObject({ level: 'WARN', deadlinePassed: true, failed: 3, written: 0 });
  expect((warning?.['unwritten'] as string[] | undefined)?.slice().sort()).toEqual(['a', 'b', 'c']);
  expect(lines.find((l) => l['message'] === 'state of record')).toMatchObject({ written: 0, failed: 3 });
});
