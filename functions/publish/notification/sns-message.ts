/**
 * The one SNS message per alert, with `MessageStructure: 'json'`: `default` is the Amazon Q Developer
 * custom notification (chat, and any protocol without its own entry), `email` the plain text, and
 * `lambda` the alert model itself, for the Slack webhook subscriber to render Block Kit from.
 *
 * SNS refuses messages over 256 KB. A burst of hundreds of targets with long evidence could pass it,
 * so the message is trimmed, not dropped, in this order until it fits:
 *   1. related alarm ARNs beyond the first MAX_ALARM_ARNS (links for Amazon Q, shown nowhere else);
 *   2. recovered targets' details (the renderers show only their names; the Slack model had it all);
 *   3. failing targets, from the end (least failing first, since the model sorts worst first),
 *      as many kept as fit; the renderers print "+N more" in their place;
 *   4. recovered targets, from the end, with "+N more" after the names;
 *   5. a minimal message: title, a clipped headline, counts and links, no targets.
 * The result is checked after each step; if not even the minimal message fits, composing throws
 * (the notifier's retry and dead-letter path) instead of publishing what SNS would reject.
 */
import { renderChatbot } from './chatbot.ts';
import { emailSubject, renderEmail } from './email.ts';
import type { Alert, TargetAlert } from './model.ts';

/** SNS's limit is 262,144 bytes; keep room for the envelope and message attributes. */
export const SNS_MESSAGE_BUDGET_BYTES = 256_000;

/** Marks the `lambda` payload so the Slack subscriber can tell our alerts from anything else. */
export const ALERT_PAYLOAD_KIND = 'registry-canary-alert';

export interface AlertPayload {
  kind: typeof ALERT_PAYLOAD_KIND;
  version: 1;
  alert: Alert;
}

export interface SnsAlertMessage {
  /** For PublishCommand's Message, with MessageStructure 'json'. */
  message: string;
  subject: string;
  /** The alert as sent: `omitted` says how many failing targets were trimmed. */
  alert: Alert;
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

export function composeSnsMessage(alert: Alert, budgetBytes = SNS_MESSAGE_BUDGET_BYTES): SnsAlertMessage {
  const fits = (candidate: SnsAlertMessage) => Buffer.byteLength(candidate.message) <= budgetBytes;
  let current = alert;
  let composed = compose(current);
  if (fits(composed)) return composed;

  current = { ...current, alarmArns: current.alarmArns.slice(0, MAX_ALARM_ARNS) };
  current = { ...current, recovered: current.recovered.map(namesOnly) };
  composed = compose(current);
  if (fits(composed)) return composed;

  const failingKept = largestThatFits(current.failing.length, (n) => compose(keepFailing(current, n)), fits);
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
    `alert for ${alert.group} is ${Buffer.byteLength(composed.message)} bytes even without targets; SNS takes ${budgetBytes}`,
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

function keepFailing(alert: Alert, count: number): Alert {
  return {
    ...alert,
    failing: alert.failing.slice(0, count),
    omitted: alert.omitted + Math.max(0, alert.failing.length - count),
  };
}

function keepRecovered(alert: Alert, count: number): Alert {
  return {
    ...alert,
    recovered: alert.recovered.slice(0, count),
    recoveredOmitted: alert.recoveredOmitted + Math.max(0, alert.recovered.length - count),
  };
}

/** What the renderers show of a recovered target: its name and reference. */
function namesOnly(target: TargetAlert): TargetAlert {
  return {
    ...target,
    summary: null,
    evidence: [],
    nextSteps: [],
    otherDiagnoses: [],
    alarms: [],
    alarmReason: null,
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

function compose(alert: Alert): SnsAlertMessage {
  const payload: AlertPayload = { kind: ALERT_PAYLOAD_KIND, version: 1, alert };
  return {
    message: JSON.stringify({
      default: JSON.stringify(renderChatbot(alert)),
      email: renderEmail(alert),
      lambda: JSON.stringify(payload),
    }),
    subject: emailSubject(alert),
    alert,
  };
}
