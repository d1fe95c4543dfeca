/**
 * Metric definitions, apart from the alarms and widgets that use them (as cdk-monitoring-constructs
 * keeps its MetricFactory apart from its Monitoring classes). Names come from the catalog the
 * Lambda emits with, so the two cannot drift.
 */
import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  Dimension,
  HomeMetric,
  METRICS_NAMESPACE,
  type NetworkPhase,
  RegionalMetric,
} from '../../functions/publish/metrics-catalog.ts';
import { metricId } from '../config/metric-id.ts';

/**
 * The kind part of every metric-math id (`<kind>_<target stem>_<region index>`, metric-id.ts), one
 * per series. CloudWatch refuses two different metrics with one id in a graph or alarm, so the
 * kinds must differ from each other, and have no underscore: then the kind is the id's first
 * segment and the region index its last, and ids of different kinds or indexes cannot meet.
 * Different targets differ in their stem (validation refuses names with one stem).
 */
export const METRIC_ID_KINDS = Object.freeze({
  success: 's',
  availability: 'avail',
  duration: 'dur',
  rateLimitPercent: 'rl',
  certDays: 'cert',
} as const);

export class CanaryMetrics {
  constructor(
    /** One datapoint per schedule run: the alarm and widget period. */
    readonly period: Duration,
    readonly regions: readonly string[],
  ) {}

  /** The home copy of a target's result from one region: 1 passed, 0 failed (Minimum: any failure in the period). */
  success(target: string, probeRegion: string, statistic = 'Minimum'): Metric {
    return this.homeCopy(HomeMetric.success, target, probeRegion, statistic, `${probeRegion}`);
  }

  duration(target: string, probeRegion: string): Metric {
    return this.homeCopy(HomeMetric.duration, target, probeRegion, 'Maximum', probeRegion);
  }

  rateLimitRemainingPercent(target: string, probeRegion: string): Metric {
    return this.homeCopy(HomeMetric.rateLimitRemainingPercent, target, probeRegion, 'Minimum', probeRegion);
  }

  certDaysRemaining(target: string, probeRegion: string): Metric {
    return this.homeCopy(HomeMetric.certDaysRemaining, target, probeRegion, 'Minimum', probeRegion);
  }

  /**
   * How many regions saw the target fail in the period. A region with no data counts as passing
   * here (FILL with 1): a silent region has its own alarm, and must not read as an outage.
   */
  failingRegions(target: string): MathExpression {
    const id = (i: number) => metricId(target, METRIC_ID_KINDS.success, i);
    const usingMetrics = Object.fromEntries(this.regions.map((r, i) => [id(i), this.success(target, r)]));
    const filled = this.regions.map((_, i) => `FILL(${id(i)}, 1)`).join(' + ');
    return new MathExpression({
      expression: `${this.regions.length} - (${filled})`,
      usingMetrics,
      label: `${target}: regions failing`,
      period: this.period,
    });
  }

  /** The worst (longest) probe duration over all regions. */
  worstDuration(target: string): MathExpression {
    return this.acrossRegions(
      'MAX',
      METRIC_ID_KINDS.duration,
      target,
      (r) => this.duration(target, r),
      `${target}: slowest region (ms)`,
    );
  }

  /** The smallest pull budget left over all regions (each region pulls from its own IP, with its own budget). */
  lowestRateLimitPercent(target: string): MathExpression {
    return this.acrossRegions(
      'MIN',
      METRIC_ID_KINDS.rateLimitPercent,
      target,
      (r) => this.rateLimitRemainingPercent(target, r),
      `${target}: pull budget left (%)`,
    );
  }

  lowestCertDays(target: string): MathExpression {
    return this.acrossRegions(
      'MIN',
      METRIC_ID_KINDS.certDays,
      target,
      (r) => this.certDaysRemaining(target, r),
      `${target}: certificate days left`,
    );
  }

  /** A metric of the probe region itself (EMF, dimension Target), for cross-region dashboard widgets. */
  regional(name: string, target: string, region: string, statistic = 'Average'): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { [Dimension.target]: target },
      statistic,
      period: this.period,
      region,
      label: target,
    });
  }

  /**
   * A network phase as one region saw it on one registry (EMF, dimension Registry): targets on
   * the same registry share the series, so the Average is over every target's probe.
   */
  regionalPhase(phase: NetworkPhase, registry: string, region: string): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: RegionalMetric[phase],
      dimensionsMap: { [Dimension.registry]: registry },
      statistic: 'Average',
      period: this.period,
      region,
      label: `${registry} ${phase}`,
    });
  }

  private homeCopy(
    name: string,
    target: string,
    probeRegion: string,
    statistic: string,
    label: string,
  ): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { [Dimension.target]: target, [Dimension.probeRegion]: probeRegion },
      statistic,
      period: this.period,
      label,
    });
  }

  private acrossRegions(
    fn: 'MIN' | 'MAX',
    kind: string,
    target: string,
    metric: (region: string) => Metric,
    label: string,
  ) {
    // Ids are unique per target and kind: CloudWatch refuses two metrics with one id in a graph.
    const id = (i: number) => metricId(target, kind, i);
    const usingMetrics = Object.fromEntries(this.regions.map((r, i) => [id(i), metric(r)]));
    return new MathExpression({
      expression: `${fn}([${this.regions.map((_, i) => id(i)).join(', ')}])`,
      usingMetrics,
      label,
      period: this.period,
    });
  }
}
