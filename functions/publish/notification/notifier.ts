/**
 * The notifier: turns alarm transitions into alerts that diagnose. For each SQS batch (the queue's
 * batching window is the first noise control: a burst of alarms arrives together):
 *   1. read the alarm state changes, and each named target's state in every region;
 *   2. group them by registry, so thirty targets of one registry make one message;
 *   3. per group, apply the transitions to the group's incident and decide what is worth saying
 *      (pending.ts): an opening or a recovery now; an update to an incident notified less than
 *      `holdBackMs` ago is held back in the incident and sent later, merged with what follows, so a
 *      burst split across batches or pollers still makes one message;
 *   4. write the incident conditionally (optimistic locking), THEN publish. The write is the claim:
 *      of two pollers that race on a registry only the one whose write wins sends, the other reads
 *      again and finds nothing left to say. If the publish fails, the message is put back in the
 *      incident as pending and the batch is reported failed, so SQS retries it and the retry (or
 *      the sweep) sends it; after 5 receives the messages go to the dead-letter queue (which alarms).
 *      A crash between the write and the publish loses that one message: the price of never sending
 *      an opening twice, in two threads.
 *
 * On a schedule it also sweeps: sends held-back updates whose window has passed, and reminders for
 * incidents that stay open (`sweep`).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import {
  getIncident,
  type Incident,
  IncidentConflictError,
  listOpenIncidents,
  type PendingMessage,
  saveIncident,
} from '../state-incident.ts';
import type { TargetState } from '../state-item.ts';
import { readTargetStates } from '../state-read.ts';
import { type AlarmTransition, parseAlarmRecords } from './alarm-event.ts';
import { applyTransitions, memberOf, reminderDue } from './incident.ts';
import { type AlertContext, buildAlert } from './model.ts';
import { decide, mergePending, type SendableChange, toAlarmTransitions } from './pending.ts';
import { composeSnsMessage } from './sns-message.ts';

export interface NotifierLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface NotifierDeps {
  db: DynamoDBDocumentClient;
  sns: SNSClient;
  table: string;
  topicArn: string;
  alert: Omit<AlertContext, 'now'>;
  reminderMinutes: number;
  /** An update to an incident notified less than this long ago is held back (pending.ts). */
  holdBackMs: number;
  /** Each target's registry host from synth, for a target without a state row yet. @default none */
  targetRegistries?: ReadonlyMap<string, string>;
  clock: () => Date;
  logger: NotifierLogger;
}

const MAX_CONFLICT_RETRIES = 3;

export async function handleAlarmBatch(
  records: readonly SQSRecord[],
  deps: NotifierDeps,
): Promise<SQSBatchResponse> {
  const now = deps.clock();
  const { transitions, unreadable } = parseAlarmRecords(records, now);
  const failures = new Set<string>();
  for (const bad of unreadable) {
    // Not retryable, but not to be lost either: it goes to the DLQ, whose alarm someone will see.
    deps.logger.error('unreadable alarm message', { messageId: bad.messageId, reason: bad.reason });
    failures.add(bad.messageId);
  }

  const states = new StateCache(deps);
  const groups = new Map<string, AlarmTransition[]>();
  try {
    await states.load(transitions.flatMap((t) => (t.target ? [t.target] : [])));
  } catch (error) {
    deps.logger.error('cannot read the state table', { error });
    for (const t of transitions) failures.add(t.messageId);
    return toBatchResponse(failures);
  }
  for (const transition of transitions) {
    const group = groupOf(transition, states.get(transition.target), deps.targetRegistries);
    groups.set(group, [...(groups.get(group) ?? []), transition]);
  }

  for (const [group, groupTransitions] of groups) {
    try {
      await processGroup(group, groupTransitions, states, deps, now);
    } catch (error) {
      deps.logger.error('alert for a registry failed; its messages will be retried', { group, error });
      for (const t of groupTransitions) failures.add(t.messageId);
    }
  }
  return toBatchResponse(failures);
}

export interface SweepResult {
  /** Held-back updates (or messages whose publish had failed) sent. */
  updates: number;
  reminders: number;
}

/**
 * The scheduled run: sends what is pending and due, then reminders for incidents still open after
 * `reminderMinutes`. One registry's failure does not hold back the others, but it does fail the
 * run (after all were tried), so Lambda retries it and, in the end, puts it in the dead-letter
 * queue whose alarm someone sees. A retry sends nothing twice: what was sent is recorded first.
 */
export async function sweep(deps: NotifierDeps): Promise<SweepResult> {
  const now = deps.clock();
  const states = new StateCache(deps);
  const result: SweepResult = { updates: 0, reminders: 0 };
  const failed: { group: string; error: unknown }[] = [];
  for (const incident of await listOpenIncidents(deps.db, deps.table)) {
    try {
      if (incident.pending && (await processGroup(incident.group, [], states, deps, now))) {
        // The update just sent tells the channel the incident is open; its reminder can wait a run.
        result.updates += 1;
        continue;
      }
      if (await remind(incident, states, deps, now)) result.reminders += 1;
    } catch (error) {
      deps.logger.error('sweep failed for a registry', { group: incident.group, error });
      failed.push({ group: incident.group, error });
    }
  }
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((f) => f.error),
      `notifier sweep: ${failed.length} registr${failed.length === 1 ? 'y' : 'ies'} failed: ${failed.map((f) => f.group).join(', ')}`,
    );
  }
  return result;
}

/** Applies one registry's transitions (none, for the sweep) and sends what is due. True if it sent. */
async function processGroup(
  group: string,
  transitions: readonly AlarmTransition[],
  states: StateCache,
  deps: NotifierDeps,
  now: Date,
): Promise<boolean> {
  let sent = false;
  for (let attempt = 1; ; attempt += 1) {
    const current = await getIncident(deps.db, deps.table, group);
    try {
      // An unsent recovery belongs to the incident before: it goes out before a new one can open.
      if (current && !current.open && current.pending && transitions.length > 0) {
        sent = (await settle(current, group, [], states, deps, now)) || sent;
        continue;
      }
      return (await settle(current, group, transitions, states, deps, now)) || sent;
    } catch (error) {
      if (!(error instanceof IncidentConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      deps.logger.warn('incident changed under us; applying the batch again', { group, attempt });
    }
  }
}

/** Decide, write (the claim), publish; on a failed publish put the message back. True if it sent. */
async function settle(
  current: Incident | null,
  group: string,
  transitions: readonly AlarmTransition[],
  states: StateCache,
  deps: NotifierDeps,
  now: Date,
): Promise<boolean> {
  const change = applyTransitions(current, group, transitions, now);
  const decision = decide(current, change, transitions, now, deps.holdBackMs);
  if (!decision.changed) {
    deps.logger.info('no alert: nothing a person needs to hear', { group, alarms: transitions.length });
    return false;
  }
  const saved = await saveIncident(deps.db, deps.table, decision.store, current?.version ?? null, now);
  if (!decision.send || !decision.message) {
    if (saved.pending)
      deps.logger.info('update held back: the incident was notified moments ago', {
        group,
        lastNotifiedAt: saved.lastNotifiedAt,
      });
    return false;
  }
  const send: SendableChange = { ...decision.send, incident: saved };
  try {
    await states.load([...Object.keys(saved.alarms), ...send.recovered]);
    await publish(send, states, toAlarmTransitions(decision.message.transitions), deps, now);
  } catch (error) {
    await putBack(saved, decision.message, current?.lastNotifiedAt ?? null, deps, now);
    throw error;
  }
  return true;
}

/**
 * A publish failed after its claim was written: store the message as pending again, so the retry
 * or the sweep sends it. Merged with anything another poller added meanwhile.
 */
async function putBack(
  claimed: Incident,
  message: PendingMessage,
  lastNotifiedBefore: string | null,
  deps: NotifierDeps,
  now: Date,
): Promise<void> {
  let current: Incident | null = claimed;
  for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
    if (!current || current.threadId !== claimed.threadId) break;
    const restored: Incident = {
      ...current,
      pending: mergePending(message, current.pending, current.alarms),
      // Nobody sent since our claim: the message was never delivered, so neither was "notified".
      lastNotifiedAt:
        current.lastNotifiedAt === claimed.lastNotifiedAt && lastNotifiedBefore
          ? lastNotifiedBefore
          : current.lastNotifiedAt,
    };
    try {
      await saveIncident(deps.db, deps.table, restored, current.version, now);
      return;
    } catch (error) {
      if (!(error instanceof IncidentConflictError)) {
        deps.logger.error('cannot put an unsent message back; it is lost', { group: claimed.group, error });
        return;
      }
      current = await getIncident(deps.db, deps.table, claimed.group);
    }
  }
  deps.logger.error('cannot put an unsent message back; it is lost', {
    group: claimed.group,
    event: message.event,
  });
}

/**
 * A reminder, claimed first: the write that records it must win against any batch that changed
 * the incident (a recovery above all), or no reminder goes out. A failed publish undoes the claim
 * and throws, so the retried run sends it.
 */
async function remind(
  incident: Incident,
  states: StateCache,
  deps: NotifierDeps,
  now: Date,
): Promise<boolean> {
  let current: Incident | null = incident;
  for (let attempt = 1; current; attempt += 1) {
    const change = reminderDue(current, now, deps.reminderMinutes);
    if (!change) return false;
    let saved: Incident;
    try {
      saved = await saveIncident(deps.db, deps.table, change.incident, current.version, now);
    } catch (error) {
      if (!(error instanceof IncidentConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      current = await getIncident(deps.db, deps.table, incident.group);
      continue;
    }
    try {
      await states.load(Object.keys(saved.alarms));
      await publish({ ...change, event: 'reminder', incident: saved }, states, [], deps, now);
    } catch (error) {
      await undoReminder(saved, current, deps, now);
      throw error;
    }
    return true;
  }
  return false;
}

async function undoReminder(saved: Incident, before: Incident, deps: NotifierDeps, now: Date): Promise<void> {
  try {
    await saveIncident(
      deps.db,
      deps.table,
      { ...saved, lastRemindedAt: before.lastRemindedAt, lastNotifiedAt: before.lastNotifiedAt },
      saved.version,
      now,
    );
  } catch (error) {
    // Changed since (a recovery, an update): whatever happened next is the news; the next reminder
    // comes one period later.
    deps.logger.warn('could not undo a reminder that was not sent', { group: saved.group, error });
  }
}

async function publish(
  change: SendableChange,
  states: StateCache,
  transitions: readonly AlarmTransition[],
  deps: NotifierDeps,
  now: Date,
): Promise<void> {
  const alert = buildAlert(change, states.all(), transitions, { ...deps.alert, now });
  const composed = composeSnsMessage(alert);
  await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Message: composed.message,
      MessageStructure: 'json',
      Subject: composed.subject,
    }),
  );
  deps.logger.info('alert published', {
    group: alert.group,
    kind: alert.kind,
    threadId: alert.threadId,
    failing: alert.failing.length + composed.alert.omitted,
    trimmed: composed.alert.omitted,
    recoveredTrimmed: composed.alert.recoveredOmitted,
  });
}

/**
 * Registry host from the state of record, else from the synth's target → registry map (a new
 * target, or one whose probes never reached the table, still joins its registry's incident); an
 * alarm that names no target, or a target the map does not know, stands alone.
 */
function groupOf(
  transition: AlarmTransition,
  states: readonly TargetState[],
  targetRegistries: ReadonlyMap<string, string> | undefined,
): string {
  const known = transition.target ? targetRegistries?.get(transition.target) : undefined;
  return states.find((s) => s.registry)?.registry ?? known ?? memberOf(transition);
}

function toBatchResponse(failures: Set<string>): SQSBatchResponse {
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
}
/** Each target's states, read once per invocation. */
class StateCache {
  private readonly states = new Map<string, TargetState[]>();
  private readonly limit = pLimit(8);

  constructor(private readonly deps: NotifierDeps) {}

  async load(targets: readonly string[]): Promise<void> {
    const missing = [...new Set(targets)].filter((t) => !this.states.has(t));
    await Promise.all(
      missing.map((target) =>
        this.limit(async () => {
          this.states.set(target, await readTargetStates(this.deps.db, this.deps.table, target));
        }),
      ),
    );
  }

  get(target: string | null): TargetState[] {
    return target ? (this.states.get(target) ?? []) : [];
  }

  all(): ReadonlyMap<string, readonly TargetState[]> {
    return this.states;
  }
}
