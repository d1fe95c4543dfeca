/**
 * The Slack app and PagerDuty channels end to end: the notifier publishes (harness.ts), and each
 * published message is handed to the subscriber the way SNS hands it to a Lambda, which talks to a
 * server on loopback that answers as the real service documents it:
 *   - Slack chat.postMessage (docs.slack.dev/reference/methods/chat.postMessage): HTTP 200 with
 *     {"ok":true,"channel","ts","message"}, or {"ok":false,"error":"channel_not_found"}; HTTP 429
 *     with Retry-After when rate limited (docs.slack.dev/apis/web-api/rate-limits);
 *   - PagerDuty Events API v2 (PagerDuty/developer-docs, events-API-v2): 202
 *     {"status":"success","message":"Event processed","dedup_key"}, 400 for an invalid event.
 * Threads are kept in the state table on dynalite, as in production.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SNSEventRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeliveryError } from '../../../functions/publish/notification/delivery.ts';
import { handleAlarmBatch, sweep } from '../../../functions/publish/notification/notifier.ts';
import {
  deliverToPagerDuty,
  MAX_DEDUP_KEY_CHARS,
  MAX_EVENT_BYTES,
  MAX_SUMMARY_CHARS,
  type PagerDutyEvent,
} from '../../../functions/publish/notification/pagerduty.ts';
import {
  deliverToSlackApp,
  type PostMessageBody,
  type SlackAppDeps,
  THREAD_WAITS_MS,
} from '../../../functions/publish/notification/slack-app.ts';
import { CLAIM_STALE_MS, dynamoThreadStore } from '../../../functions/publish/state-thread.ts';
import {
  alarm,
  at,
  deps,
  failing,
  failingAlarm,
  h,
  lambdaRecords,
  logs,
  outputs,
  probe,
  REGIONS,
  result,
  SECRETS,
  useNotifierHarness,
} from './harness.ts';

useNotifierHarness();

interface Request {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
const requests: Request[] = [];
let answer: (request: Request) => { status: number; body: unknown; headers?: Record<string, string> };
let tsCounter = 0;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    };
    requests.push(request);
    const reply = answer(request);
    res
      .writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers })
      .end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const okSlack: typeof answer = (request) =>
  request.path === '/api/chat.postMessage'
    ? {
        status: 200,
        body: {
          ok: true,
          channel: 'C0123ABCD',
          ts: `1764410${String(++tsCounter).padStart(3, '0')}.000100`,
          message: {},
        },
      }
    : {
        status: 202,
        body: { status: 'success', message: 'Event processed', dedup_key: request.body['dedup_key'] },
      };

beforeEach(() => {
  requests.length = 0;
  answer = okSlack;
});

const quiet = {
  info: (message: string, ...extra: unknown[]) => logs.push(`info ${message} ${JSON.stringify(extra)}`),
  warn: (message: string, ...extra: unknown[]) => logs.push(`warn ${message} ${JSON.stringify(extra)}`),
};

async function toSlackApp(from = 0) {
  const threads = dynamoThreadStore(h.db, h.table);
  for (const record of lambdaRecords().slice(from)) {
    await deliverToSlackApp([record], {
      token: async () => SECRETS.slackBotToken,
      channel: 'C0123ABCD',
      threads,
      apiBase: `${base}/api`,
      logger: quiet,
    });
  }
  return requests.filter((r) => r.path === '/api/chat.postMessage');
}

/** Delivers one record to the Slack app subscriber, as one Lambda invocation would. */
function slackApp(record: SNSEventRecord, extra: Partial<SlackAppDeps> = {}) {
  return deliverToSlackApp([record], {
    token: async () => SECRETS.slackBotToken,
    channel: 'C0123ABCD',
    threads: dynamoThreadStore(h.db, h.table),
    apiBase: `${base}/api`,
    logger: quiet,
    ...extra,
  });
}

const slackPosts = () =>
  requests.filter((r) => r.path === '/api/chat.postMessage').map((r) => r.body as unknown as PostMessageBody);

const incidentOf = (record: SNSEventRecord) =>
  (JSON.parse(record.Sns.Message) as { alert: { incidentId: string } }).alert.incidentId;

/** An incident's opening, and an update to it (a second target joined after the hold-back). */
async function openingAndUpdate(): Promise<[SNSEventRecord, SNSEventRecord]> {
  for (const region of REGIONS)
    await probe(region, {
      'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE'),
      'hub-nginx': failing('hub-nginx', 'REGISTRY_UNAVAILABLE'),
    });
  await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
  vi.setSystemTime(at(3));
  await handleAlarmBatch([failingAlarm('hub-nginx', 'ALARM', 3)], deps());
  const records = lambdaRecords();
  expect(records.map((r) => JSON.parse(r.Sns.Message).alert.event)).toEqual(['opened', 'updated']);
  // Real time for the waits from here: the fake clock only dated the alarms.
  vi.useRealTimers();
  return records as [SNSEventRecord, SNSEventRecord];
}

async function toPagerDuty(severities?: ('critical' | 'warning')[]) {
  for (const record of lambdaRecords()) {
    await deliverToPagerDuty([record], {
      routingKey: async () => SECRETS.pagerDutyRoutingKey,
      ...(severities ? { severities } : {}),
      url: `${base}/v2/enqueue`,
      logger: quiet,
    });
  }
  const events = requests.filter((r) => r.path === '/v2/enqueue');
  // The routing key is the one field allowed to carry the secret; everything else is scanned.
  for (const e of events) outputs.push(JSON.stringify({ ...e.body, routing_key: undefined }));
  return events.map((e) => e.body as unknown as PagerDutyEvent);
}

/** A regional fault seen first as a registry incident, re-grouped, then recovered. */
async function regionalFaultThenRecovery() {
  const targets = ['hub-alpine', 'ghcr-app', 'quay-tool'];
  await probe('eu-west-1', Object.fromEntries(targets.map((t) => [t, failing(t, 'TIMEOUT')])));
  for (const region of ['ap-southeast-1', 'us-east-1'])
    await probe(region, Object.fromEntries(targets.map((t) => [t, result(t)])));
  vi.setSystemTime(at(2));
  await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 1)], deps());
  vi.setSystemTime(new Date(at(2).getTime() + 5_000));
  await handleAlarmBatch(
    [failingAlarm('ghcr-app', 'ALARM', 1), failingAlarm('quay-tool', 'ALARM', 1)],
    deps(),
  );
  vi.setSystemTime(at(5));
  await sweep(deps());
  vi.setSystemTime(at(40));
  for (const region of REGIONS) await probe(region, Object.fromEntries(targets.map((t) => [t, result(t)])));
  await handleAlarmBatch(
    targets.map((t) => failingAlarm(t, 'OK', 39)),
    deps(),
  );
}

describe('Slack app channel', () => {
  it('threads an incident on its first message, through re-grouping, and broadcasts the recovery', async () => {
    await regionalFaultThenRecovery();

    const posts = await toSlackApp();

    expect(posts).toHaveLength(3);
    for (const post of posts) {
      // Slack: the token "passed as an HTTP Authorization header", JSON body.
      expect(post.headers['authorization']).toBe(`Bearer ${SECRETS.slackBotToken}`);
      expect(post.headers['content-type']).toBe('application/json; charset=utf-8');
      outputs.push(JSON.stringify(post.body));
    }
    const [opening, update, recovery] = posts.map((p) => p.body as unknown as PostMessageBody);
    expect(opening).toMatchObject({ channel: 'C0123ABCD', unfurl_links: false });
    expect(opening?.thread_ts).toBeUndefined();
    const root = '1764410001.000100';
    expect(update).toMatchObject({ thread_ts: root });
    expect(update?.reply_broadcast).toBeUndefined();
    expect(recovery).toMatchObject({ thread_ts: root, reply_broadcast: true });
    expect(recovery?.text).toMatch(/^INFO: RESOLVED after 38m TIMEOUT only from eu-west-1/);
  });

  it('posts exactly one top-level message when deliveries of one incident race, the others reply to it', async () => {
    const [opening, update] = await openingAndUpdate();

    // SNS invokes the subscriber once per message, concurrently: an opening, and its update three times.
    await Promise.all([opening, update, update, update].map((record) => slackApp(record)));

    const posts = slackPosts();
    expect(posts).toHaveLength(4);
    const top = posts.filter((p) => p.thread_ts === undefined);
    expect(top).toHaveLength(1);
    const root = await dynamoThreadStore(h.db, h.table).get(incidentOf(opening));
    expect(root).toMatch(/^1764410\d{3}\.000100$/);
    for (const reply of posts.filter((p) => p !== top[0])) expect(reply.thread_ts).toBe(root);
  });

  it('makes an update delivered while the opening is being posted wait, then reply in its thread', async () => {
    const [opening, update] = await openingAndUpdate();
    let sleeps = 0;
    let openingPosted!: () => void;
    const posted = new Promise<void>((resolve) => {
      openingPosted = resolve;
    });

    // The update finds no thread: it waits (here, until the opening is in) rather than posting.
    const updating = slackApp(update, {
      sleep: async () => {
        sleeps += 1;
        await posted;
      },
    });
    await vi.waitFor(() => expect(sleeps).toBe(1), { timeout: 10_000 });
    await slackApp(opening);
    openingPosted();
    await updating;

    const [first, second] = slackPosts();
    expect(first?.thread_ts).toBeUndefined();
    expect(first?.text).toMatch(/FAILING/);
    expect(second?.thread_ts).toBe(await dynamoThreadStore(h.db, h.table).get(incidentOf(opening)));
  });

  it('gives up retryably, posting nothing, while another delivery holds a fresh claim on the thread', async () => {
    const [opening] = await openingAndUpdate();
    await dynamoThreadStore(h.db, h.table).claim(incidentOf(opening), 'another-delivery');
    let sleeps = 0;

    const error = (await slackApp(opening, {
      sleep: async () => {
        sleeps += 1;
      },
    }).catch((e: unknown) => e)) as DeliveryError;

    expect(error).toMatchObject({ name: 'DeliveryError', retryable: true });
    expect(error.message).toMatch(/still posting its first message/);
    expect(sleeps).toBe(THREAD_WAITS_MS.length);
    expect(slackPosts()).toEqual([]);
  });

  it('takes over a claim whose holder died, once it is older than twice the timeout', async () => {
    const [opening] = await openingAndUpdate();
    const id = incidentOf(opening);
    const twoMinutesAgo = new Date(Date.now() - 2 * CLAIM_STALE_MS);
    await dynamoThreadStore(h.db, h.table, () => twoMinutesAgo).claim(id, 'crashed-delivery');

    await slackApp(opening, { sleep: async () => expect.fail('an abandoned claim is not waited for') });

    const [post] = slackPosts();
    expect(post?.thread_ts).toBeUndefined();
    expect(await dynamoThreadStore(h.db, h.table).read(id)).toEqual({ ts: expect.any(String) });
  });

  it('releases its claim when Slack refuses the root, so the retry posts it at once', async () => {
    const [opening] = await openingAndUpdate();
    answer = () => ({ status: 200, body: { ok: false, error: 'internal_error' } });
    await expect(slackApp(opening)).rejects.toMatchObject({ retryable: true });
    answer = okSlack;

    await slackApp(opening, { sleep: async () => expect.fail('a released claim is not waited for') });

    const root = slackPosts().at(-1);
    expect(root?.thread_ts).toBeUndefined();
    expect(await dynamoThreadStore(h.db, h.table).get(incidentOf(opening))).toMatch(/^1764410/);
  });

  it("fails with Slack's error word, never the token, when Slack refuses the message", async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    answer = () => ({ status: 200, body: { ok: false, error: 'channel_not_found' } });

    const error = (await toSlackApp().catch((e: unknown) => e)) as DeliveryError;

    expect(error.message).toBe('Slack chat.postMessage answered 200: channel_not_found');
    expect(error.retryable).toBe(false);
    outputs.push(error.message, String(error.stack));
    answer = () => ({
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': '30' },
    });
    const limited = (await toSlackApp().catch((e: unknown) => e)) as DeliveryError;
    expect(limited).toMatchObject({ status: 429, retryable: true, reason: 'ratelimited, retry after 30 s' });
  });
});

describe('PagerDuty channel', () => {
  it('triggers once per incident, keeps its dedup_key through re-grouping, and resolves it on recovery', async () => {
    await regionalFaultThenRecovery();

    const events = await toPagerDuty();

    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(new Set(events.map((e) => e.dedup_key)).size).toBe(1);
    const [opening, update, resolve] = events;
    expect(opening?.routing_key).toBe(SECRETS.pagerDutyRoutingKey);
    expect(opening?.payload).toMatchObject({
      severity: 'critical',
      source: 'registry-canary: registry-1.docker.io',
      class: 'TIMEOUT',
      group: 'platform',
    });
    expect(update?.payload?.summary).toMatch(
      /^UPDATE FAILING TIMEOUT only from eu-west-1: 3 registries \(3 targets\) \| Regional fault/,
    );
    expect(update?.links?.map((l) => l.text)).toContain('Failing runs (eu-west-1)');
    // A resolve carries only the key and the action (PagerDuty's resolve example).
    expect(Object.keys(resolve ?? {}).sort()).toEqual(['dedup_key', 'event_action', 'routing_key']);
  });

  it('pages only on the severities it is given: a warning is not sent by default', async () => {
    for (const region of REGIONS) {
      await probe(region, {
        'hub-alpine': result('hub-alpine', {
          status: 'degraded',
          warnings: [{ code: 'SLOW', summary: 'slow' }],
        }),
      });
    }
    await handleAlarmBatch([alarm('LatencyDegraded', 'hub-alpine', 'ALARM', 0, 'hub-alpine')], deps());

    expect(await toPagerDuty()).toEqual([]);
    const sent = await toPagerDuty(['critical', 'warning']);
    expect(sent.map((e) => e.payload?.severity)).toEqual(['warning']);
  });

  it('keeps a 60-target burst within the Events API limits: summary, dedup_key and payload size', async () => {
    const targets = Array.from({ length: 60 }, (_, i) => `hub-image-${String(i).padStart(2, '0')}`);
    for (const region of REGIONS) {
      await probe(
        region,
        Object.fromEntries(
          targets.map((t, i) => [
            t,
            failing(t, 'TIMEOUT', {
              diagnosis: {
                code: 'TIMEOUT',
                summary: `distinct ${i} ${'s'.repeat(400)}`,
                evidence: Array.from({ length: 12 }, (_, j) => `e${j} ${'y'.repeat(480)}`),
                nextSteps: [`step ${i} ${'z'.repeat(400)}`],
                runbook: 'https://example.com/runbooks/TIMEOUT.md',
              },
            }),
          ]),
        ),
      );
    }
    await handleAlarmBatch(
      targets.map((t) => failingAlarm(t, 'ALARM', 1)),
      deps(),
    );

    const [event] = await toPagerDuty();

    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(event?.payload?.summary).toBeDefined();
    expect(event!.payload!.summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(event!.dedup_key.length).toBeLessThanOrEqual(MAX_DEDUP_KEY_CHARS);
    expect((event!.payload!.custom_details!['diagnoses'] as unknown[]).length).toBeLessThanOrEqual(10);
    // The SNS message already left out what did not fit 256 KB; the event says how many there are in all.
    expect(event?.payload?.custom_details?.['failing_targets']).toBe(60);
    const listed = (event!.payload!.custom_details!['diagnoses'] as { targets: string[] }[]).reduce(
      (n, d) => n + d.targets.length,
      0,
    );
    expect(listed + (event?.payload?.custom_details?.['targets_not_listed'] as number)).toBe(60);
  });

  it('fails without retry on a 400 and with retry on a 429, naming neither the key nor the URL', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    answer = () => ({
      status: 400,
      body: {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ["Length of 'summary' is incorrect"],
      },
    });

    const invalid = (await toPagerDuty().catch((e: unknown) => e)) as DeliveryError;
    expect(invalid).toMatchObject({ status: 400, retryable: false });
    expect(invalid.message).toContain('Event object is invalid');
    expect(invalid.message).not.toContain('127.0.0.1');
    outputs.push(invalid.message);
    answer = () => ({
      status: 429,
      body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' },
    });
    expect(await toPagerDuty().catch((e: unknown) => e)).toMatchObject({ status: 429, retryable: true });
  });
});
