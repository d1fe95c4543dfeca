/**
 * Metric definitions, apart from the alarms and widgets that use them (as cdk-monitoring-constructs
 * keeps its MetricFactory apart from its Monitoring classes). Names, units and dimensions come from
 * the catalog the Lambda publishes with (functions/publish/metrics-catalog.ts), so the two cannot
 * drift. Every metric is in the home region and has one dimension: a target, a registry host or a
 * probe region.
 */
import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmKindSpec, AlarmStatistic } from '../../functions/publish/alarm-catalog.ts';
import {
  HomeMetric,
  type HomeMetricKey,
  METRICS_NAMESPACE,
} from '../../functions/publish/metrics-catalog.ts';

export class CanaryMetrics {
  constructor(
    /** One datapoint per schedule run: the alarm and widget period. */
    readonly period: Duration,
  ) {}

  /** A catalog metric for one subject (the value of its dimension), with one statistic. */
  metric(key: HomeMetricKey, subject: string, statistic: AlarmStatistic, label?: string): Metric {
    const spec = HomeMetric[key];
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: spec.name,
      dimensionsMap: { [spec.dimension]: subject },
      statistic,
      period: this.period,
      ...(label ? { label } : {}),
    });
  }

  /**
   * What an alarm kind reads for one subject: the metric with the kind's statistic, wrapped in
   * FILL when the kind fills missing periods (the heartbeat; see functions/publish/alarm-catalog.ts).
   */
  forAlarm(spec: AlarmKindSpec, subject: string): Metric | MathExpression {
    if (spec.metric === 'deadLetterQueueDepth') {
      throw new Error(`${spec.kind} reads a queue's own metric, not a catalog metric`);
    }
    const metric = this.metric(spec.metric, subject, spec.statistic);
    if (spec.fillMissingWith === undefined) return metric;
    return new MathExpression({
      expression: `FILL(m, ${spec.fillMissingWith})`,
      usingMetrics: { m: metric },
      label: `${HomeMetric[spec.metric].name} ${spec.statistic} (missing periods as ${spec.fillMissingWith})`,
      period: this.period,
    });
  }

  /**
   * A Metrics Insights query over every subject of a metric, the N highest first: one widget line
   * per subject however large the fleet (a dashboard widget may show at most 500 metrics). Metrics
   * Insights queries the most recent three hours of data (CloudWatch User Guide, "Metrics Insights
   * service quotas").
   */
  topSubjects(
    key: HomeMetricKey,
    fn: 'SUM' | 'MAX' | 'MIN' | 'AVG',
    limit: number,
    label: string,
  ): MathExpression {
    const spec = HomeMetric[key];
    const order = fn === 'MIN' ? 'ASC' : 'DESC';
    return new MathExpression({
      expression: `SELECT ${fn}(${spec.name}) FROM SCHEMA("${METRICS_NAMESPACE}", ${spec.dimension}) GROUP BY ${spec.dimension} ORDER BY ${fn}() ${order} LIMIT ${limit}`,
      label,
      period: this.period,
    });
  }
}
