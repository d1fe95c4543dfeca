/**
 * Short texts for subscribers that should not get the several-KB chat JSON: SMS and HTTPS.
 *
 * SMS: "each SMS message can contain up to 140 bytes ... 140 ASCII characters ... If you publish a
 * message that exceeds the size quota, Amazon SNS sends it as multiple messages"
 * (https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html; SNS Publish API, `Message`,
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). A text published to a topic starts
 * with the topic's display name, upper-cased, and "> " (alert-topics.ts), which counts too. One SMS,
 * so one text of at most MAX_SMS_CHARS ASCII characters after that prefix: the title (status, code,
 * scope, registry) and the owner if it fits.
 *
 * HTTPS: a plain-text summary (a webhook on the other end usually forwards it to a person or a
 * pager), a few lines with the incident id, severity, owner and the first link; at most
 * MAX_HTTPS_CHARS. A machine that needs everything subscribes to the payload topic.
 */
import { SMS_TOPIC_DISPLAY_NAME } from './alert-topics.ts';
import { type Alert, ownerText } from './model.ts';
import { SEVERITY_LOOK } from './severity.ts';

/** One SMS: 140 bytes, 140 ASCII characters. */
export const SMS_BYTES = 140;
/** What SNS puts before every text from the SMS topic: "CANARY> ". */
export const SMS_PREFIX = `${SMS_TOPIC_DISPLAY_NAME.toUpperCase()}> `;
/** The text we publish, so that prefix and text are one SMS. */
export const MAX_SMS_CHARS = SMS_BYTES - SMS_PREFIX.length;
export const MAX_HTTPS_CHARS = 1_024;

export function renderSms(alert: Alert): string {
  const ascii = (t: string) => t.replace(/[^\x20-\x7E]/g, '?');
  const base = ascii(alert.title);
  const owner = alert.owners.length > 0 ? ` Owner: ${ascii(alert.owners.join(','))}` : '';
  const text = `${base}${owner}`;
  if (text.length <= MAX_SMS_CHARS) return text;
  return base.length <= MAX_SMS_CHARS ? base : `${base.slice(0, MAX_SMS_CHARS - 3)}...`;
}

export function renderHttps(alert: Alert): string {
  const lines = [
    alert.title,
    alert.scopeLine,
    alert.headline,
    `Severity: ${SEVERITY_LOOK[alert.messageSeverity].word}; owner: ${ownerText(alert)}`,
    `Incident: ${alert.incidentId}`,
  ];
  const first = alert.links.runbook ?? alert.links.dashboard;
  if (first) lines.push(`More: ${first}`);
  const text = lines.join('\n');
  return text.length <= MAX_HTTPS_CHARS ? text : `${text.slice(0, MAX_HTTPS_CHARS - 3)}...`;
}
