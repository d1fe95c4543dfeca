/**
 * The notifier: turns alarm transitions into alerts that diagnose. For each SQS batch (the queue's
 * batching window is the noise control: a burst of alarms arrives together):
 *   1. read the alarm state changes, and each named target's state in every region;
 *   2. group them by registry, so thirty targets of one registry make one message;
 *   3. per group, apply the transitions to the group's incident, and if that is worth saying,
 *      publish ONE message (Amazon Q Developer JSON, email text, and the model for Slack);
 *   4. store the incident (optimistic locking; on a conflict, read again and re-apply).
 * It publishes before it stores: if storing fails the batch is retried, and an alert sent twice is
 * better than an alert lost. A group that fails is reported as a partial batch failure, so SQS
 * retries just its messages and, in the end, moves them to the dead-letter queue (which alarms).
 *
 * On a schedule it also sends reminders for incidents that stay open (`sendReminders`).
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
  saveIncident,
} from '../state-incident.ts';
import type { TargetState } from '../state-item.ts';
import { readTargetStates } from '../state-read.ts';
import { type AlarmTransition, parseAlarmRecords } from './alarm-event.ts';
import { applyTransitions, type IncidentChange, memberOf, reminderDue } from './incident.ts';
import { type AlertContext, type AlertKind, buildAlert } from './model.ts';
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
    const group = groupOf(transition, states.get(transition.target));
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

/** Reminders for incidents still open after `reminderMinutes`. Returns how many were sent. */
export async function sendReminders(deps: NotifierDeps): Promise<number> {
  const now = deps.clock();
  const states = new StateCache(deps);
  let sent = 0;
  for (const incident of await listOpenIncidents(deps.db, deps.table)) {
    const change = reminderDue(incident, now, deps.reminderMinutes);
    if (!change) continue;
    try {
      await states.load(Object.keys(incident.alarms));
      await publish(change as IncidentChange & { event: AlertKind }, states, [], deps, now);
      await saveIncident(deps.db, deps.table, change.incident, incident.version, now);
      sent += 1;
    } catch (error) {
      // The next scheduled run tries again; one registry's failure must not hold back the others.
      deps.logger.error('reminder failed', { group: incident.group, error });
    }
  }
  return sent;
}

async function processGroup(
  group: string,
  transitions: AlarmTransition[],
  states: StateCache,
  deps: NotifierDeps,
  now: Date,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await getIncident(deps.db, deps.table, group);
    const change = applyTransitions(current, group, transitions, now);
    try {
      if (change.event === 'none') {
        if (current && !sameAlarms(current, change.incident)) {
          await saveIncident(deps.db, deps.table, change.incident, current.version, now);
        }
        deps.logger.info('no alert: nothing a person needs to hear', { group, alarms: transitions.length });
        return;
      }
      await states.load([...Object.keys(change.incident.alarms), ...change.recovered]);
      await publish(change as IncidentChange & { event: AlertKind }, states, transitions, deps, now);
      await saveIncident(deps.db, deps.table, change.incident, current?.version ?? null, now);
      return;
    } catch (error) {
      if (!(error instanceof IncidentConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      deps.logger.warn('incident changed under us; applying the batch again', { group, attempt });
    }
  }
}

async function publish(
  change: IncidentChange & { event: AlertKind },
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
  });
}

/** Registry host from the state of record; a target without state (or an alarm without target) stands alone. */
function groupOf(transition: AlarmTransition, states: readonly TargetState[]): string {
  return states.find((s) => s.registry)?.registry ?? memberOf(transition);
}

function sameAlarms(a: Incident, b: Incident): boolean {
  return JSON.stringify(a.alarms) === JSON.stringify(b.alarms);
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
