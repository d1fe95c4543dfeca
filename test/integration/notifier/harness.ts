/**
 * What the notifier's end-to-end tests share: probe results written to a DynamoDB-compatible table
 * (dynalite on loopback) by the probe's own writer, CloudWatch alarm state changes (named by the
 * alarm catalog, shaped as CloudWatch sends them) as SNS envelopes in SQS records, the SNS publishes
 * (one per format's topic, alert-topics.ts) captured with aws-sdk-client-mock, each checked to be a
 * String message with the routing attributes, and the Slack webhook subscriber posting to a webhook on
 * loopback. The clock is vitest's fake Date. After every test, every output (published messages,
 * Slack posts, log lines) is scanned for the test's credentials.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SNSEventRecord, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import type { DiagnosisCode } from '../../../functions/probe/codes.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { type AlarmKind, alarmName } from '../../../functions/publish/alarm-catalog.ts';
import {
  ALERT_TOPIC_NAMES,
  type AlertTopic,
  type AlertTopicArns,
} from '../../../functions/publish/notification/alert-topics.ts';
import type { ChatbotNotification } from '../../../functions/publish/notification/chatbot.ts';
import type { Alert } from '../../../functions/publish/notification/model.ts';
import type { NotifierDeps } from '../../../functions/publish/notification/notifier.ts';
import { MAX_SMS_CHARS, SMS_PREFIX } from '../../../functions/publish/notification/short-text.ts';
import {
  blockText,
  MAX_BLOCKS,
  MAX_BLOCKS_TEXT_CHARS,
  MAX_HEADER_CHARS,
  MAX_SECTION_CHARS,
  type SlackMessage,
} from '../../../functions/publish/notification/slack.ts';
import { deliverToSlack } from '../../../functions/publish/notification/slack-delivery.ts';
import { recordResults } from '../../../functions/publish/state.ts';
import { createStateClient } from '../../../functions/publish/state-client.ts';
import { alarmRecord } from '../../unit/publish/notification/alarm-fixtures.ts';
import { failingResult, healthyResult } from '../../unit/publish/state-fixtures.ts';
import { createStateTable } from '../harness/state-table.ts';

process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';

/** One topic per format, as the alerting construct makes them. */
export const TOPICS: AlertTopicArns = Object.fromEntries(
  ALERT_TOPIC_NAMES.map((format) => [format, `arn:aws:sns:eu-west-1:123456789012:registry-canary-${format}`]),
) as Record<AlertTopic, string>;
const FORMAT_OF_TOPIC = new Map(ALERT_TOPIC_NAMES.map((format) => [TOPICS[format], format]));
export const REGIONS = ['ap-southeast-1', 'eu-west-1', 'us-east-1'];
export const DASHBOARD =
  'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/RegistryCanary';
export const T0 = new Date('2026-11-22T10:00:00.000Z');
export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
export const iso = (minutes: number) => at(minutes).toISOString();

/** Credentials the test holds; none may appear in any output (issue 11, "no secret in any message"). */
export const SECRETS = {
  slackBotToken: 'xoxb-1111111111-2222222222-SlackBotTokenDoNotLeak',
  pagerDutyRoutingKey: 'R0UT1NGKEYD0N0TLEAK0123456789abc',
  webhookToken: 'XoxbWebhookTokenDoNotLeak42',
  registryPassword: 'hunter2-registry-password',
  bearer: 'eyJhbGciOiJSUzI1NiJ9.secret-bearer-token',
};

export const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
export const FLEET: Record<string, { registry: string; ref: string; owner: string }> = {
  'hub-alpine': { registry: 'registry-1.docker.io', ref: 'docker.io/library/alpine:3.20', owner: 'platform' },
  'hub-nginx': { registry: 'registry-1.docker.io', ref: 'docker.io/library/nginx:1.27', owner: 'platform' },
  'hub-redis': { registry: 'registry-1.docker.io', ref: 'docker.io/library/redis:7', owner: 'data' },
  'ghcr-app': { registry: 'ghcr.io', ref: 'ghcr.io/acme/app:2.3.1', owner: 'payments' },
  'quay-tool': { registry: 'quay.io', ref: 'quay.io/acme/tool:1.0', owner: 'platform' },
  'ecr-api': {
    registry: ECR,
    ref: `${ECR}/payments/api-service-with-a-long-name:release-2026-11`,
    owner: 'payments',
  },
  'private-web': {
    registry: 'registry.internal.example.com:5000',
    ref: 'registry.internal.example.com:5000/web:1',
    owner: 'web',
  },
};

let server: ReturnType<typeof dynalite>;
let tableCounter = 0;
let slack: Server;
let slackUrl: string;
export const sns = mockClient(SNSClient);
/** Every log line the notifier (and any subscriber the test runs) wrote in this test. */
export const logs: string[] = [];
/** Other outputs a test produces (requests a subscriber sent, minus the credential's own field; errors): scanned too. */
export const outputs: string[] = [];
const slackPosts: SlackMessage[] = [];
/** The table of this test, on dynalite; its client; dynalite's endpoint. */
export const h = {
  db: undefined as unknown as DynamoDBDocumentClient,
  table: '',
  endpoint: '',
};

/** Registers the hooks: dynalite and a Slack webhook on loopback, a fresh table, fake Date, the secret scan. */
export function useNotifierHarness(): void {
  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    h.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h.db = createStateClient({ region: 'eu-west-1', endpoint: h.endpoint });
    slack = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      slackPosts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackMessage);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0000/B0000/${SECRETS.webhookToken}`;
  });

  afterAll(async () => {
    h.db?.destroy();
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
    outputs.length = 0;
    slackPosts.length = 0;
    h.table = `notifier-${++tableCounter}`;
    await createStateTable(h.endpoint, h.table);
  });

  afterEach(() => {
    vi.useRealTimers();
    // No secret in any output, in every scenario: published messages, Slack posts, log lines.
    const all = [
      ...outputs,
      ...sns.commandCalls(PublishCommand).map((c) => JSON.stringify(c.args[0].input)),
      ...slackPosts.map((p) => JSON.stringify(p)),
      ...logs,
    ].join('\n');
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
  });
}

export function deps(extra: Partial<NotifierDeps> = {}): NotifierDeps {
  const log =
    (level: string) =>
    (message: string, ...rest: unknown[]) => {
      logs.push(`${level} ${message} ${JSON.stringify(rest)}`);
    };
  return {
    db: h.db,
    sns: new SNSClient({ region: 'eu-west-1' }),
    table: h.table,
    topicArns: TOPICS,
    alert: {
      expectedRegions: REGIONS,
      staleAfterMs: 40 * 60_000,
      dashboardUrl: DASHBOARD,
      runbookBaseUrl: 'https://example.com/runbooks',
    },
    reminderMinutes: 60,
    holdBackMs: 120_000,
    targetRegistries: new Map(Object.entries(FLEET).map(([t, f]) => [t, f.registry])),
    targetOwners: new Map(Object.entries(FLEET).map(([t, f]) => [t, f.owner])),
    clock: () => new Date(),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    ...extra,
  };
}

export function result(target: string, overrides: Partial<ProbeResult> = {}): ProbeResult {
  const f = FLEET[target] ?? { registry: 'registry-1.docker.io', ref: `docker.io/library/${target}:latest` };
  return healthyResult({ registry: f.registry, ref: f.ref, ...overrides });
}

export function failing(
  target: string,
  code: DiagnosisCode,
  overrides: Partial<ProbeResult> = {},
): ProbeResult {
  const f = FLEET[target] ?? { registry: 'registry-1.docker.io', ref: `docker.io/library/${target}:latest` };
  const base = failingResult(code, { registry: f.registry, ref: f.ref, ...overrides });
  if (overrides.diagnosis) return base;
  return {
    ...base,
    diagnosis: base.diagnosis && {
      ...base.diagnosis,
      summary: `${code}: ${f.registry} answered so`,
      evidence: [
        `GET https://${f.registry}/v2/${f.ref.split('/').slice(1).join('/').split(':')[0]}/manifests/x -> ${code}`,
      ],
      nextSteps: [`curl -sI https://${f.registry}/v2/`],
      runbook: `https://example.com/runbooks/${code}.md`,
    },
  };
}

export async function probe(region: string, results: Record<string, ProbeResult>) {
  const summary = await recordResults(
    Object.entries(results).map(([target, r]) => ({ target, result: r })),
    { region, now: new Date(), table: h.table, client: h.db },
  );
  expect(summary.ok).toBe(true);
}

export function alarm(
  kind: AlarmKind,
  subject: string,
  state: 'ALARM' | 'OK',
  minutes: number,
  target?: string,
): SQSRecord {
  return alarmRecord({
    alarmName: alarmName(kind, subject),
    ...(target ? { target } : {}),
    state,
    at: iso(minutes),
    description: `What it means. ${target ? `Owner: ${FLEET[target]?.owner}. ` : ''}Runbook: https://example.com/runbooks/README.md`,
  });
}

export const failingAlarm = (target: string, state: 'ALARM' | 'OK', minutes: number) =>
  alarm('FailingInAnyRegion', target, state, minutes, target);

export interface Sent {
  /** Each format's publish, from its topic. */
  inputs: Record<AlertTopic, PublishCommandInput>;
  subject: string;
  /** The attributes, the same on every format's publish. */
  attributes: Record<string, string>;
  chatbot: ChatbotNotification;
  email: string;
  sms: string;
  https: string;
  alert: Alert;
  slack: SlackMessage;
}

/**
 * Every alert published so far: its publishes, one per format's topic. The notifier publishes an
 * alert's formats together, so the calls come in runs of one per topic; each run must name every
 * topic once, be a String message (no MessageStructure: attributes are sent only with String
 * messages, docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html), and carry the same
 * attributes on every publish.
 */
export function publishedAlerts(): Record<AlertTopic, PublishCommandInput>[] {
  const calls = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  expect(calls.length % ALERT_TOPIC_NAMES.length).toBe(0);
  const alerts: Record<AlertTopic, PublishCommandInput>[] = [];
  for (let i = 0; i < calls.length; i += ALERT_TOPIC_NAMES.length) {
    const run = calls.slice(i, i + ALERT_TOPIC_NAMES.length);
    const byFormat = Object.fromEntries(
      run.map((input) => [FORMAT_OF_TOPIC.get(input.TopicArn ?? '') ?? `unknown ${input.TopicArn}`, input]),
    );
    expect(Object.keys(byFormat).sort()).toEqual([...ALERT_TOPIC_NAMES].sort());
    for (const input of run) {
      expect(input.MessageStructure).toBeUndefined();
      expect(input.MessageAttributes).toEqual(run[0]?.MessageAttributes);
      expect(Object.keys(input.MessageAttributes ?? {}).sort()).toEqual([
        'cause',
        'event',
        'owner',
        'region',
        'registry',
        'severity',
      ]);
    }
    alerts.push(byFormat as Record<AlertTopic, PublishCommandInput>);
  }
  return alerts;
}

/** What SNS hands each Lambda subscriber for every alert published so far: the payload topic's messages. */
export function lambdaRecords(): SNSEventRecord[] {
  return publishedAlerts().map((inputs) => lambdaDelivery(inputs.payload));
}

/** Every alert published so far, as each channel sees it (the Slack one rendered by the real subscriber). */
export async function sent(): Promise<Sent[]> {
  const out: Sent[] = [];
  for (const inputs of publishedAlerts()) {
    slackPosts.length = 0;
    await deliverToSlack([lambdaDelivery(inputs.payload)], {
      webhookUrl: async () => slackUrl,
      logger: { info: () => {}, warn: () => {} },
    });
    out.push({
      inputs,
      subject: inputs.email.Subject ?? '',
      attributes: Object.fromEntries(
        Object.entries(inputs.email.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
      ),
      chatbot: JSON.parse(inputs.chat.Message ?? '') as ChatbotNotification,
      email: inputs.email.Message ?? '',
      sms: inputs.sms.Message ?? '',
      https: inputs.https.Message ?? '',
      alert: (JSON.parse(inputs.payload.Message ?? '') as { alert: Alert }).alert,
      slack: slackPosts[0] as SlackMessage,
    });
  }
  return out;
}

/** The SNS record a Lambda subscriber of the payload topic gets for `input`, attributes included. */
export function lambdaDelivery(input: PublishCommandInput): SNSEventRecord {
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPICS.payload}:sub`,
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: new Date().toISOString(),
      Signature: '',
      SigningCertUrl: '',
      MessageId: 'sns-1',
      Message: input.Message ?? '',
      MessageAttributes: Object.fromEntries(
        Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { Type: v.DataType ?? 'String', Value: v.StringValue ?? '' },
        ]),
      ),
      Type: 'Notification',
      UnsubscribeUrl: '',
      TopicArn: input.TopicArn ?? TOPICS.payload,
      Subject: input.Subject ?? '',
    },
  };
}

/**
 * With ALERT_EXAMPLES_DIR set, writes what each channel got for `name` there (docs/alerts.md's
 * examples are taken from these, so the docs show what the code sends).
 */
export function saveExample(name: string, message: Sent): void {
  const dir = process.env['ALERT_EXAMPLES_DIR'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.txt`),
    [
      `SUBJECT: ${message.subject}`,
      `ATTRIBUTES: ${JSON.stringify(message.attributes)}`,
      `SMS: ${message.sms}`,
      '--- EMAIL ---',
      message.email,
      '--- HTTPS ---',
      message.https,
      '--- AMAZON Q ---',
      JSON.stringify(message.chatbot, null, 2),
      '--- SLACK ---',
      JSON.stringify(message.slack, null, 2),
    ].join('\n'),
  );
}

/** Every channel's limits, on every message. */
export function expectWithinLimits(message: Sent) {
  // SNS: 256 KB (262,144 bytes) per publish, attributes included (SNS Publish API, Message).
  for (const input of Object.values(message.inputs))
    expect(Buffer.byteLength(input.Message ?? '')).toBeLessThanOrEqual(262_144);
  // SNS email Subject: "less than 100 characters", no line breaks (SNS Publish API, Subject).
  expect(message.subject.length).toBeLessThan(100);
  expect(message.subject).toMatch(/^[\x20-\x7E]+$/);
  // One SMS: 140 ASCII characters, the topic's "CANARY> " prefix included (sms_publish-to-phone.html, sms_publish-to-topic.html).
  expect(message.sms.length).toBeLessThanOrEqual(MAX_SMS_CHARS);
  expect(`${SMS_PREFIX}${message.sms}`.length).toBeLessThanOrEqual(140);
  // Slack Block Kit: 50 blocks, header plain_text 150, section text 3,000 (docs.slack.dev block reference).
  expect(message.slack.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  // Block text in all: chat.postMessage answers msg_blocks_too_long from about 13,200 (slackapi/bolt-js#2509).
  expect(message.slack.blocks.reduce((n, b) => n + blockText(b).length, 0)).toBeLessThanOrEqual(
    MAX_BLOCKS_TEXT_CHARS,
  );
  for (const block of message.slack.blocks) {
    // A context block holds at most 10 elements (docs.slack.dev, ContextBlock).
    if (block.type === 'context') expect((block['elements'] as unknown[]).length).toBeLessThanOrEqual(10);
    const text = (block['text'] as { text?: string } | undefined)?.text ?? '';
    if (block.type === 'header') expect(text.length).toBeLessThanOrEqual(MAX_HEADER_CHARS);
    if (block.type === 'section') expect(text.length).toBeLessThanOrEqual(MAX_SECTION_CHARS);
  }
  // The webhook cannot thread (no ts comes back): no message may claim a thread.
  expect(JSON.stringify(message.slack)).not.toMatch(/thread/i);
}
