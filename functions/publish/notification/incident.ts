/**
 * How alarm transitions change an incident, and whether that is worth a message. Pure: the notifier
 * reads the incident, applies a batch here, publishes, then stores the result.
 *
 * One incident per group (registry). A target joins when one of its alarms goes to ALARM and leaves
 * when all of them are OK again. Messages:
 *   - opened: the first target of a closed group alarms;
 *   - updated: targets join or leave, or a target raises another alarm (say, from "failing in one
 *     region" to "failing in all"), while the incident stays open;
 *   - recovered: the last target leaves; it carries how long the incident lasted. An incident that
 *     opened and recovered inside one batch still gets its (single) message;
 *   - reminder: see `reminderDue`.
 * An alarm clearing while its target still has another in ALARM is silent: nothing recovered yet.
 */
import type { Incident } from '../state-incident.ts';
import type { AlarmTransition } from './alarm-event.ts';

export type IncidentEvent = 'opened' | 'updated' | 'recovered' | 'reminder' | 'none';

export interface IncidentChange {
  event: IncidentEvent;
  incident: Incident;
  /** Targets (or unattributed alarm names) that entered alarm in this batch. */
  joined: string[];
  /** Targets that left alarm in this batch. */
  recovered: string[];
  /** Alarm names that went to ALARM in this batch. */
  raised: string[];
}

/** The key a transition counts under: its target, or the alarm itself when it names none. */
export function memberOf(transition: AlarmTransition): string {
  return transition.target ?? transition.alarmName;
}

export function applyTransitions(
  current: Incident | null,
  group: string,
  transitions: readonly AlarmTransition[],
  now: Date,
): IncidentChange {
  const wasOpen = current?.open === true;
  const before: Record<string, string[]> = wasOpen ? structuredClone(current.alarms) : {};
  const after: Record<string, string[]> = structuredClone(before);
  const raised: string[] = [];
  let firstAlarmAt: string | null = null;
  let lastOkAt: string | null = null;

  for (const transition of transitions) {
    const member = memberOf(transition);
    const alarms = after[member] ?? [];
    if (transition.newState === 'ALARM') {
      firstAlarmAt ??= transition.at;
      if (!alarms.includes(transition.alarmName)) {
        after[member] = [...alarms, transition.alarmName];
        raised.push(transition.alarmName);
      }
    } else if (transition.newState === 'OK') {
      lastOkAt = transition.at;
      const remaining = alarms.filter((name) => name !== transition.alarmName);
      if (remaining.length > 0) after[member] = remaining;
      else delete after[member];
    }
    // INSUFFICIENT_DATA says nothing about the registry (the probe's own heartbeat alarm covers a
    // probe that stopped), so it neither opens nor closes anything.
  }

  const joined = Object.keys(after).filter((m) => !(m in before));
  const recovered = Object.keys(before).filter((m) => !(m in after));
  const nowOpen = Object.keys(after).length > 0;
  const nowIso = now.toISOString();
  const base: Incident = current ?? {
    group,
    open: false,
    threadId: '',
    openedAt: nowIso,
    closedAt: null,
    lastNotifiedAt: nowIso,
    lastRemindedAt: null,
    alarms: {},
    affected: [],
    pending: null,
    version: 0,
  };

  if (!wasOpen) {
    if (raised.length === 0) return { event: 'none', incident: base, joined: [], recovered: [], raised };
    const openedAt = firstAlarmAt ?? nowIso;
    const everJoined = [...new Set(transitions.filter((t) => t.newState === 'ALARM').map(memberOf))];
    const incident: Incident = {
      ...base,
      open: nowOpen,
      threadId: threadIdFor(group, openedAt),
      openedAt,
      closedAt: nowOpen ? null : (lastOkAt ?? nowIso),
      lastNotifiedAt: nowIso,
      lastRemindedAt: null,
      alarms: after,
      affected: everJoined,
    };
    // Opened and closed inside one batching window: one message that says both.
    if (!nowOpen) return { event: 'recovered', incident, joined: everJoined, recovered: everJoined, raised };
    return { event: 'opened', incident, joined, recovered: [], raised };
  }

  const incident: Incident = {
    ...base,
    alarms: after,
    affected: [...new Set([...base.affected, ...joined])],
  };
  if (!nowOpen) {
    return {
      event: 'recovered',
      incident: { ...incident, open: false, closedAt: lastOkAt ?? nowIso, lastNotifiedAt: nowIso },
      joined,
      recovered,
      raised,
    };
  }
  if (joined.length > 0 || recovered.length > 0 || raised.length > 0) {
    return { event: 'updated', incident: { ...incident, lastNotifiedAt: nowIso }, joined, recovered, raised };
  }
  return { event: 'none', incident, joined, recovered, raised };
}

/**
 * An incident open longer than `reminderMinutes` since it opened (or since the last reminder) gets a
 * reminder, so a long outage is not forgotten in a scrolled-away thread.
 */
export function reminderDue(incident: Incident, now: Date, reminderMinutes: number): IncidentChange | null {
  if (!incident.open || reminderMinutes <= 0) return null;
  const last = Date.parse(incident.lastRemindedAt ?? incident.openedAt);
  if (now.getTime() - last < reminderMinutes * 60_000) return null;
  const nowIso = now.toISOString();
  return {
    event: 'reminder',
    incident: { ...incident, lastRemindedAt: nowIso, lastNotifiedAt: nowIso },
    joined: [],
    recovered: [],
    raised: [],
  };
}

/** Stable for the incident's life, unique across incidents of one group. */
export function threadIdFor(group: string, openedAt: string): string {
  return `registry-canary/${group}/${openedAt}`;
}
