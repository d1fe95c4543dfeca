/**
 * Delivers alerts to a Slack incoming webhook: reads the alert model from the SNS message (the
 * `lambda` entry the notifier publishes), renders Block Kit and POSTs it. A plain CloudWatch alarm
 * message (the notifier's dead-letter alarm notifies the topic directly) is posted too, minimally:
 * it is the one alert that says the notifier itself is broken.
 *
 * The webhook URL is a credential (anyone holding it can post to the channel): it lives in Secrets
 * Manager and never appears in a log line or an error message.
 */
import type { SNSEventRecord } from 'aws-lambda';
import { type Dispatcher, request } from 'undici';
import { type AlarmTransition, parseAlarmMessage } from './alarm-event.ts';
import { renderCloudWatchAlarm, renderSlack, type SlackMessage } from './slack.ts';
import { ALERT_PAYLOAD_KIND, type AlertPayload } from './sns-message.ts';

export interface SlackDeliveryDeps {
  /** The webhook URL, from Secrets Manager (cached while warm). */
  webhookUrl: () => Promise<string>;
  /** For tests; by default undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** @default 5000 */
  timeoutMs?: number;
  logger: {
    info(message: string, ...extra: unknown[]): void;
    warn(message: string, ...extra: unknown[]): void;
  };
}

/** Slack answered with an error. Carries the status and Slack's short reason, never the URL. */
export class SlackWebhookError extends Error {
  override name = 'SlackWebhookError';
  constructor(
    readonly status: number | null,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Slack webhook ${status === null ? 'request failed' : `answered ${status}`}: ${reason}`, options);
  }
}

/**
 * Posts each alert in the SNS event: our alerts and plain CloudWatch alarm messages. Anything else
 * is skipped with a warning.
 */
export async function deliverToSlack(
  records: readonly SNSEventRecord[],
  deps: SlackDeliveryDeps,
): Promise<number> {
  let delivered = 0;
  for (const record of records) {
    const payload = alertPayloadOf(record.Sns.Message);
    const alarm = payload ? null : cloudWatchAlarmOf(record.Sns.Message, new Date(record.Sns.Timestamp));
    const message = payload ? renderSlack(payload.alert) : alarm ? renderCloudWatchAlarm(alarm) : null;
    if (!message) {
      deps.logger.warn('neither a registry-canary alert nor a CloudWatch alarm; skipped', {
        messageId: record.Sns.MessageId,
      });
      continue;
    }
    await postToSlack(await deps.webhookUrl(), message, deps);
    deps.logger.info(
      'alert posted to Slack',
      payload
        ? { incidentId: payload.alert.incidentId, event: payload.alert.event }
        : { alarm: alarm?.alarmName, state: alarm?.newState },
    );
    delivered += 1;
  }
  return delivered;
}

/** The alarm in a plain CloudWatch alarm message; `sentAt` stands in for a missing StateChangeTime. */
export function cloudWatchAlarmOf(message: string, sentAt: Date): AlarmTransition | null {
  try {
    const parsed = JSON.parse(message) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const now = Number.isNaN(sentAt.getTime()) ? new Date() : sentAt;
    return parseAlarmMessage('', parsed as Record<string, unknown>, now);
  } catch {
    return null;
  }
}

export function alertPayloadOf(message: string): AlertPayload | null {
  try {
    const parsed = JSON.parse(message) as Partial<AlertPayload>;
    return parsed?.kind === ALERT_PAYLOAD_KIND && parsed.version === 2 && parsed.alert
      ? (parsed as AlertPayload)
      : null;
  } catch {
    return null;
  }
}

export async function postToSlack(
  webhookUrl: string,
  message: SlackMessage,
  deps: Pick<SlackDeliveryDeps, 'dispatcher' | 'timeoutMs'>,
): Promise<void> {
  const url = parseWebhookUrl(webhookUrl);
  const timeout = deps.timeoutMs ?? 5_000;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    });
  } catch (error) {
    // undici's message may quote the URL; keep only its code.
    const code = (error as { code?: string; name?: string }).code ?? (error as Error).name;
    throw new SlackWebhookError(null, code ?? 'network error');
  }
  const body = (await response.body.text()).slice(0, 200);
  if (response.statusCode < 200 || response.statusCode >= 300) {
    // Slack says why in a word: invalid_payload, no_service, channel_not_found, rate_limited...
    throw new SlackWebhookError(response.statusCode, body.replace(/\s+/g, ' ').trim() || 'no reason given');
  }
}

/** The secret may hold the bare URL or JSON such as {"url": "..."} / {"webhookUrl": "..."}. */
export function parseWebhookUrl(secret: string): URL {
  let candidate = secret.trim();
  if (candidate.startsWith('{')) {
    try {
      const json = JSON.parse(candidate) as Record<string, unknown>;
      candidate = String(json['webhookUrl'] ?? json['url'] ?? '');
    } catch {
      throw new SlackWebhookError(null, 'the webhook secret is neither a URL nor JSON with "url"');
    }
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new SlackWebhookError(null, 'the webhook secret does not hold a valid URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  // Over plain HTTP the alert (and the URL's token) would cross the network in clear; loopback is for tests.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SlackWebhookError(null, 'the webhook URL must be https');
  }
  return url;
}
