/**
 * The metrics of each run, sent to the home region with PutMetricData: one `Failing` sample per
 * target, the warning metrics while their warning holds, and the region's heartbeat (see
 * metrics-catalog.ts for why there is no region dimension). CloudWatch alarms can only read metrics
 * of their own region, so every region sends to the home region.
 *
 * Every datum is stamped with the run's scheduled time, not the time it was sent: a region's runs
 * are exactly one period apart, so each lands exactly one sample per target in each period, however
 * long the run took, and the alarms' SampleCount counts regions, not runs.
 *
 * Sending is batched (at most 1000 data per request, the API limit) and retried with backoff on
 * throttling and server errors, but never past the caller's deadline: a Lambda killed at its
 * timeout would lose the log line that reports what was not sent. What still cannot be sent is
 * reported to the caller, who logs it; every result is also in the region's result log line.
 */
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { ProbeResult } from '../probe/result.ts';
import { HomeMetric, METRICS_NAMESPACE, type MetricSpec } from './metrics-catalog.ts';

/** PutMetricData accepts at most 1000 data per request (and 1 MB; ours are ~150 bytes each). */
export const MAX_DATA_PER_REQUEST = 1000;

function datum(spec: MetricSpec, dimensionValue: string, value: number, at: Date): MetricDatum {
  return {
    MetricName: spec.name,
    Dimensions: [{ Name: spec.dimension, Value: dimensionValue }],
    Timestamp: at,
    Value: value,
    Unit: StandardUnit[spec.unit],
  };
}

/**
 * What one target's result adds to the run's metrics. `registry` is the host the certificate
 * belongs to (the target's registry, as the CDK app dimensions the certificate alarm).
 */
export function resultMetricData(
  target: string,
  registry: string,
  result: ProbeResult,
  scheduledAt: Date,
): MetricDatum[] {
  const failing = result.status === 'failing';
  const data = [datum(HomeMetric.failing, target, failing ? 1 : 0, scheduledAt)];
  const warns = new Set(result.warnings.map((w) => w.code));
  const { remaining, limit } = result.rateLimit ?? {};
  if (warns.has('RATE_LIMIT_LOW') && remaining != null && limit != null && limit > 0) {
    data.push(datum(HomeMetric.rateLimitLowPercent, target, (remaining / limit) * 100, scheduledAt));
  }
  if (warns.has('CERT_EXPIRING') && result.tls) {
    data.push(datum(HomeMetric.certExpiringDays, registry, result.tls.daysRemaining, scheduledAt));
  }
  // A failure's duration is how long it took to fail (a TIMEOUT is the whole deadline), not the
  // registry's latency; a failing probe has no warnings, so SLOW never comes with it.
  if (warns.has('SLOW')) data.push(datum(HomeMetric.slowMs, target, result.durationMs, scheduledAt));
  return data;
}

/** The region's heartbeat for one finished run (of one shard). */
export function heartbeatDatum(probeRegion: string, targetsProbed: number, scheduledAt: Date): MetricDatum {
  return datum(HomeMetric.heartbeat, probeRegion, targetsProbed, scheduledAt);
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

export interface PublishMetricsDeps {
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
export class MetricsDeadlineError extends Error {
  override readonly name = 'MetricsDeadlineError';
}

export interface PublishOutcome {
  sent: number;
  /** Data that could not be sent after every retry, with the last error of their batch. */
  unsent: { data: MetricDatum[]; error: unknown }[];
}

export async function publishMetrics(
  data: readonly MetricDatum[],
  deps: PublishMetricsDeps,
): Promise<PublishOutcome> {
  const outcome: PublishOutcome = { sent: 0, unsent: [] };
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

async function sendWithRetry(batch: MetricDatum[], deps: PublishMetricsDeps): Promise<void> {
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

function deadlineError(attempts: number, lastError: unknown): MetricsDeadlineError {
  return attempts === 0
    ? new MetricsDeadlineError('not sent: the publish deadline passed before this batch')
    : new MetricsDeadlineError(`gave up after ${attempts} attempts: the publish deadline is near`, {
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
