/**
 * The incident board, pure: alarm transitions in, incidents out. The notifier reads the board,
 * applies a batch here (`applyTransitions`), groups what is in ALARM (classify.ts), reconciles the
 * board's incidents with those groups (`reconcile`), and sends what is due (pending.ts).
 *
 * Re-grouping without re-paging: an incident keeps its id (its thread, its PagerDuty dedup key)
 * when its group changes key. When three registry incidents turn out to be one regional fault, the
 * regional group takes over the incident it shares the most targets with (the oldest on a tie),
 * which is re-keyed and says so in an update; the others close as "merged into" it, an info
 * message in their own threads. No new page goes out for targets someone was already paged about.
 * A group of another severity never takes over: a warning that becomes a failure pages.
 */
import { alarmKindOf } from '../alarm-catalog.ts';
import type { ActiveAlarm, Board, Incident } from '../state-incident.ts';
import type { AlarmTransition } from './alarm-event.ts';
import type { Group } from './classify.ts';

/** A cleared alarm's OK time is kept this long, to drop an older ALARM that arrives late. */
const CLEARED_MEMORY_MS = 24 * 3_600_000;
/** Closed incidents are kept this long (a late OK, the last message's put-back), then dropped. */
const CLOSED_MEMORY_MS = 24 * 3_600_000;
const MAX_CLOSED_KEPT = 50;

/** The key a transition counts under: its target, or the alarm itself when it names none. */
export function memberOf(transition: Pick<AlarmTransition, 'target' | 'alarmName'>): string {
  return transition.target ?? transition.alarmName;
}

export interface Applied {
  board: Board;
  /** Members whose alarms changed in this batch: their incidents have news, maybe. */
  touched: Set<string>;
}

/**
 * Applies the batch in the order the alarms changed. An OK older than the ALARM it would clear, or
 * an ALARM older than the OK that cleared it, arrived late (another batch, a retry) and is dropped.
 * INSUFFICIENT_DATA says nothing about a registry (the heartbeat alarm covers a probe that stopped).
 */
export function applyTransitions(board: Board, transitions: readonly AlarmTransition[], now: Date): Applied {
  const alarms = { ...board.alarms };
  const cleared = { ...board.cleared };
  const touched = new Set<string>();
  for (const t of [...transitions].sort((a, b) => a.at.localeCompare(b.at))) {
    const current = alarms[t.alarmName];
    if (t.newState === 'ALARM') {
      if (current) continue;
      const okAt = cleared[t.alarmName]?.at;
      if (okAt && okAt > t.at) continue;
      alarms[t.alarmName] = activeAlarm(t);
      delete cleared[t.alarmName];
      touched.add(memberOf(t));
    } else if (t.newState === 'OK') {
      if (!current || current.since > t.at) continue;
      delete alarms[t.alarmName];
      cleared[t.alarmName] = { member: memberOf(t), at: t.at };
      touched.add(memberOf(t));
    }
  }
  for (const [name, { at }] of Object.entries(cleared)) {
    if (now.getTime() - Date.parse(at) > CLEARED_MEMORY_MS) delete cleared[name];
  }
  return { board: { ...board, alarms, cleared }, touched };
}

function activeAlarm(t: AlarmTransition): ActiveAlarm {
  const found = alarmKindOf(t.alarmName);
  return {
    member: memberOf(t),
    target: t.target,
    kind: t.kind,
    subject: found?.subject ?? null,
    since: t.at,
    arn: t.alarmArn,
  };
}

/** Each member's current incident key, for classify's rule 2. */
export function memberKeys(board: Board): Map<string, string> {
  const keys = new Map<string, string>();
  for (const incident of board.incidents) {
    if (incident.open) for (const m of incident.members) keys.set(m, incident.key);
  }
  return keys;
}

/** Fits the board's incidents to the groups, and notes what is news (see the module comment). */
export function reconcile(
  board: Board,
  groups: readonly Group[],
  touched: ReadonlySet<string>,
  now: Date,
): Board {
  const nowIso = now.toISOString();
  const incidents = board.incidents.map((i) => ({ ...i }));
  const open = incidents.filter((i) => i.open);
  const assigned = new Map<Incident, Group>();
  const taken = new Set<Incident>();

  for (const group of groups) {
    const same = open.find((i) => i.key === group.key && !taken.has(i));
    if (same) {
      assigned.set(same, group);
      taken.add(same);
    }
  }
  // Largest groups first: they take over the incidents they share the most with.
  const unplaced = groups
    .filter((g) => ![...assigned.values()].includes(g))
    .sort((a, b) => b.members.length - a.members.length || a.key.localeCompare(b.key));
  const created: Incident[] = [];
  for (const group of unplaced) {
    const predecessor = open
      .filter((i) => !taken.has(i) && i.severity === group.severity)
      .map((i) => ({ i, overlap: i.members.filter((m) => group.members.includes(m)).length }))
      .filter((c) => c.overlap > 0)
      .sort((a, b) => b.overlap - a.overlap || a.i.openedAt.localeCompare(b.i.openedAt))[0]?.i;
    if (predecessor) {
      predecessor.previousKeys = [...predecessor.previousKeys, predecessor.key];
      assigned.set(predecessor, group);
      taken.add(predecessor);
      continue;
    }
    const incident = newIncident(group, board, nowIso);
    created.push(incident);
    assigned.set(incident, group);
  }

  for (const [incident, group] of assigned) {
    const changed =
      incident.key !== group.key ||
      incident.members.join('\n') !== group.members.join('\n') ||
      group.members.some((m) => touched.has(m));
    incident.key = group.key;
    incident.cause = group.cause;
    incident.subject = group.subject;
    incident.severity = group.severity;
    incident.members = [...group.members];
    incident.everMembers = [...new Set([...incident.everMembers, ...group.members])];
    if (!incident.told) incident.pending ??= { event: 'opened', since: nowIso };
    else if (changed) incident.pending ??= { event: 'updated', since: nowIso };
  }

  // Open incidents no group wants any more: their targets recovered, or moved to other incidents.
  const holderOf = new Map<string, Incident>();
  for (const [incident, group] of assigned) for (const m of group.members) holderOf.set(m, incident);
  const closing = open.filter((i) => !assigned.has(i));
  for (const incident of closing) {
    const holders = incident.members.map((m) => holderOf.get(m));
    const allMoved = incident.members.length > 0 && holders.every(Boolean);
    incident.open = false;
    incident.closedAt = allMoved ? nowIso : (lastClearedAt(incident, board, now) ?? nowIso);
    if (allMoved) {
      const into = mostCommon(holders as Incident[]);
      incident.mergedInto = into.id;
      into.absorbed = [...new Set([...into.absorbed, incident.subject])];
      // Nobody heard of it: the incident it went into tells its targets.
      incident.pending = incident.told ? { event: 'merged', since: nowIso } : null;
    } else {
      // A recovery says what recovered from what: it needs an opening that was told. An incident
      // that opened and recovered before anyone heard of it (its opening failed to publish, and the
      // retried batch brings the OK too) ends in silence: a recovery nobody saw open is noise.
      incident.pending = incident.told ? { event: 'recovered', since: nowIso } : null;
    }
  }

  const kept = [...incidents, ...created].filter(
    (i) => i.open || i.pending || now.getTime() - Date.parse(i.closedAt ?? nowIso) < CLOSED_MEMORY_MS,
  );
  const closedKept = kept
    .filter((i) => !i.open && !i.pending)
    .sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? ''))
    .slice(0, MAX_CLOSED_KEPT);
  return { ...board, incidents: kept.filter((i) => i.open || i.pending || closedKept.includes(i)) };
}

function newIncident(group: Group, board: Board, nowIso: string): Incident {
  const since = group.members
    .flatMap((m) =>
      Object.values(board.alarms)
        .filter((a) => a.member === m)
        .map((a) => a.since),
    )
    .sort()[0];
  const openedAt = since ?? nowIso;
  return {
    id: incidentIdFor(group.key, openedAt),
    key: group.key,
    cause: group.cause,
    subject: group.subject,
    severity: group.severity,
    open: true,
    openedAt,
    closedAt: null,
    lastNotifiedAt: null,
    lastRemindedAt: null,
    reminders: 0,
    members: [],
    everMembers: [],
    told: null,
    pending: null,
    previousKeys: [],
    absorbed: [],
    mergedInto: null,
  };
}

/** When the last of the incident's alarms went OK: the end of a recovery's "lasted". */
function lastClearedAt(incident: Incident, board: Board, now: Date): string | null {
  const members = new Set(incident.members);
  const times = Object.values(board.cleared)
    .filter((c) => members.has(c.member) && c.at <= now.toISOString())
    .map((c) => c.at)
    .sort();
  return times.at(-1) ?? null;
}

function mostCommon(holders: readonly Incident[]): Incident {
  const counts = new Map<Incident, number>();
  for (const h of holders) counts.set(h, (counts.get(h) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] as Incident;
}

/** Stable for the incident's life, unique across incidents. */
export function incidentIdFor(key: string, openedAt: string): string {
  return `registry-canary/${key}/${openedAt}`;
}
