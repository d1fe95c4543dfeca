/**
 * Writes each probe result to the state of record: a DynamoDB table in the home region, one item per
 * target and probe region. The notifier reads it to say where, since when and why a target fails.
 *
 * Cost: a healthy, unchanged target is written only as a heartbeat every `heartbeatMinutes`; a
 * change of status, diagnosis, warnings, rate-limit source or rate-limit budget (by tenths of the
 * limit) is written at once; a failing target is written on every
 * run, because its consecutive-failure counter and its evidence are what the on-call reads. Whether
 * a result is "unchanged" is judged from a per-container memory of what this writer last wrote, not
 * from a read, so the probe needs no read permission and spends no read units. (A failed conditional
 * write is billed like a write, so a condition alone would not save anything.)
 *
 * Correctness with several writers (two overlapping runs of one region, or a retry) comes from
 * conditional UpdateItem, never from the memory:
 *   1. Same status as stored: update in place; `since` is untouched, the failure counter increments
 *      atomically (`consecutiveFailures + 1`). Condition: the stored status equals ours.
 *   2. Otherwise a transition: set status, `since` = now, reset the counter. Condition: no item, or a
 *      different stored status. If another writer won the same transition first, go back to 1.
 *   Both also require the stored `lastSeen` to be no newer than ours, so a late run never replaces a
 *   newer result.
 *
 * `recordResults` never throws: the home region can be down while the regional probe must still
 * publish its metrics and logs. It returns a summary, and logs what failed. Given a `deadline`, it
 * starts no write past it and aborts the writes still in flight there: a slow or throttling table
 * must not run the Lambda into its timeout, where the logs of the run would be lost.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import pLimit from 'p-limit';
import type { ProbeResult } from '../probe/result.ts';
import { DEFAULT_HEARTBEAT_MINUTES, DEFAULT_TTL_DAYS, resultAttributes } from './state-item.ts';

export interface TargetResult {
  /** Target name: the key of the item, and the `Target` dimension the alarms carry. */
  target: string;
  result: ProbeResult;
}

export interface StateLogger {
  warn(message: string, ...extra: unknown[]): void;
}

/** What this writer last wrote per item; keep one per container (module scope) to skip unchanged writes. */
export type WriteMemory = Map<string, { fingerprint: string; writtenAtMs: number }>;

export function createWriteMemory(): WriteMemory {
  return new Map();
}

export interface RecordOptions {
  /** The probe region: the sort key. */
  region: string;
  now: Date;
  table: string;
  client: DynamoDBDocumentClient;
  /** A healthy, unchanged item is rewritten after this long, so the notifier sees it is alive. @default DEFAULT_HEARTBEAT_MINUTES */
  heartbeatMinutes?: number;
  /** Items expire this long after their last write. @default DEFAULT_TTL_DAYS */
  ttlDays?: number;
  /** Without it every result is written. */
  memory?: WriteMemory;
  /** Parallel writes. @default 8 */
  concurrency?: number;
  logger?: StateLogger;
  /**
   * When (epoch ms, on `clock`) to stop: no write is started past it, writes in flight are aborted
   * at it, and their targets are reported failed. Give the invocation's end minus the time to log
   * and flush. @default no deadline
   */
  deadline?: number;
  /** The clock `deadline` is on. @default Date.now */
  clock?: () => number;
}

/** The error a write is reported with when the deadline, not DynamoDB, stopped it. */
export class StateDeadlineError extends Error {
  override readonly name = 'StateDeadlineError';
}

export interface RecordFailure {
  target: string;
  error: string;
}

export interface RecordSummary {
  /** True when every result was written, skipped as unchanged, or found superseded. */
  ok: boolean;
  written: number;
  /** Unchanged and healthy, heartbeat not yet due. */
  skipped: number;
  /** A newer result for the same item was already stored. */
  superseded: number;
  failed: RecordFailure[];
}

type Outcome = 'written' | 'skipped' | 'superseded';

const MAX_ATTEMPTS = 3;
/** Targets named in the warning log; the count is always there. */
const MAX_LOGGED_TARGETS = 50;

/** The options plus the signal that aborts every write at the deadline. */
type WriteContext = RecordOptions & { signal: AbortSignal };

export async function recordResults(
  results: readonly TargetResult[],
  options: RecordOptions,
): Promise<RecordSummary> {
  const summary: RecordSummary = { ok: true, written: 0, skipped: 0, superseded: 0, failed: [] };
  const limit = pLimit(options.concurrency ?? 8);
  const clock = options.clock ?? Date.now;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  // One signal for every write: a request hanging on a slow table is cut at the deadline, not at
  // the SDK's own timeouts (which, with its retry, can outlast what is left of the invocation).
  const controller = new AbortController();
  const timer = Number.isFinite(deadline)
    ? setTimeout(
        () => controller.abort(new StateDeadlineError('abandoned: the state write deadline passed')),
        Math.max(0, deadline - clock()),
      )
    : undefined;
  const context: WriteContext = { ...options, signal: controller.signal };
  const deadlinePassed = () => controller.signal.aborted || clock() >= deadline;
  // Once the table is unreachable, the rest would only wait for the same timeout: stop trying.
  let unreachable: string | null = null;

  try {
    await Promise.all(
      results.map((item) =>
        limit(async () => {
          if (deadlinePassed()) {
            summary.failed.push({
              target: item.target,
              error: 'not attempted: the state write deadline passed',
            });
            return;
          }
          if (unreachable !== null) {
            summary.failed.push({ target: item.target, error: `not attempted: ${unreachable}` });
            return;
          }
          try {
            const outcome = await recordOne(item, context);
            summary[outcome] += 1;
          } catch (error) {
            const aborted = controller.signal.aborted;
            const message = aborted ? describe(controller.signal.reason) : describe(error);
            summary.failed.push({ target: item.target, error: message });
            if (!aborted && isSystemic(error)) unreachable = message;
          }
        }),
      ),
    );
  } finally {
    clearTimeout(timer);
  }

  summary.ok = summary.failed.length === 0;
  if (!summary.ok) {
    const targets = summary.failed.map((f) => f.target);
    (options.logger ?? consoleLogger).warn('state of record: some results were not written', {
      table: options.table,
      region: options.region,
      failed: summary.failed.length,
      written: summary.written,
      deadlinePassed: controller.signal.aborted || clock() >= deadline,
      // What the notifier will not see this run (it reads the previous result, or none).
      unwritten:
        targets.length > MAX_LOGGED_TARGETS
          ? [...targets.slice(0, MAX_LOGGED_TARGETS), `+${targets.length - MAX_LOGGED_TARGETS} more`]
          : targets,
      firstError: summary.failed[0]?.error,
    });
  }
  return summary;
}

async function recordOne({ target, result }: TargetResult, options: WriteContext): Promise<Outcome> {
  const memoryKey = `${target}\u0000${options.region}`;
  const fingerprint = fingerprintOf(result);
  const nowMs = options.now.getTime();
  const heartbeatMs = (options.heartbeatMinutes ?? DEFAULT_HEARTBEAT_MINUTES) * 60_000;
  const remembered = options.memory?.get(memoryKey);
  if (
    remembered &&
    result.status !== 'failing' &&
    remembered.fingerprint === fingerprint &&
    nowMs - remembered.writtenAtMs < heartbeatMs
  ) {
    return 'skipped';
  }

  const outcome = await writeWithConditions(target, result, options);
  if (outcome === 'written') options.memory?.set(memoryKey, { fingerprint, writtenAtMs: nowMs });
  return outcome;
}

async function writeWithConditions(
  target: string,
  result: ProbeResult,
  options: WriteContext,
): Promise<'written' | 'superseded'> {
  const now = options.now.toISOString();
  const ttl = Math.floor(options.now.getTime() / 1000) + (options.ttlDays ?? DEFAULT_TTL_DAYS) * 86_400;
  const failing = result.status === 'failing';
  const attributes = { ...resultAttributes(result), lastSeen: now, ttl };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const same = await conditionalUpdate(options, target, {
      set: attributes,
      counter: failing ? 'increment' : 'reset',
      condition: '#status = :status AND #lastSeen <= :lastSeen',
      conditionValues: { ':status': result.status },
    });
    if (same.ok) return 'written';
    if (isNewer(same.old, now)) return 'superseded';

    const transition = await conditionalUpdate(options, target, {
      set: { ...attributes, status: result.status, since: now, consecutiveFailures: failing ? 1 : 0 },
      counter: 'none',
      condition:
        '(attribute_not_exists(pk) OR #status <> :status) AND (attribute_not_exists(#lastSeen) OR #lastSeen <= :lastSeen)',
      conditionValues: { ':status': result.status },
    });
    if (transition.ok) return 'written';
    if (isNewer(transition.old, now)) return 'superseded';
    // DynamoDB returns the item that failed the condition; emulators may not. Then ask directly.
    if (transition.old === null && (await storedIsNewer(options, target, now))) return 'superseded';
    // Another writer made the same transition between our two calls: its `since` stands; count on it.
  }
  throw new Error(
    `state of record: ${target}/${options.region} kept changing under ${MAX_ATTEMPTS} attempts`,
  );
}

interface UpdateSpec {
  set: Record<string, unknown>;
  counter: 'increment' | 'reset' | 'none';
  condition: string;
  conditionValues: Record<string, unknown>;
}

async function conditionalUpdate(
  options: WriteContext,
  target: string,
  spec: UpdateSpec,
): Promise<{ ok: true } | { ok: false; old: Record<string, unknown> | null }> {
  const names: Record<string, string> = { '#status': 'status', '#lastSeen': 'lastSeen' };
  const values: Record<string, unknown> = { ...spec.conditionValues };
  const assignments: string[] = [];
  Object.entries(spec.set).forEach(([attribute, value], index) => {
    // Placeholders for every name: several attribute names (status, ttl, source) are reserved words.
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = value;
    assignments.push(`#a${index} = :a${index}`);
  });
  values[':lastSeen'] = spec.set['lastSeen'];
  if (spec.counter === 'increment') {
    names['#failures'] = 'consecutiveFailures';
    values[':zero'] = 0;
    values[':one'] = 1;
    assignments.push('#failures = if_not_exists(#failures, :zero) + :one');
  } else if (spec.counter === 'reset') {
    names['#failures'] = 'consecutiveFailures';
    values[':zero'] = 0;
    assignments.push('#failures = :zero');
  }

  // A retry of the condition loop must not start past the deadline either.
  options.signal.throwIfAborted();
  try {
    await options.client.send(
      new UpdateCommand({
        TableName: options.table,
        Key: { pk: target, sk: options.region },
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: spec.condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      { abortSignal: options.signal },
    );
    return { ok: true };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    return { ok: false, old: raw ? unmarshall(raw) : null };
  }
}

/**
 * Whether the stored item is newer than `now`, asked with a self-assignment that succeeds only then:
 * the writer needs no read permission for this rare case.
 */
async function storedIsNewer(options: WriteContext, target: string, now: string): Promise<boolean> {
  options.signal.throwIfAborted();
  try {
    await options.client.send(
      new UpdateCommand({
        TableName: options.table,
        Key: { pk: target, sk: options.region },
        UpdateExpression: 'SET #lastSeen = #lastSeen',
        ConditionExpression: 'attribute_exists(pk) AND #lastSeen > :now',
        ExpressionAttributeNames: { '#lastSeen': 'lastSeen' },
        ExpressionAttributeValues: { ':now': now },
      }),
      { abortSignal: options.signal },
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

function isNewer(old: Record<string, unknown> | null, now: string): boolean {
  return typeof old?.['lastSeen'] === 'string' && (old['lastSeen'] as string) > now;
}

/**
 * The rate-limit budget counts as changed when it moves to another tenth of the limit: the alert
 * shows the stored figure, which would otherwise stay the one seen when the warning started (a
 * degraded, unchanged result is rewritten only on the heartbeat), while a write on every pull
 * spent would cost a write per run.
 */
export const RATE_LIMIT_BUCKETS = 10;

/** Everything whose change must reach the table at once. */
function fingerprintOf(result: ProbeResult): string {
  const warnings = result.warnings.map((w) => w.code).sort();
  return JSON.stringify([
    result.status,
    result.diagnosis?.code ?? null,
    warnings,
    budgetBucket(result.rateLimit),
    // Docker Hub counts per source address; a new one (NAT change) is a new budget.
    result.rateLimit?.source ?? null,
  ]);
}

function budgetBucket(rateLimit: ProbeResult['rateLimit']): number | null {
  const { remaining, limit } = rateLimit ?? {};
  if (remaining == null || limit == null || limit <= 0) return null;
  // Integer arithmetic: 30 / 100 / 0.1 is 2.9999999999999996 in floating point.
  return Math.floor((Math.min(remaining, limit) * RATE_LIMIT_BUCKETS) / limit);
}

/** Errors that will repeat for every item: no network, no table, no permission, throttled service. */
function isSystemic(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) return true;
  return /ResourceNotFound|AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken/.test(e.name ?? '');
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

const consoleLogger: StateLogger = {
  warn: (message, ...extra) => console.warn(JSON.stringify({ level: 'WARN', message, extra })),
};
