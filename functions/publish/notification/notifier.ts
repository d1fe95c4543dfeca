/**
 * The notifier: turns alarm transitions into alerts that diagnose. For each SQS batch (the queue's
 * batching window is the first noise control: a burst of alarms arrives together), and for each
 * scheduled sweep:
 *   1. read the incident board (state-incident.ts) and apply the batch's alarm state changes;
 *   2. read every alarmed target's state in every region, and group what is in ALARM into the
 *      incidents a person would open: a registry, a region, an image, a stopped probe (classify.ts);
 *   3. fit the board's incidents to those groups, re-grouping without re-paging (board.ts), and
 *      note what is news;
 *   4. for each incident whose news is due (pending.ts; the sweep adds reminders by severity),
 *      build the alert from what the incident is now against what it last told, and claim it;
 *   5. write the board conditionally (optimistic locking), THEN publish. The write is the claim: of
 *      two pollers that race, only the one whose write wins sends; the other reads again and finds
 *      nothing left to say. If a publish fails, its news is put back as pending and the batch is
 *      reported failed, so SQS retries it (re-applying a batch changes nothing) and the retry, or
 *      the sweep, sends it; after 5 receives the messages go to the dead-letter queue (which
 *      alarms). A crash between the write and the publish loses that one message: the price of
 *      never sending an opening twice.
 *
 * Each alert is published once per format, to that format's topic (alert-topics.ts,
 * sns-message.ts). When some topics took it and others failed, someone has heard it: the incident
 * keeps what it told (so its recovery says what recovered, from which cause), and the news is put
 * back to be sent again to every topic. Those that had it get it twice; that is rarer than it
 * sounds (the topics share one key and one API, which fail together) and better than a channel
 * that never hears of an incident the others were paged about.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import {
  type Board,
  getBoard,
  type Incident,
  IncidentConflictError,
  saveBoard,
  type Told,
} from '../state-incident.ts';
import type { TargetState } from '../state-item.ts';
import { readTargetStates } from '../state-read.ts';
import { type AlarmTransition, parseAlarmRecords } from './alarm-event.ts';
import { ALERT_TOPIC_NAMES, type AlertTopic, type AlertTopicArns } from './alert-topics.ts';
import { applyTransitions, memberKeys, reconcile } from './board.ts';
import { CAUSES, fill } from './causes.ts';
import { classify } from './classify.ts';
import {
  type Alert,
  type AlertContext,
  type AlertEvent,
  buildAlert,
  hasNews,
  incidentTargets,
  type TargetInfo,
  toldOf,
} from './model.ts';
import { isDue, nextReminderAt, reminderDue } from './pending.ts';
import { reminderPolicy } from './severity.ts';
import { composeSnsMessages } from './sns-message.ts';

export interface NotifierLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface NotifierDeps {
  db: DynamoDBDocumentClient;
  sns: SNSClient;
  table: string;
  /** The notification topic of each format (alert-topics.ts); every alert is published to each. */
  topicArns: AlertTopicArns;
  alert: Omit<AlertContext, 'now' | 'targets' | 'homeRegion'> & { homeRegion?: string };
  reminderMinutes: number;
  /** An update to an incident notified less than this long ago is held back (pending.ts). */
  holdBackMs: number;
  /** Each target's registry host from synth, for a target without a state row yet. @default none */
  targetRegistries?: ReadonlyMap<string, string>;
  /** Each target's owner from synth. @default none */
  targetOwners?: ReadonlyMap<string, string>;
  clock: () => Date;
  logger: NotifierLogger;
}

const MAX_CONFLICT_RETRIES = 5;

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
  if (transitions.length > 0) {
    try {
      await settle(transitions, false, deps, now);
    } catch (error) {
      deps.logger.error('alerts for this batch failed; its messages will be retried', { error });
      for (const t of transitions) failures.add(t.messageId);
    }
  }
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
}

export interface SweepResult {
  /** Held-back news (or messages whose publish had failed) sent. */
  updates: number;
  reminders: number;
}

/**
 * The scheduled run: sends what is pending and due, then reminders by severity. A failure throws
 * (after every message was tried), so Lambda retries the run and, in the end, puts it in the
 * dead-letter queue whose alarm someone sees. A retry sends nothing twice: what was sent is recorded first.
 */
export async function sweep(deps: NotifierDeps): Promise<SweepResult> {
  return settle([], true, deps, deps.clock());
}

interface Claim {
  incident: Incident;
  /** The incident as stored before the claim, to put back if the publish fails. */
  before: Incident;
  alert: Alert;
}

async function settle(
  transitions: readonly AlarmTransition[],
  withReminders: boolean,
  deps: NotifierDeps,
  now: Date,
): Promise<SweepResult> {
  const states = new StateCache(deps);
  const targets = targetInfo(deps);
  const context: AlertContext = {
    ...deps.alert,
    homeRegion: deps.alert.homeRegion ?? regionOfArn(deps.topicArns.email),
    now,
    targets,
  };
  for (let attempt = 1; ; attempt += 1) {
    const stored = await getBoard(deps.db, deps.table);
    const applied = applyTransitions(stored, transitions, now);
    await states.load(Object.values(applied.board.alarms).flatMap((a) => (a.target ? [a.target] : [])));
    const groups = classify({
      alarms: applied.board.alarms,
      states: states.all(),
      targetRegistries: deps.targetRegistries ?? new Map(),
      expectedRegions: context.expectedRegions,
      now,
      staleAfterMs: context.staleAfterMs,
      previousKeys: memberKeys(applied.board),
    });
    const board = reconcile(applied.board, groups, applied.touched, now);
    const claims = await claimDue(stored, board, transitions, withReminders, states, context, deps, now);
    if (JSON.stringify({ ...board, version: 0 }) === JSON.stringify({ ...stored, version: 0 })) {
      deps.logger.info('no alert: nothing a person needs to hear', { alarms: transitions.length });
      return { updates: 0, reminders: 0 };
    }
    try {
      await saveBoard(deps.db, deps.table, board);
    } catch (error) {
      if (!(error instanceof IncidentConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      deps.logger.warn('the incident board changed under us; applying the batch again', { attempt });
      continue;
    }
    return publishClaims(claims, deps, now);
  }
}

/** Builds the due messages and marks them told in `board` (mutated: it is this attempt's copy). */
async function claimDue(
  stored: Board,
  board: Board,
  transitions: readonly AlarmTransition[],
  withReminders: boolean,
  states: StateCache,
  context: AlertContext,
  deps: NotifierDeps,
  now: Date,
): Promise<Claim[]> {
  const claims: Claim[] = [];
  const nowIso = now.toISOString();
  const byId = new Map(board.incidents.map((i) => [i.id, i]));
  const holderLine = new Map<string, string>();
  for (const i of board.incidents) {
    if (i.open)
      for (const m of i.members)
        holderLine.set(m, `${i.id}\u0000${fill(CAUSES[i.cause].scopeLine, i.subject)}`);
  }
  for (const [index, incident] of board.incidents.entries()) {
    const due = isDue(incident, now, deps.holdBackMs);
    const remind = !due && withReminders && reminderDue(incident, now, deps.reminderMinutes);
    if (!due && !remind) continue;
    const event: AlertEvent = remind ? 'reminder' : (incident.pending?.event ?? 'updated');
    const before = stored.incidents.find((i) => i.id === incident.id) ?? incident;
    const claimed: Incident = {
      ...incident,
      pending: null,
      lastNotifiedAt: nowIso,
      ...(remind ? { lastRemindedAt: nowIso, reminders: incident.reminders + 1 } : {}),
    };
    await states.load([
      ...incidentTargets(incident, board.alarms, context.targets),
      ...incident.members,
      ...(event === 'recovered' || event === 'merged' ? incident.everMembers : []),
    ]);
    const movedTo = new Map<string, string>();
    for (const m of incident.told?.members ?? []) {
      const holder = holderLine.get(m);
      if (holder && !holder.startsWith(`${incident.id}\u0000`))
        movedTo.set(m, holder.split('\u0000')[1] as string);
    }
    const into = incident.mergedInto ? byId.get(incident.mergedInto) : undefined;
    const policy = reminderPolicy(incident.severity, deps.reminderMinutes);
    const next = remind ? nextReminderAt(claimed, deps.reminderMinutes) : null;
    const alert = buildAlert(
      {
        event,
        incident: claimed,
        before: incident.told,
        alarms: board.alarms,
        movedTo,
        mergedIntoLine: into ? fill(CAUSES[into.cause].scopeLine, into.subject) : null,
        reminder: remind
          ? {
              count: claimed.reminders,
              max: policy?.maxReminders ?? null,
              nextAt: next ? new Date(next).toISOString() : null,
            }
          : null,
      },
      states.all(),
      transitions,
      context,
    );
    const told: Told = toldOf(alert, claimed);
    if (event === 'updated' && !hasNews(alert)) {
      // The change was undone before it was told (a target that joined and left): say nothing.
      board.incidents[index] = {
        ...incident,
        pending: null,
        told: { ...told, at: incident.told?.at ?? nowIso },
      };
      continue;
    }
    const final: Incident = { ...claimed, told };
    board.incidents[index] = final;
    claims.push({ incident: final, before, alert });
  }
  return claims;
}

/** A claim whose publish failed on some topics (`delivered` says how many took it) or all. */
interface Unsent {
  claim: Claim;
  error: unknown;
  delivered: number;
}

async function publishClaims(claims: readonly Claim[], deps: NotifierDeps, now: Date): Promise<SweepResult> {
  const result: SweepResult = { updates: 0, reminders: 0 };
  const failed: Unsent[] = [];
  for (const claim of claims) {
    const outcome = await publish(claim.alert, deps);
    if (outcome.failed.length === 0) {
      if (claim.alert.event === 'reminder') result.reminders += 1;
      else result.updates += 1;
      continue;
    }
    deps.logger.error('publish failed; the message is put back to be sent again', {
      incidentId: claim.incident.id,
      event: claim.alert.event,
      failedTopics: outcome.failed.map((f) => f.format),
      deliveredTopics: outcome.delivered,
      error: outcome.failed[0]?.error,
    });
    failed.push({
      claim,
      error: new AggregateError(
        outcome.failed.map((f) => f.error),
        `${claim.alert.event} of ${claim.incident.id}: ${outcome.failed.map((f) => f.format).join(', ')} failed`,
      ),
      delivered: outcome.delivered.length,
    });
  }
  if (failed.length > 0) {
    await putBack(failed, deps, now);
    throw new AggregateError(
      failed.map((f) => f.error),
      `notifier: ${failed.length} of ${claims.length} alerts could not be published: ${failed.map((f) => f.claim.incident.id).join(', ')}`,
    );
  }
  return result;
}

/**
 * A publish failed after its claim was written: mark its news pending again, so the retry or the
 * sweep sends it. When no topic took it, also restore what the incident had told (nobody heard
 * it); when some did, keep it (someone did). A reminder some topics took counts as sent.
 */
async function putBack(unsent: readonly Unsent[], deps: NotifierDeps, now: Date): Promise<void> {
  const claims = unsent.filter((u) => u.delivered === 0 || u.claim.alert.event !== 'reminder');
  if (claims.length === 0) return;
  for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
    const board = await getBoard(deps.db, deps.table);
    for (const { claim, delivered } of claims) {
      const { incident, before, alert } = claim;
      const index = board.incidents.findIndex((i) => i.id === incident.id);
      const current = board.incidents[index];
      if (!current) continue;
      const heard = delivered > 0;
      board.incidents[index] = {
        ...current,
        told: heard ? current.told : before.told,
        lastNotifiedAt: heard ? current.lastNotifiedAt : before.lastNotifiedAt,
        lastRemindedAt: alert.event === 'reminder' ? before.lastRemindedAt : current.lastRemindedAt,
        reminders: alert.event === 'reminder' ? before.reminders : current.reminders,
        // A reminder that was not sent is simply due again; anything else is news again, except an
        // opening nobody heard of an incident that has closed since (board.ts: no recovery either).
        pending:
          alert.event === 'reminder' || (alert.event === 'opened' && !heard && !current.open)
            ? current.pending
            : (current.pending ??
              before.pending ?? {
                event: alert.event as Exclude<AlertEvent, 'reminder'>,
                since: now.toISOString(),
              }),
      };
    }
    try {
      await saveBoard(deps.db, deps.table, board);
      return;
    } catch (error) {
      if (!(error instanceof IncidentConflictError)) break;
    }
  }
  deps.logger.error('cannot put unsent messages back; they are lost', {
    incidents: claims.map((c) => c.claim.incident.id),
  });
}

interface PublishOutcome {
  delivered: AlertTopic[];
  failed: { format: AlertTopic; error: unknown }[];
}

/**
 * Publishes the alert to every format's topic, each a String message with the routing attributes
 * (no MessageStructure: attributes are sent only with String messages, sns-message.ts). A message
 * too large for SNS even when trimmed fails every topic, before any publish.
 */
async function publish(alert: Alert, deps: NotifierDeps): Promise<PublishOutcome> {
  let composed: ReturnType<typeof composeSnsMessages>;
  try {
    composed = composeSnsMessages(alert);
  } catch (error) {
    return { delivered: [], failed: ALERT_TOPIC_NAMES.map((format) => ({ format, error })) };
  }
  const settled = await Promise.allSettled(
    ALERT_TOPIC_NAMES.map((format) =>
      deps.sns.send(
        new PublishCommand({
          TopicArn: deps.topicArns[format],
          Message: composed[format].message,
          ...(composed[format].subject ? { Subject: composed[format].subject } : {}),
          MessageAttributes: composed[format].messageAttributes,
        }),
      ),
    ),
  );
  const outcome: PublishOutcome = { delivered: [], failed: [] };
  settled.forEach((s, i) => {
    const format = ALERT_TOPIC_NAMES[i] as AlertTopic;
    if (s.status === 'fulfilled') outcome.delivered.push(format);
    else outcome.failed.push({ format, error: s.reason });
  });
  if (outcome.delivered.length > 0) {
    deps.logger.info('alert published', {
      incidentId: alert.incidentId,
      event: alert.event,
      severity: alert.messageSeverity,
      cause: alert.cause,
      failing: alert.failingCount,
      topics: outcome.delivered,
      trimmed: Object.fromEntries(
        ALERT_TOPIC_NAMES.filter((f) => composed[f].alert.omitted > 0).map((f) => [
          f,
          composed[f].alert.omitted,
        ]),
      ),
    });
  }
  return outcome;
}

function targetInfo(deps: NotifierDeps): Map<string, TargetInfo> {
  const info = new Map<string, TargetInfo>();
  for (const [target, registry] of deps.targetRegistries ?? []) info.set(target, { registry });
  for (const [target, owner] of deps.targetOwners ?? []) {
    info.set(target, { registry: info.get(target)?.registry ?? '', owner });
  }
  return info;
}

function regionOfArn(arn: string): string {
  return arn.split(':')[3] || 'us-east-1';
}

/** Each target's states, read once per invocation. */
class StateCache {
  private readonly states = new Map<string, TargetState[]>();
  private readonly limit = pLimit(8);

  constructor(private readonly deps: NotifierDeps) {}

  async load(targets: readonly string[]): Promise<void> {
    const missing = [...new Set(targets)].filter((t) => !this.states.has(t) && !t.startsWith('#'));
    await Promise.all(
      missing.map((target) =>
        this.limit(async () => {
          this.states.set(target, await readTargetStates(this.deps.db, this.deps.table, target));
        }),
      ),
    );
  }

  all(): ReadonlyMap<string, readonly TargetState[]> {
    return this.states;
  }
}
