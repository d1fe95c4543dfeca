/**
 * One SNS message per alert and format, each published as a plain String message (no
 * `MessageStructure`) to that format's topic (alert-topics.ts): `email` the plain text with its
 * Subject, `chat` the Amazon Q Developer custom notification JSON, `sms` and `https` short texts
 * (short-text.ts), and `payload` the alert model itself, for the Lambda subscribers (Slack webhook,
 * Slack app, PagerDuty) to render from.
 *
 * Routing: every publish carries the same message attributes (`messageAttributesOf`) for
 * subscription filter policies: `severity` (critical, warning, info: this message's), `event`
 * (opened, updated, reminder, recovered, merged), `cause`, and `owner` / `registry` / `region` as
 * String.Array. Attributes travel with String messages: "message attributes are sent only when the
 * message structure is String, not JSON"
 * (https://docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html), which is why there is no
 * JSON-structured message any more. SNS compares filter policies only with attributes of type
 * String, String.Array and Number, a policy has at most 5 keys and 150 value combinations, matching
 * is case-sensitive (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html);
 * an SQS subscription with raw delivery takes at most 10 attributes (SNSMessageAttributes.html
 * above), so we send 6.
 *
 * SNS refuses messages over 256 KB, attributes included. Each format is sized on its own (the email
 * keeps more than the chat message when it fits more), trimmed, not dropped, in this order until it
 * fits:
 *   1. related alarm ARNs beyond the first MAX_ALARM_ARNS (links for Amazon Q, shown nowhere else);
 *   2. failing targets, from the end (the model sorts worst first), as many kept as fit, across the
 *      diagnosis groups; the renderers print "+N more" in their place;
 *   3. recovered targets' names, from the end, with "+N more" after the names;
 *   4. a minimal message: title, a clipped headline, counts and links, no targets.
 * The result is checked after each step; if not even the minimal message fits, composing throws
 * (the notifier's retry and dead-letter path) instead of publishing what SNS would reject. The SMS
 * and HTTPS texts are bounded by their renderers far below that.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { ALERT_TOPIC_NAMES, type AlertTopic } from './alert-topics.ts';
import { renderChatbot } from './chatbot.ts';
import { emailSubject, renderEmail } from './email.ts';
import type { Alert } from './model.ts';
import { renderHttps, renderSms } from './short-text.ts';

/** SNS's limit is 262,144 bytes, message attributes included (SNS Publish API); keep room for them. */
export const SNS_MESSAGE_BUDGET_BYTES = 256_000;

/** Marks the `payload` message so the Slack subscriber can tell our alerts from anything else. */
export const ALERT_PAYLOAD_KIND = 'registry-canary-alert';

export interface AlertPayload {
  kind: typeof ALERT_PAYLOAD_KIND;
  version: 2;
  alert: Alert;
}

export interface SnsAlertMessage {
  format: AlertTopic;
  /** PublishCommand's Message, a String message. */
  message: string;
  /** PublishCommand's Subject: email only ("used as the Subject line when the message is delivered to email endpoints", SNS Publish API). */
  subject?: string;
  /** The alert as sent in this format: `omitted` says how many failing targets were trimmed. */
  alert: Alert;
  messageAttributes: Record<string, MessageAttributeValue>;
}

/** A String.Array attribute's value: a JSON array, at most this many entries (the rest are in the message). */
const MAX_ARRAY_VALUES = 20;

export function messageAttributesOf(alert: Alert): Record<string, MessageAttributeValue> {
  const array = (values: readonly string[], none: string): MessageAttributeValue => ({
    DataType: 'String.Array',
    StringValue: JSON.stringify(values.length > 0 ? values.slice(0, MAX_ARRAY_VALUES) : [none]),
  });
  return {
    severity: { DataType: 'String', StringValue: alert.messageSeverity },
    event: { DataType: 'String', StringValue: alert.event },
    cause: { DataType: 'String', StringValue: alert.cause },
    owner: array(alert.owners, 'unowned'),
    registry: array(alert.registries, 'none'),
    region: array(alert.regions.failing, 'none'),
  };
}

/** A burst's ARNs are links in the chat message; this many say "these alarms" well enough. */
export const MAX_ALARM_ARNS = 20;
/** The minimal message's headline: one paragraph, whatever the burst. */
const MINIMAL_HEADLINE_CHARS = 1_000;
const MINIMAL_TITLE_CHARS = 250;

/** The message does not fit SNS's limit even with every target left out. */
export class SnsMessageTooLargeError extends Error {
  override name = 'SnsMessageTooLargeError';
}

/** The alert in every format, each within `budgetBytes`. */
export function composeSnsMessages(
  alert: Alert,
  budgetBytes = SNS_MESSAGE_BUDGET_BYTES,
): Record<AlertTopic, SnsAlertMessage> {
  return Object.fromEntries(
    ALERT_TOPIC_NAMES.map((format) => [format, composeSnsMessage(alert, format, budgetBytes)]),
  ) as Record<AlertTopic, SnsAlertMessage>;
}

export function composeSnsMessage(
  alert: Alert,
  format: AlertTopic,
  budgetBytes = SNS_MESSAGE_BUDGET_BYTES,
): SnsAlertMessage {
  const fits = (candidate: SnsAlertMessage) => publishedBytes(candidate) <= budgetBytes;
  const compose = (a: Alert) => composeAs(format, a);
  let current = alert;
  let composed = compose(current);
  if (fits(composed)) return composed;

  current = { ...current, alarmArns: current.alarmArns.slice(0, MAX_ALARM_ARNS) };
  composed = compose(current);
  if (fits(composed)) return composed;

  const total = targetCount(current);
  const failingKept = largestThatFits(total, (n) => compose(keepFailing(current, n)), fits);
  current = keepFailing(current, failingKept);
  composed = compose(current);
  if (fits(composed)) return composed;

  const recoveredKept = largestThatFits(
    current.recovered.length,
    (n) => compose(keepRecovered(current, n)),
    fits,
  );
  current = keepRecovered(current, recoveredKept);
  composed = compose(current);
  if (fits(composed)) return composed;

  composed = compose(minimal(current));
  if (fits(composed)) return composed;
  throw new SnsMessageTooLargeError(
    `${format} alert for ${alert.incidentId} is ${Buffer.byteLength(composed.message)} bytes even without targets; SNS takes ${budgetBytes}`,
  );
}

/** The largest n in [0, max] whose message fits (0 when none does): sizes grow with n. */
function largestThatFits(
  max: number,
  build: (n: number) => SnsAlertMessage,
  fits: (m: SnsAlertMessage) => boolean,
): number {
  let low = 0;
  let high = max;
  let best = 0;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    if (fits(build(middle))) {
      best = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

/** What SNS counts against its limit: the message and its attributes (names, types and values). */
export function publishedBytes(message: SnsAlertMessage): number {
  let bytes = Buffer.byteLength(message.message) + Buffer.byteLength(message.subject ?? '');
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

function targetCount(alert: Alert): number {
  return alert.groups.reduce((n, g) => n + g.targets.length, 0);
}

/** The first `count` targets across the diagnosis groups (worst first), the rest counted as omitted. */
function keepFailing(alert: Alert, count: number): Alert {
  let left = count;
  const groups = alert.groups
    .map((g) => {
      const targets = g.targets.slice(0, Math.max(0, left));
      left -= targets.length;
      return { ...g, targets };
    })
    .filter((g) => g.targets.length > 0);
  return { ...alert, groups, omitted: alert.omitted + Math.max(0, targetCount(alert) - count) };
}

function keepRecovered(alert: Alert, count: number): Alert {
  return {
    ...alert,
    recovered: alert.recovered.slice(0, count),
    recoveredOmitted: alert.recoveredOmitted + Math.max(0, alert.recovered.length - count),
  };
}

/** No targets, only what the incident is and where to look: the headline can name thousands. */
function minimal(alert: Alert): Alert {
  return {
    ...keepRecovered(keepFailing(alert, 0), 0),
    title: clip(alert.title, MINIMAL_TITLE_CHARS),
    headline: clip(alert.headline, MINIMAL_HEADLINE_CHARS),
    alarmArns: [],
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Each format's renderer: the Message, and the Subject where a subscriber shows one. */
const RENDER: Record<AlertTopic, (alert: Alert) => { message: string; subject?: string }> = {
  email: (alert) => ({ message: renderEmail(alert), subject: emailSubject(alert) }),
  chat: (alert) => ({ message: JSON.stringify(renderChatbot(alert)) }),
  sms: (alert) => ({ message: renderSms(alert) }),
  https: (alert) => ({ message: renderHttps(alert) }),
  payload: (alert) => ({
    message: JSON.stringify({ kind: ALERT_PAYLOAD_KIND, version: 2, alert } satisfies AlertPayload),
  }),
};

function composeAs(format: AlertTopic, alert: Alert): SnsAlertMessage {
  return { format, ...RENDER[format](alert), alert, messageAttributes: messageAttributesOf(alert) };
}
