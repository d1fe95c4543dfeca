/**
 * One delivery path for every Lambda subscriber of the payload topic (Slack webhook, Slack
 * app, PagerDuty): read each SNS record as our alert (the payload message the notifier publishes)
 * or as a plain CloudWatch alarm message (the notifier's own dead-letter alarm notifies the topic
 * directly), let the channel render it, and send it. A channel is the small interface below; the
 * loop, the parsing, the skipping and the logging are the same for all, and never log a secret
 * (channels hold theirs; errors carry a status and the service's short reason only).
 *
 * A failed send throws, so Lambda retries the asynchronous invocation and then sends it to the
 * function's dead-letter queue (the alerting construct's), whose alarm someone sees.
 */
import type { SNSEventRecord } from 'aws-lambda';
import { type Dispatcher, request } from 'undici';
import { type AlarmTransition, parseAlarmMessage } from './alarm-event.ts';
import type { Alert } from './model.ts';
import { ALERT_PAYLOAD_KIND, type AlertPayload } from './sns-message.ts';

export interface DeliveryLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
}

/** What a channel is asked to deliver: our alert, or a plain CloudWatch alarm. */
export type Deliverable = { alert: Alert; alarm?: never } | { alarm: AlarmTransition; alert?: never };

export interface AlertChannel<Message> {
  readonly name: string;
  /** The message for this channel, or null when the channel has nothing to say about it. */
  render(item: Deliverable): Message | null;
  send(message: Message, item: Deliverable): Promise<void>;
}

/** Delivers each record of an SNS event through `channel`; returns how many were sent. */
export async function deliverAll<Message>(
  records: readonly SNSEventRecord[],
  channel: AlertChannel<Message>,
  logger: DeliveryLogger,
): Promise<number> {
  let delivered = 0;
  for (const record of records) {
    const item = deliverableOf(record);
    if (!item) {
      logger.warn('neither a registry-canary alert nor a CloudWatch alarm; skipped', {
        channel: channel.name,
        messageId: record.Sns.MessageId,
      });
      continue;
    }
    const message = channel.render(item);
    if (message === null) {
      logger.info('nothing for this channel to say', { channel: channel.name, ...describe(item) });
      continue;
    }
    await channel.send(message, item);
    logger.info('alert delivered', { channel: channel.name, ...describe(item) });
    delivered += 1;
  }
  return delivered;
}

export function deliverableOf(record: SNSEventRecord): Deliverable | null {
  const payload = alertPayloadOf(record.Sns.Message);
  if (payload) return { alert: payload.alert };
  const alarm = cloudWatchAlarmOf(record.Sns.Message, new Date(record.Sns.Timestamp));
  return alarm ? { alarm } : null;
}

function describe(item: Deliverable): Record<string, string> {
  return item.alert
    ? { incidentId: item.alert.incidentId, event: item.alert.event, severity: item.alert.messageSeverity }
    : { alarm: item.alarm?.alarmName ?? '', state: item.alarm?.newState ?? '' };
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

export interface HttpDeps {
  /** For tests; by default undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** @default 5000 */
  timeoutMs?: number;
}

export interface JsonReply {
  status: number;
  /** The first 2 KB of the body: enough for a service's error, never a whole page. */
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A service answered with an error, or could not be reached. Never carries the URL or a credential. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly service: string,
    readonly status: number | null,
    readonly reason: string,
    readonly retryable: boolean,
  ) {
    super(`${service} ${status === null ? 'request failed' : `answered ${status}`}: ${reason}`);
  }
}

/** POSTs JSON; a network error becomes a DeliveryError with only its code (undici may quote the URL). */
export async function postJson(
  service: string,
  url: URL,
  body: unknown,
  headers: Record<string, string>,
  deps: HttpDeps,
): Promise<JsonReply> {
  const timeout = deps.timeoutMs ?? 5_000;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify(body),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    });
  } catch (error) {
    const code = (error as { code?: string; name?: string }).code ?? (error as Error).name;
    throw new DeliveryError(service, null, code ?? 'network error', true);
  }
  const text = (await response.body.text()).slice(0, 2_048);
  return { status: response.statusCode, body: text, headers: response.headers };
}

/** Only https, except loopback (tests): an alert and its credential never cross a network in clear. */
export function requireHttps(service: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DeliveryError(service, null, 'not a valid URL', false);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new DeliveryError(service, null, 'the URL must be https', false);
  }
  return url;
}
