/**
 * Incident records, kept in the state table beside the target items: pk '#incident', sk the group
 * key (the registry host). One open incident per registry is what makes "one alert per incident":
 * thirty targets of one registry failing together join one incident and one chat thread.
 *
 * Writes use optimistic locking (a `version` attribute and a conditional UpdateItem), so two notifier
 * invocations that race on one registry cannot both open an incident or lose each other's targets.
 * The write that records a message as sent comes before the publish: of two pollers, only the one
 * whose write wins sends (see notifier.ts).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { INCIDENT_PK } from './state-item.ts';

export interface Incident {
  /** Group key: the registry host, or the target name when its registry is not known. */
  group: string;
  open: boolean;
  /** Chat thread of this incident: the opening, updates, reminders and the recovery share it. */
  threadId: string;
  /** ISO 8601. */
  openedAt: string;
  closedAt: string | null;
  lastNotifiedAt: string;
  lastRemindedAt: string | null;
  /** Target name -> names of its alarms now in ALARM. A target with no entry is not failing. */
  alarms: Record<string, string[]>;
  /** Every target that was in alarm during this incident, for the recovery message. */
  affected: string[];
  /** A message decided on but not sent yet: an update held back, or one whose publish failed. */
  pending: PendingMessage | null;
  version: number;
}

/** What a transition contributes to a message sent later: enough for its reason, metric and ARN. */
export interface PendingTransition {
  alarmName: string;
  alarmArn: string | null;
  target: string | null;
  newState: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  reason: string;
  /** ISO 8601. */
  at: string;
  metricName: string | null;
}

export interface PendingMessage {
  event: 'opened' | 'updated' | 'recovered';
  /** Targets that joined, left, and alarm names raised since the last message that was sent. */
  joined: string[];
  recovered: string[];
  raised: string[];
  /** The latest transition of each alarm involved, so the message has each alarm's reason and ARN. */
  transitions: PendingTransition[];
  /** ISO 8601: when the first change in it was decided. */
  since: string;
}

/** Another notifier changed the incident since it was read; read again and re-apply. */
export class IncidentConflictError extends Error {
  override name = 'IncidentConflictError';
}

/** Closed incidents stay a while, so a flapping registry's history can be looked at, then expire. */
const CLOSED_TTL_SECONDS = 30 * 86_400;

export async function getIncident(
  client: DynamoDBDocumentClient,
  table: string,
  group: string,
): Promise<Incident | null> {
  const reply = await client.send(
    new GetCommand({ TableName: table, Key: { pk: INCIDENT_PK, sk: group }, ConsistentRead: true }),
  );
  return reply.Item ? toIncident(reply.Item) : null;
}

/** Open incidents, and closed ones whose last message (the recovery) is still to be sent. */
export async function listOpenIncidents(client: DynamoDBDocumentClient, table: string): Promise<Incident[]> {
  const incidents: Incident[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#open = :true OR attribute_type(#pending, :map)',
        ExpressionAttributeNames: { '#open': 'open', '#pending': 'pending' },
        ExpressionAttributeValues: { ':pk': INCIDENT_PK, ':true': true, ':map': 'M' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) incidents.push(toIncident(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return incidents;
}

/**
 * Stores `incident` as version `expectedVersion + 1`. `expectedVersion` is the version that was read,
 * or null when there was no item.
 */
export async function saveIncident(
  client: DynamoDBDocumentClient,
  table: string,
  incident: Incident,
  expectedVersion: number | null,
  now: Date,
): Promise<Incident> {
  const saved: Incident = { ...incident, version: (expectedVersion ?? 0) + 1 };
  const attributes: Record<string, unknown> = {
    open: saved.open,
    threadId: saved.threadId,
    openedAt: saved.openedAt,
    closedAt: saved.closedAt,
    lastNotifiedAt: saved.lastNotifiedAt,
    lastRemindedAt: saved.lastRemindedAt,
    alarms: saved.alarms,
    affected: saved.affected,
    pending: saved.pending,
    version: saved.version,
    // Open incidents never expire; closed ones do.
    ttl: saved.open ? null : Math.floor(now.getTime() / 1000) + CLOSED_TTL_SECONDS,
  };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments = Object.entries(attributes).map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} = :a${index}`;
  });
  if (expectedVersion !== null) {
    // DynamoDB rejects placeholders an expression does not use, so these exist only with the condition.
    names['#version'] = 'version';
    values[':expected'] = expectedVersion;
  }
  try {
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: INCIDENT_PK, sk: saved.group },
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: expectedVersion === null ? 'attribute_not_exists(pk)' : '#version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new IncidentConflictError(`incident ${saved.group} changed since version ${expectedVersion}`, {
        cause: error,
      });
    }
    throw error;
  }
  return saved;
}

function toIncident(item: Record<string, unknown>): Incident {
  const alarms: Record<string, string[]> = {};
  const rawAlarms = item['alarms'];
  if (rawAlarms && typeof rawAlarms === 'object') {
    for (const [target, names] of Object.entries(rawAlarms as Record<string, unknown>)) {
      if (Array.isArray(names) && names.length > 0) alarms[target] = names.map(String);
    }
  }
  const str = (k: string): string | null => (typeof item[k] === 'string' ? (item[k] as string) : null);
  return {
    group: String(item['sk']),
    open: item['open'] === true,
    threadId: str('threadId') ?? String(item['sk']),
    openedAt: str('openedAt') ?? '',
    closedAt: str('closedAt'),
    lastNotifiedAt: str('lastNotifiedAt') ?? str('openedAt') ?? '',
    lastRemindedAt: str('lastRemindedAt'),
    alarms,
    affected: Array.isArray(item['affected']) ? (item['affected'] as unknown[]).map(String) : [],
    pending: toPending(item['pending']),
    version: typeof item['version'] === 'number' ? item['version'] : 0,
  };
}

function toPending(raw: unknown): PendingMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const item = raw as Record<string, unknown>;
  const event = item['event'];
  if (event !== 'opened' && event !== 'updated' && event !== 'recovered') return null;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const transitions = Array.isArray(item['transitions'])
    ? (item['transitions'] as Record<string, unknown>[])
    : [];
  return {
    event,
    joined: strings(item['joined']),
    recovered: strings(item['recovered']),
    raised: strings(item['raised']),
    transitions: transitions.flatMap((t): PendingTransition[] => {
      const newState = t['newState'];
      if (typeof t['alarmName'] !== 'string') return [];
      if (newState !== 'ALARM' && newState !== 'OK' && newState !== 'INSUFFICIENT_DATA') return [];
      return [
        {
          alarmName: t['alarmName'],
          alarmArn: text(t['alarmArn']),
          target: text(t['target']),
          newState,
          reason: text(t['reason']) ?? '',
          at: text(t['at']) ?? '',
          metricName: text(t['metricName']),
        },
      ];
    }),
    since: text(item['since']) ?? '',
  };
}
