/**
 * The Slack incoming-webhook channel (delivery.ts): renders Block Kit (slack.ts) and POSTs it to
 * the webhook. A plain CloudWatch alarm message (the notifier's dead-letter alarm) is posted too,
 * minimally: it is the one alert that says the notifier itself is broken.
 *
 * An incoming webhook answers `ok` (or an error word) and no message `ts`
 * (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks), so it cannot thread: every
 * message stands alone. For threads, use the Slack app channel (slack-app.ts).
 *
 * The webhook URL is a credential (anyone holding it can post to the channel): it lives in Secrets
 * Manager and never appears in a log line or an error message.
 */
import type { SNSEventRecord } from 'aws-lambda';
import {
  type AlertChannel,
  DeliveryError,
  type DeliveryLogger,
  deliverAll,
  type HttpDeps,
  postJson,
  requireHttps,
} from './delivery.ts';
import { renderCloudWatchAlarm, renderSlack, type SlackMessage } from './slack.ts';

export interface SlackDeliveryDeps extends HttpDeps {
  /** The webhook URL, from Secrets Manager (cached while warm). */
  webhookUrl: () => Promise<string>;
  logger: DeliveryLogger;
}

/** Slack answered with an error. Carries the status and Slack's short reason, never the URL. */
export class SlackWebhookError extends DeliveryError {
  override name = 'SlackWebhookError';
  constructor(status: number | null, reason: string) {
    super('Slack webhook', status, reason, status === null || status === 429 || status >= 500);
  }
}

export function slackWebhookChannel(deps: Omit<SlackDeliveryDeps, 'logger'>): AlertChannel<SlackMessage> {
  return {
    name: 'slack-webhook',
    render: (item) => (item.alert ? renderSlack(item.alert) : renderCloudWatchAlarm(item.alarm)),
    send: async (message) => postToSlack(await deps.webhookUrl(), message, deps),
  };
}

/** Posts each alert in the SNS event: our alerts and plain CloudWatch alarm messages. */
export async function deliverToSlack(
  records: readonly SNSEventRecord[],
  deps: SlackDeliveryDeps,
): Promise<number> {
  return deliverAll(records, slackWebhookChannel(deps), deps.logger);
}

export async function postToSlack(webhookUrl: string, message: SlackMessage, deps: HttpDeps): Promise<void> {
  const url = parseWebhookUrl(webhookUrl);
  let reply: Awaited<ReturnType<typeof postJson>>;
  try {
    reply = await postJson('Slack webhook', url, message, {}, deps);
  } catch (error) {
    throw new SlackWebhookError(null, (error as DeliveryError).reason ?? 'network error');
  }
  if (reply.status < 200 || reply.status >= 300) {
    // Slack says why in a word: invalid_payload, no_service, channel_not_found, rate_limited...
    throw new SlackWebhookError(
      reply.status,
      reply.body.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no reason given',
    );
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
  try {
    return requireHttps('Slack webhook', candidate);
  } catch (error) {
    const reason = (error as DeliveryError).reason;
    throw new SlackWebhookError(
      null,
      reason === 'the URL must be https'
        ? 'the webhook URL must be https'
        : 'the webhook secret does not hold a valid URL',
    );
  }
}
