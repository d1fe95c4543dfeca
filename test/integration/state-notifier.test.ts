/**
 * The notifier end to end: probe results written to a real DynamoDB-compatible table (dynalite on
 * loopback), alarm transitions arriving as SQS records, and the SNS publish captured with
 * aws-sdk-client-mock. The clock is vitest's fake Date, so durations and reminders are exact.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SNSEventRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleAlarmBatch, type NotifierDeps, sweep } from '../../functions/publish/notification/notifier.ts';
import type { SlackMessage } from '../../functions/publish/notification/slack.ts';
import { deliverToSlack } from '../../functions/publish/notification/slack-delivery.ts';
import { recordResults } from '../../functions/publish/state.ts';
import { createStateClient } from '../../functions/publish/state-client.ts';
import { getIncident } from '../../functions/publish/state-incident.ts';
import { alarmRecord } from '../unit/publish/notification/alarm-fixtures.ts';
import { failingResult, healthyResult } from '../unit/publish/state-fixtures.ts';

process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:registry-canary-notifications';
const REGIONS = ['ap-southeast-1', 'eu-west-1', 'us-east-1'];
const DASHBOARD =
  'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/RegistryCanary';
const T0 = new Date('2026-11-22T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

let server: ReturnType<typeof dynalite>;
let endpoint: string;
let db: DynamoDBDocumentClient;
let table: string;
let tableCounter = 0;
const sns = mockClient(SNSClient);
const logs: { level: string; message: string }[] = [];

/** A Slack incoming webhook on loopback, as in slack-webhook.test.ts: records what is POSTed. */
let slack: Server;
let slackUrl: string;
const slackPosts: unknown[] = [];

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  db = createStateClient({ region: 'eu-west-1', endpoint });
  slack = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    slackPosts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0000/B0000/x`;
});

afterAll(async () => {
  db?.destroy();
  sns.restore();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => slack.close(() => resolve()));
});

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  logs.length = 0;
  slackPosts.length = 0;
  table = `notifier-${++tableCounter}`;
  const raw = new DynamoDBClient({ region: 'eu-west-1', endpoint });
  await raw.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  raw.destroy();
});

afterEach(() => {
  vi.useRealTimers();
});

function deps(): NotifierDeps {
  const log =
    (level: string) =>
    (message: string, ...rest: unknown[]) => {
      logs.push({ level, message });
      if (process.env['DEBUG_NOTIFIER']) console.log(level, message, ...(rest as unknown[]));
    };
  return {
    db,
    sns: new SNSClient({ region: 'eu-west-1' }),
    table,
    topicArn: TOPIC,
    alert: { expectedRegions: REGIONS, staleAfterMs: 40 * 60_000, dashboardUrl: DASHBOARD },
    reminderMinutes: 60,
    holdBackMs: 120_000,
    clock: () => new Date(),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
  };
}

async function probe(
  region: string,
  results: { target: string; result: ReturnType<typeof healthyResult> }[],
) {
  const summary = await recordResults(results, { region, now: new Date(), table, client: db });
  expect(summary.ok).toBe(true);
}

function published(): PublishCommandInput[] {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

function parsed(input: PublishCommandInput) {
  const message = JSON.parse(input.Message ?? '') as Record<string, string>;
  return {
    keys: Object.keys(message).sort(),
    chatbot: JSON.parse(message['default'] ?? ''),
    email: message['email'] ?? '',
    lambda: JSON.parse(message['lambda'] ?? ''),
  };
}

/** What SNS hands the Slack webhook Lambda: the `lambda` entry of the published message. */
function lambdaDelivery(input: PublishCommandInput): SNSEventRecord {
  const message = JSON.parse(input.Message ?? '') as Record<string, string>;
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPIC}:sub`,
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: new Date().toISOString(),
      Signature: '',
      SigningCertUrl: '',
      MessageId: 'sns-1',
      Message: message['lambda'] ?? '',
      MessageAttributes: {},
      Type: 'Notification',
      UnsubscribeUrl: '',
      TopicArn: TOPIC,
      Subject: input.Subject ?? '',
    },
  };
}

describe('notifier, end to end', () => {
  it('publishes one enriched message per protocol when one target fails in 2 of 3 regions', async () => {
    // Each region pulls from its own address, so each has its own budget: the alert lists them all.
    const budget = (remaining: number, source: string) => ({
      rateLimit: { limit: 100, remaining, windowSeconds: 21600, source },
    });
    await probe('eu-west-1', [{ target: 'hub-alpine', result: failingResult('RATE_LIMITED') }]);
    await probe('ap-southeast-1', [
      { target: 'hub-alpine', result: failingResult('RATE_LIMITED', budget(0, '198.51.100.20')) },
    ]);
    await probe('us-east-1', [{ target: 'hub-alpine', result: healthyResult(budget(76, '192.0.2.30')) }]);
    vi.setSystemTime(at(10));

    const response = await handleAlarmBatch(
      [
        alarmRecord({
          alarmName: 'registry-canary-hub-alpine-failing',
          target: 'hub-alpine',
          state: 'ALARM',
          at: iso(9),
        }),
      ],
      deps(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    const calls = published();
    expect(calls).toHaveLength(1);
    const input = calls[0]!;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    const threadId = `registry-canary/registry-1.docker.io/${iso(9)}`;
    const title =
      'ALARM registry-1.docker.io: hub-alpine failing in 2 of 3 regions: ap-southeast-1, eu-west-1 (RATE_LIMITED)';
    // SNS email subjects are capped at 100 characters.
    expect(input.Subject).toBe(`${title.slice(0, 97)}...`);
    const { keys, chatbot, email, lambda } = parsed(input);
    expect(keys).toEqual(['default', 'email', 'lambda']);
    expect(chatbot).toEqual({
      version: '1.0',
      source: 'custom',
      id: `${threadId}/opened/${iso(10)}`,
      content: {
        textType: 'client-markdown',
        title: `:rotating_light: ${title}`,
        description: [
          'hub-alpine of registry-1.docker.io failing in 2 of 3 regions: ap-southeast-1, eu-west-1. RATE_LIMITED: the registry refused the manifest request',
          '',
          '*hub-alpine* `docker.io/library/alpine:latest`',
          '*Scope:* failing in 2 of 3 regions: ap-southeast-1, eu-west-1',
          '*Since:* 2026-11-22 10:00 UTC, 1 failed run in a row',
          '*Diagnosis:* `RATE_LIMITED` — RATE_LIMITED: the registry refused the manifest request',
          '*Evidence:*',
          '• `GET https://registry-1.docker.io/v2/library/alpine/manifests/latest -> 429`',
          '• `ratelimit-remaining: 0;w=21600`',
          '*Rate limit:* ap-southeast-1: 0 of 100 pulls left, counted against 198.51.100.20; eu-west-1: 0 of 100 pulls left, counted against 203.0.113.7; us-east-1: 76 of 100 pulls left, counted against 192.0.2.30',
          '*Runbook:* https://example.com/runbooks/RATE_LIMITED.md',
          '',
          `*Dashboard:* ${DASHBOARD}`,
        ].join('\n'),
        nextSteps: [
          'Authenticate pulls with a Docker Hub account',
          'Use a pull-through cache',
          'Follow the runbook: https://example.com/runbooks/RATE_LIMITED.md',
        ],
        keywords: ['ALARM', 'registry-1.docker.io', 'RATE_LIMITED', 'ap-southeast-1', 'eu-west-1'],
      },
      metadata: {
        threadId,
        summary: title,
        eventType: 'RegistryCanaryIncidentOpened',
        relatedResources: [
          'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:registry-canary-hub-alpine-failing',
        ],
        additionalContext: {
          registry: 'registry-1.docker.io',
          status: 'ALARM',
          openedAt: iso(9),
          failingTargets: '1',
          diagnosis: 'RATE_LIMITED',
        },
      },
    });

    expect(email).toBe(
      [
        title,
        '='.repeat(72),
        '',
        'hub-alpine of registry-1.docker.io failing in 2 of 3 regions: ap-southeast-1, eu-west-1. RATE_LIMITED: the registry refused the manifest request',
        '',
        'Status:     ALARM',
        'Registry:   registry-1.docker.io',
        'Opened:     2026-11-22 10:09 UTC',
        `Dashboard:  ${DASHBOARD}`,
        '',
        'FAILING (1)',
        '',
        '* hub-alpine (docker.io/library/alpine:latest)',
        '    Where:      failing in 2 of 3 regions: ap-southeast-1, eu-west-1',
        '    Since:      2026-11-22 10:00 UTC (1 failed run in a row)',
        '    Diagnosis:  RATE_LIMITED - RATE_LIMITED: the registry refused the manifest request',
        '    Alarm:      Threshold Crossed: 2 out of the last 3 datapoints were less than the threshold (1.0).',
        '    Rate limit: ap-southeast-1: 0 of 100 pulls left, counted against 198.51.100.20',
        '                eu-west-1: 0 of 100 pulls left, counted against 203.0.113.7',
        '                us-east-1: 76 of 100 pulls left, counted against 192.0.2.30',
        '    Evidence:',
        '      - GET https://registry-1.docker.io/v2/library/alpine/manifests/latest -> 429',
        '      - ratelimit-remaining: 0;w=21600',
        '    Next steps:',
        '      1. Authenticate pulls with a Docker Hub account',
        '      2. Use a pull-through cache',
        '    Runbook:    https://example.com/runbooks/RATE_LIMITED.md',
        '',
        '--',
        `Incident thread: ${threadId}`,
        'Sent by registry-canary at 2026-11-22 10:10 UTC',
      ].join('\n'),
    );

    expect(lambda).toMatchObject({
      kind: 'registry-canary-alert',
      version: 1,
      alert: { kind: 'opened', threadId },
    });
    expect(await getIncident(db, table, 'registry-1.docker.io')).toMatchObject({
      open: true,
      threadId,
      openedAt: iso(9),
      alarms: { 'hub-alpine': ['registry-canary-hub-alpine-failing'] },
      version: 1,
    });
  });

  it('groups thirty targets of one registry failing together into one message and one thread', async () => {
    const targets = Array.from({ length: 30 }, (_, i) => `hub-image-${String(i).padStart(2, '0')}`);
    for (const region of REGIONS) {
      await probe(
        region,
        targets.map((target) => ({ target, result: failingResult('REGISTRY_UNAVAILABLE') })),
      );
    }
    const records = targets.map((target) =>
      alarmRecord({
        alarmName: `registry-canary-${target}-outage`,
        target,
        state: 'ALARM',
        at: iso(1),
        metricMath: true,
      }),
    );

    const response = await handleAlarmBatch(records, deps());

    expect(response.batchItemFailures).toEqual([]);
    expect(published()).toHaveLength(1);
    const { chatbot, email } = parsed(published()[0]!);
    expect(chatbot.content.title).toBe(
      ':rotating_light: ALARM registry-1.docker.io: 30 targets failing in all 3 regions (REGISTRY_UNAVAILABLE)',
    );
    expect(chatbot.metadata.additionalContext.failingTargets).toBe('30');
    // Three targets in full, the other 27 on one line each: every target is named, none dropped.
    for (const target of targets) expect(chatbot.content.description).toContain(`*${target}*`);
    expect(email).toContain('FAILING (30)');
    expect(chatbot.metadata.relatedResources).toHaveLength(30);
  });

  it('sends one message for a burst split across two batches seconds apart, and the held-back update once, later', async () => {
    // 60 targets with two alarms each: 120 records, more than one batch of 100.
    const targets = Array.from({ length: 60 }, (_, i) => `hub-image-${String(i).padStart(2, '0')}`);
    for (const region of REGIONS) {
      await probe(
        region,
        targets.map((target) => ({ target, result: failingResult('REGISTRY_UNAVAILABLE') })),
      );
    }
    const records = targets.flatMap((target) =>
      ['failing', 'outage'].map((kind) =>
        alarmRecord({ alarmName: `registry-canary-${target}-${kind}`, target, state: 'ALARM', at: iso(1) }),
      ),
    );
    vi.setSystemTime(at(2));
    expect((await handleAlarmBatch(records.slice(0, 100), deps())).batchItemFailures).toEqual([]);
    vi.setSystemTime(new Date(at(2).getTime() + 5_000));
    expect((await handleAlarmBatch(records.slice(100), deps())).batchItemFailures).toEqual([]);

    expect(published()).toHaveLength(1);
    const opened = parsed(published()[0]!);
    expect(opened.chatbot.metadata.eventType).toBe('RegistryCanaryIncidentOpened');
    expect(opened.chatbot.metadata.additionalContext.failingTargets).toBe('50');
    const held = await getIncident(db, table, 'registry-1.docker.io');
    expect(Object.keys(held?.alarms ?? {})).toHaveLength(60);
    expect(held?.pending).toMatchObject({ event: 'updated', joined: targets.slice(50) });

    // Inside the window the sweep leaves it; after it, the sweep sends it, once.
    vi.setSystemTime(at(3));
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 0 });
    vi.setSystemTime(at(5));
    expect(await sweep(deps())).toEqual({ updates: 1, reminders: 0 });
    vi.setSystemTime(at(10));
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 0 });

    expect(published()).toHaveLength(2);
    const update = parsed(published()[1]!);
    expect(update.chatbot.metadata.eventType).toBe('RegistryCanaryIncidentUpdated');
    expect(update.chatbot.metadata.threadId).toBe(opened.chatbot.metadata.threadId);
    expect(update.chatbot.content.title).toBe(
      ':rotating_light: ALARM update registry-1.docker.io: 60 targets failing in all 3 regions (REGISTRY_UNAVAILABLE)',
    );
    // The held-back alarms' ARNs, kept in the incident, not the whole burst again.
    expect(update.chatbot.metadata.relatedResources).toHaveLength(20);
    expect(await getIncident(db, table, 'registry-1.docker.io')).toMatchObject({
      pending: null,
      lastNotifiedAt: iso(5),
    });
  });

  it('lets only one of two pollers racing on a registry send the opening', async () => {
    const targets = ['a', 'b', 'c', 'd'];
    await probe(
      'eu-west-1',
      targets.map((target) => ({ target, result: failingResult('TIMEOUT') })),
    );
    const record = (target: string) =>
      alarmRecord({ alarmName: `${target}-failing`, target, state: 'ALARM', at: iso(0) });

    const responses = await Promise.all([
      handleAlarmBatch([record('a'), record('b')], deps()),
      handleAlarmBatch([record('c'), record('d')], deps()),
    ]);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(published().map((p) => parsed(p).chatbot.metadata.eventType)).toEqual([
      'RegistryCanaryIncidentOpened',
    ]);
    const incident = await getIncident(db, table, 'registry-1.docker.io');
    expect(Object.keys(incident?.alarms ?? {}).sort()).toEqual(targets);
    expect(incident?.pending?.event).toBe('updated');
  });

  it('sends a held-back update with the next batch after the window instead of waiting for the sweep', async () => {
    await probe('eu-west-1', [
      { target: 'a', result: failingResult('TIMEOUT') },
      { target: 'b', result: failingResult('TIMEOUT') },
      { target: 'c', result: failingResult('TIMEOUT') },
    ]);
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'ALARM', at: iso(0) })],
      deps(),
    );
    vi.setSystemTime(new Date(at(0).getTime() + 10_000));
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'b-failing', target: 'b', state: 'ALARM', at: iso(0) })],
      deps(),
    );
    vi.setSystemTime(at(3));
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'c-failing', target: 'c', state: 'ALARM', at: iso(3) })],
      deps(),
    );

    const messages = published().map(parsed);
    expect(messages.map((m) => m.chatbot.metadata.eventType)).toEqual([
      'RegistryCanaryIncidentOpened',
      'RegistryCanaryIncidentUpdated',
    ]);
    // One update for both b (held) and c (this batch).
    expect(messages[1]!.lambda.alert.failing.map((t: { target: string }) => t.target).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(messages[1]!.chatbot.metadata.relatedResources).toEqual([
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:b-failing',
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:c-failing',
    ]);
  });

  it('keeps one thread for an update, stays silent on a partial clear, and closes with the duration', async () => {
    await probe('eu-west-1', [
      { target: 'a', result: failingResult('TIMEOUT') },
      { target: 'b', result: failingResult('TIMEOUT') },
    ]);
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'ALARM', at: iso(0) })],
      deps(),
    );
    vi.setSystemTime(at(5));
    await handleAlarmBatch(
      [
        alarmRecord({ alarmName: 'b-failing', target: 'b', state: 'ALARM', at: iso(5) }),
        alarmRecord({ alarmName: 'a-outage', target: 'a', state: 'ALARM', at: iso(5) }),
      ],
      deps(),
    );
    vi.setSystemTime(at(20));
    // One of a's two alarms clears: a is still failing, nothing to say.
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'a-outage', target: 'a', state: 'OK', at: iso(20) })],
      deps(),
    );
    vi.setSystemTime(at(72));
    await probe('eu-west-1', [
      { target: 'a', result: healthyResult() },
      { target: 'b', result: healthyResult() },
    ]);
    await handleAlarmBatch(
      [
        alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'OK', at: iso(72) }),
        alarmRecord({ alarmName: 'b-failing', target: 'b', state: 'OK', at: iso(72) }),
      ],
      deps(),
    );

    const messages = published().map(parsed);
    expect(messages.map((m) => m.chatbot.metadata.eventType)).toEqual([
      'RegistryCanaryIncidentOpened',
      'RegistryCanaryIncidentUpdated',
      'RegistryCanaryIncidentRecovered',
    ]);
    expect(new Set(messages.map((m) => m.chatbot.metadata.threadId)).size).toBe(1);
    const recovery = messages[2]!;
    expect(recovery.chatbot.content.title).toBe(
      ':white_check_mark: OK registry-1.docker.io: recovered after 1h 12m',
    );
    expect(recovery.chatbot.content.description).toContain('*Recovered:* a, b');
    expect(recovery.email).toContain('Lasted:     1h 12m');
    expect(recovery.chatbot.content.nextSteps).toBeUndefined();
    expect(await getIncident(db, table, 'registry-1.docker.io')).toMatchObject({
      open: false,
      closedAt: iso(72),
    });
  });

  it("posts the notifier's own published messages to a Slack webhook as Block Kit, opening to recovery", async () => {
    await probe('eu-west-1', [{ target: 'hub-alpine', result: failingResult('RATE_LIMITED') }]);
    await probe('ap-southeast-1', [{ target: 'hub-alpine', result: failingResult('RATE_LIMITED') }]);
    await probe('us-east-1', [{ target: 'hub-alpine', result: healthyResult() }]);
    vi.setSystemTime(at(10));
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'hub-alpine-failing', target: 'hub-alpine', state: 'ALARM', at: iso(9) })],
      deps(),
    );
    vi.setSystemTime(at(40));
    for (const region of REGIONS) await probe(region, [{ target: 'hub-alpine', result: healthyResult() }]);
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'hub-alpine-failing', target: 'hub-alpine', state: 'OK', at: iso(40) })],
      deps(),
    );

    const delivered = await deliverToSlack(published().map(lambdaDelivery), {
      webhookUrl: async () => slackUrl,
      logger: { info: () => {}, warn: () => {} },
    });

    expect(delivered).toBe(2);
    expect(slackPosts).toHaveLength(2);
    const [opening, recovery] = slackPosts as [SlackMessage, SlackMessage];
    const threadId = `registry-canary/registry-1.docker.io/${iso(9)}`;
    const title =
      'ALARM registry-1.docker.io: hub-alpine failing in 2 of 3 regions: ap-southeast-1, eu-west-1 (RATE_LIMITED)';
    expect(opening.text).toBe(title);
    expect(opening.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'divider',
      'section',
      'context',
    ]);
    expect(opening.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: title, emoji: true },
    });
    expect((opening.blocks[4]?.['text'] as { text: string } | undefined)?.text).toBe(
      [
        '*hub-alpine* `docker.io/library/alpine:latest`',
        '*Scope:* failing in 2 of 3 regions: ap-southeast-1, eu-west-1',
        '*Since:* 2026-11-22 10:00 UTC',
        '*Diagnosis:* `RATE_LIMITED` — RATE_LIMITED: the registry refused the manifest request',
        '*Rate limit:* ap-southeast-1: 0 of 100 pulls left, counted against 203.0.113.7; eu-west-1: 0 of 100 pulls left, counted against 203.0.113.7; us-east-1: 76 of 100 pulls left, counted against 203.0.113.7',
        '*Evidence:*',
        '• `GET https://registry-1.docker.io/v2/library/alpine/manifests/latest -&gt; 429`',
        '• `ratelimit-remaining: 0;w=21600`',
        '*Next steps:*',
        '1. Authenticate pulls with a Docker Hub account',
        '2. Use a pull-through cache',
        '<https://example.com/runbooks/RATE_LIMITED.md|Runbook for RATE_LIMITED>',
      ].join('\n'),
    );
    expect(opening.blocks[5]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `<${DASHBOARD}|Dashboard>  ·  Thread ${threadId}` }],
    });
    expect(recovery.text).toBe('OK registry-1.docker.io: recovered after 31m');
    expect(JSON.stringify(recovery.blocks)).toContain('*Recovered:* hub-alpine');
    expect(JSON.stringify(recovery.blocks)).toContain('*Lasted* 31m');
  });

  it('reminds once per reminder period about an incident that stays open', async () => {
    await probe('eu-west-1', [{ target: 'a', result: failingResult('DNS_FAILURE') }]);
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'ALARM', at: iso(0) })],
      deps(),
    );

    // The probe keeps writing while the target fails, so the reminder has fresh evidence.
    const remindAt = async (minutes: number) => {
      vi.setSystemTime(at(minutes));
      await probe('eu-west-1', [{ target: 'a', result: failingResult('DNS_FAILURE') }]);
      return (await sweep(deps())).reminders;
    };
    expect(await remindAt(59)).toBe(0);
    expect(await remindAt(61)).toBe(1);
    expect(await remindAt(90)).toBe(0);
    expect(await remindAt(125)).toBe(1);

    const reminders = published().slice(1).map(parsed);
    expect(reminders.map((m) => m.chatbot.content.title)).toEqual([
      ':rotating_light: STILL FAILING after 1h 1m registry-1.docker.io: a failing in 1 of 3 regions: eu-west-1 (DNS_FAILURE)',
      ':rotating_light: STILL FAILING after 2h 5m registry-1.docker.io: a failing in 1 of 3 regions: eu-west-1 (DNS_FAILURE)',
    ]);
    expect(reminders[0]!.chatbot.metadata.eventType).toBe('RegistryCanaryIncidentReminder');
    expect(reminders[1]!.chatbot.content.description).toContain(
      '*Since:* 2026-11-22 10:00 UTC, 5 failed runs in a row',
    );
    expect(reminders[1]!.email).toContain('Open for:   2h 5m');
  });

  it('fails the sweep when a reminder cannot be published, and sends it once on the retry', async () => {
    await probe('eu-west-1', [{ target: 'a', result: failingResult('DNS_FAILURE') }]);
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'ALARM', at: iso(0) })],
      deps(),
    );
    vi.setSystemTime(at(61));
    sns.on(PublishCommand).rejects(new Error('SNS is down'));

    // Thrown, so Lambda retries the scheduled invocation and, in the end, sends it to the DLQ.
    await expect(sweep(deps())).rejects.toThrow('notifier sweep: 1 registry failed: registry-1.docker.io');
    expect(await getIncident(db, table, 'registry-1.docker.io')).toMatchObject({ lastRemindedAt: null });

    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 1 });
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 0 });
    const kinds = published().map((p) => parsed(p).chatbot.metadata.eventType);
    // opened, the failed reminder, the reminder that went out.
    expect(kinds).toEqual([
      'RegistryCanaryIncidentOpened',
      'RegistryCanaryIncidentReminder',
      'RegistryCanaryIncidentReminder',
    ]);
  });

  it('sends no reminder for an incident that recovered between the sweep reading it and claiming it', async () => {
    await probe('eu-west-1', [{ target: 'a', result: failingResult('DNS_FAILURE') }]);
    await handleAlarmBatch(
      [alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'ALARM', at: iso(0) })],
      deps(),
    );
    vi.setSystemTime(at(61));
    // The sweep gets its own client, so the recovery can be slipped in right before its first write.
    const sweepDb = createStateClient({ region: 'eu-west-1', endpoint });
    let raced = false;
    sweepDb.middlewareStack.add(
      (next, context) => async (args) => {
        if (!raced && context.commandName === 'UpdateItemCommand') {
          raced = true;
          await handleAlarmBatch(
            [alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'OK', at: iso(61) })],
            deps(),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'recoverBeforeTheClaim' },
    );

    const result = await sweep({ ...deps(), db: sweepDb });
    sweepDb.destroy();

    expect(raced).toBe(true);
    expect(result).toEqual({ updates: 0, reminders: 0 });
    expect(published().map((p) => parsed(p).chatbot.metadata.eventType)).toEqual([
      'RegistryCanaryIncidentOpened',
      'RegistryCanaryIncidentRecovered',
    ]);
  });

  it('reports the batch items of a registry whose alert could not be published, and sends it on the retry', async () => {
    await probe('eu-west-1', [{ target: 'a', result: failingResult('TIMEOUT') }]);
    sns.on(PublishCommand).rejectsOnce(new Error('SNS is down')).resolves({ MessageId: 'm-2' });
    const record = alarmRecord({ alarmName: 'a-failing', target: 'a', state: 'ALARM', at: iso(0) });

    const first = await handleAlarmBatch([record], deps());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    // The claim was written before the publish; the failed publish put the opening back as pending.
    expect(await getIncident(db, table, 'registry-1.docker.io')).toMatchObject({
      open: true,
      pending: { event: 'opened', joined: ['a'] },
    });

    const retry = await handleAlarmBatch([record], deps());
    expect(retry.batchItemFailures).toEqual([]);
    expect(published()).toHaveLength(2);
    expect(parsed(published()[1]!).chatbot.metadata.eventType).toBe('RegistryCanaryIncidentOpened');
    expect(await getIncident(db, table, 'registry-1.docker.io')).toMatchObject({ pending: null });
  });

  it('sends an unreadable message to the dead-letter path instead of dropping it silently', async () => {
    const bad = { ...alarmRecord({ alarmName: 'x', state: 'ALARM', at: iso(0) }), body: 'not json' };
    const response = await handleAlarmBatch([bad], deps());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(logs.some((l) => l.level === 'error' && l.message === 'unreadable alarm message')).toBe(true);
  });

  it('groups a target with no state row yet under the registry the synth named for it', async () => {
    for (const region of REGIONS) {
      await probe(region, [{ target: 'hub-alpine', result: failingResult('REGISTRY_UNAVAILABLE') }]);
    }
    // hub-new was just added: its probes have not reached the table, so only the map knows its registry.
    const records = ['hub-alpine', 'hub-new'].map((target) =>
      alarmRecord({ alarmName: `registry-canary-${target}-failing`, target, state: 'ALARM', at: iso(1) }),
    );

    const response = await handleAlarmBatch(records, {
      ...deps(),
      targetRegistries: new Map([
        ['hub-alpine', 'registry-1.docker.io'],
        ['hub-new', 'registry-1.docker.io'],
      ]),
    });

    expect(response.batchItemFailures).toEqual([]);
    expect(published()).toHaveLength(1);
    const { chatbot } = parsed(published()[0]!);
    expect(chatbot.content.title).toMatch(/^:rotating_light: ALARM registry-1\.docker\.io: 2 targets /);
    expect(chatbot.content.description).toContain('*hub-new*');
  });

  it('still alerts on an alarm that names no target, under its own name', async () => {
    await handleAlarmBatch(
      [
        alarmRecord({
          alarmName: 'registry-canary-probe-dlq',
          state: 'ALARM',
          at: iso(0),
          description: 'Probe DLQ has messages',
        }),
      ],
      deps(),
    );
    const { chatbot } = parsed(published()[0]!);
    expect(chatbot.content.title).toBe(
      ':rotating_light: ALARM registry-canary-probe-dlq: registry-canary-probe-dlq (no recent probe results)',
    );
  });
});
