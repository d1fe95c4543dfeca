/**
 * Short texts for subscribers that should not get the several-KB chat JSON: SMS and HTTPS.
 *
 * SMS: "each message can contain up to 140 bytes ... If you publish a message that exceeds this
 * size limit, Amazon SNS sends the message as multiple messages" (SNS Publish API, `Message`;
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). One SMS, so one text of at most
 * 140 ASCII characters: the title (status, code, scope, registry) and the owner if it fits.
 *
 * HTTPS: a plain-text summary (a webhook on the other end usually forwards it to a person or a
 * pager), a few lines with the incident id, severity, owner and the first link; at most
 * MAX_HTTPS_CHARS. A machine that needs everything subscribes a Lambda and reads the `lambda` entry.
 */
import { type Alert, ownerText } from './model.ts';
import { SEVERITY_LOOK } from './severity.ts';

export const MAX_SMS_CHARS = 140;
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
