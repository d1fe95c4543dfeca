/**
 * Publishes one probe result as CloudWatch metrics in the probe's own region, through the Embedded
 * Metric Format: Powertools writes JSON lines to stdout and CloudWatch Logs turns them into
 * metrics, with no API call per datum. The EMF line also keeps the values in the logs, so a result
 * whose home-region copy could not be sent is never lost.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ProbeResult, StepTimings } from '../probe/result.ts';
import { Dimension, NETWORK_PHASES, type NetworkPhase, RegionalMetric } from './metrics-catalog.ts';

const PHASE_FIELD: Record<NetworkPhase, keyof StepTimings> = {
  dns: 'dnsMs',
  connect: 'connectMs',
  tls: 'tlsMs',
  ttfb: 'ttfbMs',
};

/** Sum of one network phase over every request of the probe; null when no request had that phase. */
export function phaseTotal(result: ProbeResult, phase: NetworkPhase): number | null {
  let total: number | null = null;
  for (const step of result.steps) {
    const value = step.timings[PHASE_FIELD[phase]];
    if (value !== null) total = (total ?? 0) + value;
  }
  return total;
}

/**
 * Writes the result's metrics as one EMF line (dimension Target), plus one line for the failure
 * count by code when the probe failed. Synchronous on purpose: nothing else can add to the shared
 * Metrics buffer between the first addMetric and the flush.
 */
export function emitResultMetrics(metrics: Metrics, target: string, result: ProbeResult): void {
  metrics.addDimension(Dimension.target, target);
  metrics.addMetric(RegionalMetric.success, MetricUnit.Count, result.status === 'failing' ? 0 : 1);
  metrics.addMetric(RegionalMetric.duration, MetricUnit.Milliseconds, result.durationMs);
  for (const phase of NETWORK_PHASES) {
    const total = phaseTotal(result, phase);
    if (total !== null) metrics.addMetric(RegionalMetric[phase], MetricUnit.Milliseconds, total);
  }
  const rateLimit = result.rateLimit;
  if (rateLimit?.remaining != null) {
    metrics.addMetric(RegionalMetric.rateLimitRemaining, MetricUnit.Count, rateLimit.remaining);
  }
  if (rateLimit?.limit != null)
    metrics.addMetric(RegionalMetric.rateLimitLimit, MetricUnit.Count, rateLimit.limit);
  if (result.tls)
    metrics.addMetric(RegionalMetric.certDaysRemaining, MetricUnit.Count, result.tls.daysRemaining);
  metrics.publishStoredMetrics();

  if (result.diagnosis) {
    const failure = metrics.singleMetric();
    // singleMetric() puts Powertools' `service` dimension back; the failure series is keyed by Code alone.
    failure.clearDefaultDimensions();
    failure.addDimension(Dimension.code, result.diagnosis.code);
    failure.addMetric(RegionalMetric.failure, MetricUnit.Count, 1);
  }
}

/** Per-invocation metrics, without dimension: a region's own heartbeat and run time. */
export function emitRunMetrics(metrics: Metrics, targetsProbed: number, runDurationMs: number): void {
  metrics.addMetric(RegionalMetric.targetsProbed, MetricUnit.Count, targetsProbed);
  metrics.addMetric(RegionalMetric.runDuration, MetricUnit.Milliseconds, runDurationMs);
}
