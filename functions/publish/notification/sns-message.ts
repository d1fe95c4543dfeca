/**
 * The one SNS message per alert, with `MessageStructure: 'json'`: `default` is the Amazon Q Developer
 * custom notification (chat, and any protocol without its own entry), `email` the plain text, and
 * `lambda` the alert model itself, for the Slack webhook subscriber to render Block Kit from.
 *
 * SNS refuses messages over 256 KB. A burst of hundreds of targets with long evidence could pass it,
 * so the message is trimmed, not dropped: failing targets are left out from the end (least failing
 * first, since the model sorts worst first) and the renderers print "+N more" in their place.
 */
import { renderChatbot } from './chatbot.ts';
import { emailSubject, renderEmail } from './email.ts';
import type { Alert } from './model.ts';

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

export function composeSnsMessage(alert: Alert, budgetBytes = SNS_MESSAGE_BUDGET_BYTES): SnsAlertMessage {
  const full = compose(alert);
  if (Buffer.byteLength(full.message) <= budgetBytes) return full;

  // Largest number of failing targets that still fits: binary search over how many to keep.
  let low = 0;
  let high = alert.failing.length - 1;
  let best = compose(keep(alert, 0));
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = compose(keep(alert, middle));
    if (Buffer.byteLength(candidate.message) <= budgetBytes) {
      best = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

function keep(alert: Alert, count: number): Alert {
  return {
    ...alert,
    failing: alert.failing.slice(0, count),
    omitted: alert.omitted + Math.max(0, alert.failing.length - count),
  };
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
