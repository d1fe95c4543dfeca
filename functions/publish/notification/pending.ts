/**
 * Held-back messages: what makes a burst one message per registry even when it does not arrive in
 * one SQS batch. A registry-wide outage raises about two alarms per target; with more than 50
 * targets, two pollers, or a burst split across batches seconds apart, the notifier sees it in
 * pieces. The first piece opens the incident and is sent at once. An update to an incident that
 * was notified less than `holdBackMs` ago is not sent: it is stored in the incident as `pending`,
 * merged with whatever follows, and sent once the window has passed, by the next batch or by the
 * scheduled sweep (the reminders rule), whichever comes first.
 *
 * Openings and recoveries are never held back: someone needs to hear those now. Pure: the
 * notifier reads, decides here, writes, then publishes.
 */
import type { Incident, PendingMessage, PendingTransition } from '../state-incident.ts';
import { type AlarmTransition, alarmKindFields } from './alarm-event.ts';
import type { IncidentChange } from './incident.ts';
import type { AlertKind } from './model.ts';

/** @default for the notifier: long enough for a burst split across batches, short next to an outage. */
export const DEFAULT_HOLD_BACK_MS = 120_000;

/** CloudWatch's reasons are a sentence or two; a cap keeps a burst's incident item far below 400 KB. */
const MAX_REASON_CHARS = 500;

export type SendableChange = IncidentChange & { event: AlertKind };

export interface Decision {
  /** The incident to write (conditionally, on the version read). */
  store: Incident;
  /** The message to publish once `store` is written, or null when nothing is due. */
  send: SendableChange | null;
  /** `send` as it was pending: what to put back if the publish fails. */
  message: PendingMessage | null;
  /** False when the write would change nothing: skip it. */
  changed: boolean;
}

/**
 * Folds `change` (the transitions of one batch, applied to `current`) into the incident's pending
 * message, and says whether that message is due now.
 */
export function decide(
  current: Incident | null,
  change: IncidentChange,
  transitions: readonly AlarmTransition[],
  now: Date,
  holdBackMs: number,
): Decision {
  const fresh = change.event === 'none' ? null : pendingOf(change, transitions, now);
  const pending = mergePending(current?.pending ?? null, fresh, change.incident.alarms);
  // applyTransitions stamps lastNotifiedAt as if it sent; only a message actually sent may move it.
  const held: Incident = {
    ...change.incident,
    lastNotifiedAt: current?.lastNotifiedAt ?? change.incident.lastNotifiedAt,
    pending,
  };
  if (pending && isDue(pending, held, now, holdBackMs)) {
    const sent: Incident = { ...held, pending: null, lastNotifiedAt: now.toISOString() };
    return {
      store: sent,
      send: {
        event: pending.event,
        incident: sent,
        joined: pending.joined,
        recovered: pending.recovered,
        raised: pending.raised,
      },
      message: pending,
      changed: true,
    };
  }
  return { store: held, send: null, message: null, changed: !sameStored(current, held) };
}

function isDue(pending: PendingMessage, incident: Incident, now: Date, holdBackMs: number): boolean {
  if (pending.event !== 'updated') return true;
  return now.getTime() - Date.parse(incident.lastNotifiedAt) >= holdBackMs;
}

export function pendingOf(
  change: IncidentChange,
  transitions: readonly AlarmTransition[],
  now: Date,
): PendingMessage | null {
  if (change.event !== 'opened' && change.event !== 'updated' && change.event !== 'recovered') return null;
  return {
    event: change.event,
    joined: change.joined,
    recovered: change.recovered,
    raised: change.raised,
    transitions: latestPerAlarm(transitions.map(toPendingTransition)),
    since: now.toISOString(),
  };
}

/**
 * One message that says what both would have: an unsent opening stays an opening (it now names the
 * later targets too), and a recovery closes whatever was pending. `failing` is the incident's
 * alarms after both, so a target that joined and left again is reported as recovered only.
 */
export function mergePending(
  older: PendingMessage | null,
  newer: PendingMessage | null,
  failing: Readonly<Record<string, string[]>>,
): PendingMessage | null {
  if (!older || !newer) return older ?? newer;
  const event = newer.event === 'recovered' ? 'recovered' : older.event === 'opened' ? 'opened' : newer.event;
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  return {
    event,
    joined: union(older.joined, newer.joined).filter((m) => m in failing),
    recovered: union(older.recovered, newer.recovered).filter((m) => !(m in failing)),
    raised: union(older.raised, newer.raised),
    transitions: latestPerAlarm([...older.transitions, ...newer.transitions]),
    since: older.since,
  };
}

function toPendingTransition(t: AlarmTransition): PendingTransition {
  return {
    alarmName: t.alarmName,
    alarmArn: t.alarmArn,
    target: t.target,
    newState: t.newState,
    reason: t.reason.slice(0, MAX_REASON_CHARS),
    at: t.at,
    metricName: t.metricName,
  };
}

/** Back to the shape buildAlert reads; the SQS message id no longer matters once stored. */
export function toAlarmTransitions(stored: readonly PendingTransition[]): AlarmTransition[] {
  return stored.map((t) => ({
    ...t,
    ...alarmKindFields(t.alarmName),
    messageId: '',
    description: '',
    oldState: null,
  }));
}

function latestPerAlarm(transitions: readonly PendingTransition[]): PendingTransition[] {
  const latest = new Map<string, PendingTransition>();
  for (const t of transitions) {
    const seen = latest.get(t.alarmName);
    if (!seen || seen.at <= t.at) latest.set(t.alarmName, t);
  }
  return [...latest.values()].sort((a, b) => a.at.localeCompare(b.at));
}

function sameStored(current: Incident | null, next: Incident): boolean {
  if (!current) return false;
  const { version: _a, ...a } = current;
  const { version: _b, ...b } = next;
  return JSON.stringify(a) === JSON.stringify(b);
}
