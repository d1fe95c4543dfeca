/**
 * Slack webhook delivery against a real HTTP server on loopback: what is POSTed (Block Kit JSON),
 * and what happens when Slack refuses it. The webhook URL is a credential: it must never show up in
 * an error.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SNSEventRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deliverToSlack,
  parseWebhookUrl,
  SlackWebhookError,
} from '../../functions/publish/notification/slack-delivery.ts';
import { ALERT_PAYLOAD_KIND } from '../../functions/publish/notification/sns-message.ts';
import { alarmMessage } from '../unit/publish/notification/alarm-fixtures.ts';
import { alert, targetAlert } from '../unit/publish/notification/alert-fixtures.ts';

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];
let reply: { status: number; body: string } = { status: 200, body: 'ok' };

beforeAll(async () => {
  server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({
      method: request.method ?? '',
      path: request.url ?? '',
      contentType: request.headers['content-type'],
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    response.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  reply = { status: 200, body: 'ok' };
});

const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3n';
const quietLogger = { info: () => {}, warn: () => {} };

function snsRecord(message: string): SNSEventRecord {
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:notifications:sub',
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: '2026-11-22T10:05:00.000Z',
      Signature: '',
      SigningCertUrl: '',
      MessageId: 'sns-1',
      Message: message,
      MessageAttributes: {},
      Type: 'Notification',
      UnsubscribeUrl: '',
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:notifications',
      Subject: 'ALARM',
    },
  };
}

const payload = (
  failing = [
    targetAlert('alpine'),
    targetAlert('busybox', { code: 'TIMEOUT', summary: 'timed out', rateLimits: [] }),
  ],
) => JSON.stringify({ kind: ALERT_PAYLOAD_KIND, version: 2, alert: alert(failing) });

describe('Slack webhook delivery', () => {
  it('POSTs the alert as Block Kit JSON to the webhook URL from the secret', async () => {
    const delivered = await deliverToSlack([snsRecord(payload())], {
      webhookUrl: async () => JSON.stringify({ url: `${baseUrl}${SECRET_PATH}` }),
      logger: quietLogger,
    });

    expect(delivered).toBe(1);
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request).toMatchObject({
      method: 'POST',
      path: SECRET_PATH,
      contentType: 'application/json; charset=utf-8',
    });
    const body = request.body as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(body.text).toBe(
      'CRITICAL: FAILING RATE_LIMITED in all 2 regions: registry-1.docker.io (2 targets)',
    );
    expect(body.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'divider',
      'section',
      'divider',
      'section',
      'context',
    ]);
    const alpine = body.blocks[4]!.text!.text;
    expect(alpine).toContain('*alpine* `docker.io/library/alpine:latest`');
    expect(alpine).toContain('*Scope:* failing in all 2 regions: eu-west-1, us-east-1');
    expect(alpine).toContain('*Diagnosis:* `RATE_LIMITED`');
    expect(alpine).toContain('*Rate limit:* eu-west-1: 0 of 100 pulls left, counted against 203.0.113.7');
    expect(alpine).toContain('<https://example.com/runbooks/RATE_LIMITED.md|Runbook for RATE_LIMITED>');
  });

  it("posts the notifier's dead-letter alarm, a plain CloudWatch alarm message, as minimal Block Kit", async () => {
    const dlqAlarm = alarmMessage({
      alarmName: 'RegistryCanary-Home-AlertingDeadLettersAlarm6CD9EC46',
      state: 'ALARM',
      at: '2026-11-22T10:04:00.000Z',
      reason:
        'Threshold Crossed: 1 datapoint [3.0 (22/11/26 10:03:00)] was greater than the threshold (0.0).',
      description:
        'registry-canary could not turn some alarms into alerts. Runbook: https://example.com/runbooks/NOTIFIER_DLQ.md',
    });

    const delivered = await deliverToSlack([snsRecord(JSON.stringify(dlqAlarm))], {
      webhookUrl: async () => `${baseUrl}${SECRET_PATH}`,
      logger: quietLogger,
    });

    expect(delivered).toBe(1);
    expect(received[0]?.body).toEqual({
      text: 'ALARM: RegistryCanary-Home-AlertingDeadLettersAlarm6CD9EC46',
      blocks: [
        {
          type: 'header',
          text: {
            type: 'plain_text',
            text: 'ALARM: RegistryCanary-Home-AlertingDeadLettersAlarm6CD9EC46',
            emoji: true,
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':rotating_light: registry-canary could not turn some alarms into alerts. Runbook: https://example.com/runbooks/NOTIFIER_DLQ.md',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Reason:* Threshold Crossed: 1 datapoint [3.0 (22/11/26 10:03:00)] was greater than the threshold (0.0).',
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: '*Since* 2026-11-22 10:04 UTC  ·  <https://example.com/runbooks/NOTIFIER_DLQ.md|Runbook>',
            },
          ],
        },
      ],
    });
  });

  it('skips SNS messages that are neither registry-canary alerts nor CloudWatch alarms', async () => {
    const delivered = await deliverToSlack([snsRecord('{"AlarmName":"raw"}'), snsRecord('hello')], {
      webhookUrl: async () => `${baseUrl}${SECRET_PATH}`,
      logger: quietLogger,
    });
    expect(delivered).toBe(0);
    expect(received).toHaveLength(0);
  });

  it("throws Slack's reason on a refusal, without the webhook URL", async () => {
    reply = { status: 404, body: 'no_service' };
    const error = await deliverToSlack([snsRecord(payload())], {
      webhookUrl: async () => `${baseUrl}${SECRET_PATH}`,
      logger: quietLogger,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SlackWebhookError);
    expect((error as SlackWebhookError).message).toBe('Slack webhook answered 404: no_service');
    expect(String((error as Error).message)).not.toContain('s3cr3tT0k3n');
  });

  it('throws without the URL when the webhook cannot be reached', async () => {
    const error = await deliverToSlack([snsRecord(payload())], {
      webhookUrl: async () => `http://127.0.0.1:9${SECRET_PATH}`,
      logger: quietLogger,
      timeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect(
      JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack }),
    ).not.toContain('s3cr3tT0k3n');
  });

  it('refuses a plain-HTTP webhook anywhere but loopback', () => {
    expect(() => parseWebhookUrl('http://hooks.slack.com/services/x')).toThrow(/must be https/);
    expect(parseWebhookUrl('https://hooks.slack.com/services/x').host).toBe('hooks.slack.com');
  });
});
