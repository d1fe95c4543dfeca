/**
 * The copy of each result that goes to the home region with PutMetricData. CloudWatch alarms can
 * only read metrics of their own region, so the home alarms ("failing in K regions", "a region went
 * silent") need every region's results there, dimensioned by Target and ProbeRegion.
 *
 * Only what the home alarms read is copied (see HomeMetric): each copied series is a billed custom
 * metric per target and region. Sending is batched (at most 1000 data per request, the API limit)
 * and retried with backoff on throttling and server errors, but never past the caller's deadline:
 * a Lambda killed at its timeout would lose the log line that reports what was not sent. What
 * still cannot be sent is reported to the caller, who logs it; the same values are already in the
 * region's EMF lines.
 */
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { ProbeResult } from '../probe/result.ts';
import { Dimension, HomeMetric, METRICS_NAMESPACE } from './metrics-catalog.ts';

/** PutMetricData accepts at most 1000 data per request (and 1 MB; ours are ~300 bytes each). */
export const MAX_DATA_PER_REQUEST = 1000;

export function homeCopyData(
  target: string,
  probeRegion: string,
  result: ProbeResult,
  at: Date,
): MetricDatum[] {
  const dimensions = [
    { Name: Dimension.target, Value: target },
    { Name: Dimension.probeRegion, Value: probeRegion },
  ];
  const datum = (name: string, value: number, unit: StandardUnit): MetricDatum => ({
    MetricName: name,
    Dimensions: dimensions,
    Timestamp: at,
    Value: value,
    Unit: unit,
  });
  const failing = result.status === 'failing';
  const data = [datum(HomeMetric.success, failing ? 0 : 1, StandardUnit.Count)];
  // A failure's duration is how long it took to fail (a TIMEOUT is the whole deadline, ~10 s), not
  // the registry's latency: copied, it would fire the latency alarm beside the failing alarm.
  if (!failing) data.push(datum(HomeMetric.duration, result.durationMs, StandardUnit.Milliseconds));
  const { remaining, limit } = result.rateLimit ?? {};
  if (remaining != null && limit != null && limit > 0) {
    data.push(datum(HomeMetric.rateLimitRemainingPercent, (remaining / limit) * 100, StandardUnit.Percent));
  }
  if (result.tls)
    data.push(datum(HomeMetric.certDaysRemaining, result.tls.daysRemaining, StandardUnit.Count));
  return data;
}

export function batches<T>(items: readonly T[], size = MAX_DATA_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface RetryPolicy {
  /** Attempts per batch, the first included. @default 4 */
  attempts: number;
  /** Backoff before retry n is base × 2^(n-1), with full jitter. @default 200 */
  baseDelayMs: number;
  /** @default 5000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

export interface HomeCopyDeps {
  client: CloudWatchClient;
  retry?: Partial<RetryPolicy>;
  /**
   * When (epoch ms, on `now`'s clock) to stop: no request is started and no backoff is slept past
   * it, and what is left is reported unsent. Give the invocation's end minus the longest one
   * request may take and the time to log. @default no deadline
   */
  deadline?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The error an unsent batch is reported with when the deadline, not CloudWatch, stopped it. */
export class HomeCopyDeadlineError extends Error {
  override readonly name = 'HomeCopyDeadlineError';
}

export interface HomeCopyOutcome {
  sent: number;
  /** Data that could not be sent after every retry, with the last error of their batch. */
  unsent: { data: MetricDatum[]; error: unknown }[];
}

export async function publishHomeCopy(
  data: readonly MetricDatum[],
  deps: HomeCopyDeps,
): Promise<HomeCopyOutcome> {
  const outcome: HomeCopyOutcome = { sent: 0, unsent: [] };
  // Batches go one after another: a throttled account gets no burst of parallel retries.
  for (const batch of batches(data)) {
    try {
      await sendWithRetry(batch, deps);
      outcome.sent += batch.length;
    } catch (error) {
      outcome.unsent.push({ data: batch, error });
    }
  }
  return outcome;
}

async function sendWithRetry(batch: MetricDatum[], deps: HomeCopyDeps): Promise<void> {
  const policy = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const deadline = deps.deadline ?? Number.POSITIVE_INFINITY;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    if (now() >= deadline) throw deadlineError(attempt - 1, lastError);
    try {
      await deps.client.send(new PutMetricDataCommand({ Namespace: METRICS_NAMESPACE, MetricData: batch }));
      return;
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw error;
      lastError = error;
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(random() * ceiling);
    // A retry that could only start after the deadline is not worth waiting for.
    if (now() + delay >= deadline) throw deadlineError(attempt, lastError);
    await sleep(delay);
  }
}

function deadlineError(attempts: number, lastError: unknown): HomeCopyDeadlineError {
  return attempts === 0
    ? new HomeCopyDeadlineError('not sent: the publish deadline passed before this batch')
    : new HomeCopyDeadlineError(`gave up after ${attempts} attempts: the publish deadline is near`, {
        cause: lastError,
      });
}

/** Throttling, server errors and network failures are worth another try; a bad request is not. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (e.$retryable) return true;
  if (
    e.name &&
    /Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalFailure|InternalService/.test(
      e.name,
    )
  ) {
    return true;
  }
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return true; // no response at all: network or timeout
  return status === 429 || status >= 500;
}
