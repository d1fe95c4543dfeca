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
 * Writes the result's own metrics as one EMF line (dimension Target), plus one line for the
 * failure count by code when the probe failed. The network phases are not here: they go out per
 * registry, once per run (emitPhaseMetrics). Synchronous on purpose: nothing else can add to the
 * shared Metrics buffer between the first addMetric and the flush.
 */
export function emitResultMetrics(metrics: Metrics, target: string, result: ProbeResult): void {
  metrics.addDimension(Dimension.target, target);
  metrics.addMetric(RegionalMetric.success, MetricUnit.Count, result.status === 'failing' ? 0 : 1);
  metrics.addMetric(RegionalMetric.duration, MetricUnit.Milliseconds, result.durationMs);
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

export interface RegistryResult {
  /** The registry host the target's image is on (ProbeTarget.registry, as the dashboard has it at synth). */
  registry: string;
  result: ProbeResult;
}

/**
 * Powertools flushes by itself when one metric reaches 100 values, and the flush drops the
 * dimensions, so the values stored after it would go out undimensioned: lines are cut below that.
 */
const MAX_VALUES_PER_LINE = 99;

/**
 * Writes the run's network-phase timings as one EMF line per registry (dimension Registry):
 * every target on a registry adds its value to the same metric, as an EMF array of values, so
 * two targets on one registry are one set of series whose statistics count each target's probe.
 * A phase no request had (DNS for an IP literal, anything for a result that failed before
 * connecting) adds no value. Synchronous, like emitResultMetrics.
 */
export function emitPhaseMetrics(metrics: Metrics, results: readonly RegistryResult[]): void {
  const byRegistry = new Map<string, ProbeResult[]>();
  for (const { registry, result } of results) {
    const list = byRegistry.get(registry) ?? [];
    list.push(result);
    byRegistry.set(registry, list);
  }
  for (const [registry, list] of byRegistry) {
    for (let start = 0; start < list.length; start += MAX_VALUES_PER_LINE) {
      const values = NETWORK_PHASES.map((phase) => ({
        phase,
        totals: list
          .slice(start, start + MAX_VALUES_PER_LINE)
          .map((result) => phaseTotal(result, phase))
          .filter((total): total is number => total !== null),
      }));
      // No line without a value: an EMF object with no metric is ignored, and Powertools warns on it.
      if (values.every((v) => v.totals.length === 0)) continue;
      metrics.addDimension(Dimension.registry, registry);
      for (const { phase, totals } of values) {
        for (const total of totals) metrics.addMetric(RegionalMetric[phase], MetricUnit.Milliseconds, total);
      }
      metrics.publishStoredMetrics();
    }
  }
}

/** Per-invocation metrics, without dimension: a region's own heartbeat and run time. */
export function emitRunMetrics(metrics: Metrics, targetsProbed: number, runDurationMs: number): void {
  metrics.addMetric(RegionalMetric.targetsProbed, MetricUnit.Count, targetsProbed);
  metrics.addMetric(RegionalMetric.runDuration, MetricUnit.Milliseconds, runDurationMs);
}
