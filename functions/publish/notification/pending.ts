/**
 * When news about an incident is sent. An incident's `pending` note says something changed that is
 * not told yet; the message itself is built at send time from what the incident is then, against
 * what was last told (`told`). So however SQS splits a burst, the message says the sum of it, and
 * a change undone before it was sent (a target that joined and left) is not said at all.
 *
 *   - An opening, a recovery, or a merge into another incident: at once. Someone needs to hear it.
 *   - An update: not within `holdBackMs` of the last message (a burst split across batches makes
 *     one update, not one per batch).
 *   - An update that only says targets left (a recovery in progress): not within `holdBackMs` of
 *     the first such change either. A recovery split across batches seconds apart then ends in one
 *     recovery message, not in an "update" that lists still-alarming (but healthy) targets as failing.
 *
 * Reminders follow the severity's policy (severity.ts), counted from the opening.
 */
import type { Incident } from '../state-incident.ts';
import { reminderIntervalMinutes, reminderPolicy } from './severity.ts';

/** @default for the notifier: long enough for a burst split across batches, short next to an outage. */
export const DEFAULT_HOLD_BACK_MS = 120_000;

export function isDue(incident: Incident, now: Date, holdBackMs: number): boolean {
  const pending = incident.pending;
  if (!pending) return false;
  if (pending.event !== 'updated') return true;
  const nowMs = now.getTime();
  if (incident.lastNotifiedAt && nowMs - Date.parse(incident.lastNotifiedAt) < holdBackMs) return false;
  return !onlyLeft(incident) || nowMs - Date.parse(pending.since) >= holdBackMs;
}

/** True when the only news is that told members left: nothing joined, the cause is the same. */
export function onlyLeft(incident: Incident): boolean {
  const told = incident.told;
  if (!told || told.key !== incident.key) return false;
  return (
    incident.members.every((m) => told.members.includes(m)) && incident.members.length < told.members.length
  );
}

/** When the next reminder of an open, told incident is due (ms since epoch), or null for never. */
export function nextReminderAt(incident: Incident, reminderMinutes: number): number | null {
  if (!incident.open || !incident.told) return null;
  const policy = reminderPolicy(incident.severity, reminderMinutes);
  if (!policy || incident.reminders >= policy.maxReminders) return null;
  const last = Date.parse(incident.lastRemindedAt ?? incident.openedAt);
  return last + reminderIntervalMinutes(policy, incident.reminders) * 60_000;
}

export function reminderDue(incident: Incident, now: Date, reminderMinutes: number): boolean {
  if (incident.pending) return false;
  const at = nextReminderAt(incident, reminderMinutes);
  return at !== null && now.getTime() >= at;
}
