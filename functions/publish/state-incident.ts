/**
 * The notifier's own state: one item (pk INCIDENT_PK, sk BOARD_SK) that holds every alarm of ours
 * in ALARM and every open (or recently closed) incident. One item, not one per incident, because an
 * incident is a grouping of alarms that changes as the picture changes (three registry incidents
 * become one regional fault): moving targets between incidents must be one atomic write, and a
 * conditional write of one item is that. Alarms are rare, so two pollers seldom contend; when they
 * do, the version check makes the loser read again and re-apply (notifier.ts).
 *
 * Size: DynamoDB items hold at most 400 KB ("Service, account, and table quotas in Amazon
 * DynamoDB": item size). The item is therefore stored compactly (`toItem`): alarms by member, each
 * as its kind when its name is the catalog's `alarmName(kind, member)` (the name, target, subject
 * and ARN follow from it), no reasons (those travel in the batch). A 1,000-target outage with two
 * alarms each then takes about 250 KB open and 210 KB just recovered (board.test.ts measures it
 * and fails past MAX_BOARD_BYTES); a fleet much larger than that, all failing at once, needs the
 * board split (not done). `saveBoard` refuses a board past MAX_BOARD_BYTES with a clear error instead of
 * letting DynamoDB reject it.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ALARM_KINDS, type AlarmKind, type AlarmSeverity, alarmKindOf, alarmName } from './alarm-catalog.ts';
import type { CauseKind } from './notification/causes.ts';
import { INCIDENT_PK } from './state-item.ts';

export const BOARD_SK = 'board';
/** DynamoDB's item limit is 400 KB including attribute names; keep a margin. */
export const MAX_BOARD_BYTES = 380_000;

/** One of our alarms in ALARM. */
export interface ActiveAlarm {
  /** What it counts under: its target, or the alarm's own name when it names none. */
  member: string;
  target: string | null;
  kind: AlarmKind | null;
  /** The subject its name carries (a target, a registry host, a region), from the alarm catalog. */
  subject: string | null;
  /** ISO 8601: when it went to ALARM. */
  since: string;
  arn: string | null;
}

/** What the last message sent about an incident said: updates tell the difference. */
export interface Told {
  key: string;
  members: string[];
  code: string | null;
  regions: string[];
  at: string;
}

export type PendingEvent = 'opened' | 'updated' | 'recovered' | 'merged';

/** Something changed that is not told yet; sent when due (pending.ts). */
export interface PendingNote {
  event: PendingEvent;
  /** ISO 8601: when the first untold change happened. */
  since: string;
}

export interface Incident {
  /** Stable for the incident's life, across re-grouping: the thread id and PagerDuty dedup key. */
  id: string;
  /** `cause:subject` (causes.ts); changes when the incident is re-grouped. */
  key: string;
  cause: CauseKind;
  subject: string;
  severity: AlarmSeverity;
  open: boolean;
  openedAt: string;
  closedAt: string | null;
  lastNotifiedAt: string | null;
  lastRemindedAt: string | null;
  reminders: number;
  /** Members now (targets, or alarm names for alarms that name none). */
  members: string[];
  /** Every member it ever had: the recovery names them all. */
  everMembers: string[];
  told: Told | null;
  pending: PendingNote | null;
  /** Keys it had before being re-grouped, newest last. */
  previousKeys: string[];
  /** Other incidents that were merged into this one, by title subject. */
  absorbed: string[];
  /** The incident this one was merged into, when it closed that way. */
  mergedInto: string | null;
}

export interface ClearedAlarm {
  member: string;
  /** ISO 8601: when it went OK. */
  at: string;
}

export interface Board {
  alarms: Record<string, ActiveAlarm>;
  /** When each recently cleared alarm went OK, and its member: a late, older ALARM must not re-open it. */
  cleared: Record<string, ClearedAlarm>;
  incidents: Incident[];
  version: number;
}

export function emptyBoard(): Board {
  return { alarms: {}, cleared: {}, incidents: [], version: 0 };
}

/** Another notifier changed the board since it was read; read again and re-apply. */
export class IncidentConflictError extends Error {
  override name = 'IncidentConflictError';
}

export class BoardTooLargeError extends Error {
  override name = 'BoardTooLargeError';
}

export async function getBoard(client: DynamoDBDocumentClient, table: string): Promise<Board> {
  const reply = await client.send(
    new GetCommand({ TableName: table, Key: { pk: INCIDENT_PK, sk: BOARD_SK }, ConsistentRead: true }),
  );
  return reply.Item ? toBoard(reply.Item) : emptyBoard();
}

/** Stores `board` as version `board.version + 1`, if the stored one is still `board.version`. */
export async function saveBoard(client: DynamoDBDocumentClient, table: string, board: Board): Promise<Board> {
  const saved: Board = { ...board, version: board.version + 1 };
  const item = toItem(saved);
  const bytes = Buffer.byteLength(JSON.stringify(item));
  if (bytes > MAX_BOARD_BYTES) {
    throw new BoardTooLargeError(
      `the incident board is ${bytes} bytes, past ${MAX_BOARD_BYTES} (DynamoDB items hold 400 KB): ${Object.keys(saved.alarms).length} alarms in ALARM`,
    );
  }
  try {
    await client.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ConditionExpression: board.version === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
        ...(board.version === 0
          ? {}
          : {
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': board.version },
            }),
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new IncidentConflictError(`the incident board changed since version ${board.version}`, {
        cause: error,
      });
    }
    throw error;
  }
  return saved;
}

/**
 * One stored alarm: `[kind or name, since]`, plus its ARN when it is not `arnPrefix + name`.
 * A kind stands for `alarmName(kind, member)` with the member as its target.
 */
type StoredAlarm = [string, string] | [string, string, string];

/** The item as stored; `toBoard` reads it back. Exported for the size test. */
export function toItem(board: Board): Record<string, unknown> {
  const arnPrefix = commonArnPrefix(Object.entries(board.alarms));
  const alarms: Record<string, StoredAlarm[]> = {};
  for (const [name, alarm] of Object.entries(board.alarms)) {
    const short = alarm.kind && alarm.target === alarm.member && alarmName(alarm.kind, alarm.member) === name;
    const entry: StoredAlarm =
      alarm.arn && alarm.arn !== `${arnPrefix}${name}`
        ? [short ? (alarm.kind as string) : name, alarm.since, alarm.arn]
        : [short ? (alarm.kind as string) : name, alarm.since];
    const list = alarms[alarm.member] ?? [];
    list.push(entry);
    alarms[alarm.member] = list;
  }
  const cleared: Record<string, [string, string][]> = {};
  for (const [name, c] of Object.entries(board.cleared)) {
    const found = alarmKindOf(name);
    const short = found && alarmName(found.spec.kind as AlarmKind, c.member) === name;
    const list = cleared[c.member] ?? [];
    list.push([short ? found.spec.kind : name, c.at]);
    cleared[c.member] = list;
  }
  return {
    pk: INCIDENT_PK,
    sk: BOARD_SK,
    arnPrefix,
    alarms,
    cleared,
    incidents: board.incidents,
    version: board.version,
  };
}

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:` of the first alarm with an ARN. */
function commonArnPrefix(alarms: readonly [string, ActiveAlarm][]): string {
  for (const [name, alarm] of alarms) {
    if (alarm.arn?.endsWith(`:alarm:${name}`)) return alarm.arn.slice(0, alarm.arn.length - name.length);
  }
  return '';
}

/** Reads a stored board back (toItem's form), tolerating missing attributes. */
export function toBoard(item: Record<string, unknown>): Board {
  const arnPrefix = str(item['arnPrefix']) ?? '';
  const alarms: Record<string, ActiveAlarm> = {};
  for (const [member, entries] of Object.entries((item['alarms'] ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') continue;
      const [first, since, arn] = entry as [string, string, unknown];
      const name = first in ALARM_KINDS ? alarmName(first as AlarmKind, member) : first;
      const found = alarmKindOf(name);
      const target = first in ALARM_KINDS ? member : name === member ? null : member;
      alarms[name] = {
        member,
        target,
        kind: (found?.spec.kind as AlarmKind | undefined) ?? null,
        subject: found?.subject ?? null,
        since,
        arn: typeof arn === 'string' ? arn : arnPrefix ? `${arnPrefix}${name}` : null,
      };
    }
  }
  const cleared: Record<string, ClearedAlarm> = {};
  for (const [member, entries] of Object.entries((item['cleared'] ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') continue;
      const name = entry[0] in ALARM_KINDS ? alarmName(entry[0] as AlarmKind, member) : entry[0];
      cleared[name] = { member, at: entry[1] };
    }
  }
  const incidents = Array.isArray(item['incidents'])
    ? (item['incidents'] as Record<string, unknown>[]).flatMap(toIncident)
    : [];
  return {
    alarms,
    cleared,
    incidents,
    version: typeof item['version'] === 'number' ? item['version'] : 0,
  };
}

function toIncident(raw: Record<string, unknown>): Incident[] {
  if (!raw || typeof raw['id'] !== 'string' || typeof raw['key'] !== 'string') return [];
  const told = raw['told'] as Record<string, unknown> | null | undefined;
  const pending = raw['pending'] as Record<string, unknown> | null | undefined;
  const pendingEvent = str(pending?.['event']);
  return [
    {
      id: raw['id'],
      key: raw['key'],
      cause: (str(raw['cause']) ?? 'alarm') as CauseKind,
      subject: str(raw['subject']) ?? '',
      severity: raw['severity'] === 'warning' ? 'warning' : 'critical',
      open: raw['open'] === true,
      openedAt: str(raw['openedAt']) ?? '',
      closedAt: str(raw['closedAt']),
      lastNotifiedAt: str(raw['lastNotifiedAt']),
      lastRemindedAt: str(raw['lastRemindedAt']),
      reminders: typeof raw['reminders'] === 'number' ? raw['reminders'] : 0,
      members: strings(raw['members']),
      everMembers: strings(raw['everMembers']),
      told:
        told && typeof told === 'object'
          ? {
              key: str(told['key']) ?? '',
              members: strings(told['members']),
              code: str(told['code']),
              regions: strings(told['regions']),
              at: str(told['at']) ?? '',
            }
          : null,
      pending:
        pendingEvent === 'opened' ||
        pendingEvent === 'updated' ||
        pendingEvent === 'recovered' ||
        pendingEvent === 'merged'
          ? { event: pendingEvent, since: str(pending?.['since']) ?? '' }
          : null,
      previousKeys: strings(raw['previousKeys']),
      absorbed: strings(raw['absorbed']),
      mergedInto: str(raw['mergedInto']),
    },
  ];
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export type { AlarmSeverity };
