/**
 * Every metric registry-canary publishes: name, unit and dimensions, in one place, so that the
 * Lambda that sends them, the CDK app that alarms on and charts them, and the cost model cannot
 * drift apart. The alarms that read them are in alarm-catalog.ts beside this file.
 *
 * Every metric lives in the home region only, and none has a region dimension. Each probe region
 * sends one sample per target per run (PutMetricData, stamped with the run's scheduled time), and
 * CloudWatch aggregates samples with the same namespace, name and dimensions from any number of
 * publishers into one statistic set (Sum, SampleCount, Minimum, Maximum) per period. So for a target
 * probed from R regions, one billed metric answers "how many regions reported" (SampleCount), "how
 * many failed" (Sum of Failing) and "did any fail" (Maximum), where a region dimension cost R
 * metrics. (CloudWatch User Guide, "CloudWatch concepts: Metrics / Statistics": "CloudWatch
 * aggregates statistics according to the period length that you specify", publishing "statistic
 * sets"; alarms can only read metrics of their own region, so the home region is where they go.)
 *
 * Custom metrics are billed per metric per hour in which they receive data (CloudWatch pricing,
 * "metrics are prorated by the hour"), so the warning metrics below are sent only while their
 * warning holds: a healthy fleet pays for one metric per target plus one heartbeat per region.
 *
 * Per-region and per-phase detail (DNS, connect, TLS, first byte, every step) is not a metric at
 * all: it is in each region's structured result log line, which the dashboard queries with Logs
 * Insights, and in the state table.
 */
export const METRICS_NAMESPACE = 'RegistryCanary';

export const Dimension = {
  target: 'Target',
  /** The registry host with port, as the probe talks to it (docker.io -> registry-1.docker.io). */
  registry: 'Registry',
  probeRegion: 'ProbeRegion',
} as const;

export type MetricUnit = 'Count' | 'Milliseconds' | 'Percent';

export interface MetricSpec {
  name: string;
  unit: MetricUnit;
  /** The dimension the metric is keyed by: one billed metric per distinct value. */
  dimension: (typeof Dimension)[keyof typeof Dimension];
  /** `always`: every run; `while-warning`: only in runs where the named probe warning holds. */
  sent: 'always' | 'while-warning';
  /** What a sample's value is. */
  value: string;
}

export const HomeMetric = {
  /**
   * 1 when the target's probe failed in a region's run, 0 when it passed (healthy or degraded).
   * Per period: Sum = regions failing, SampleCount = regions that reported, Maximum = any failed.
   */
  failing: {
    name: 'Failing',
    unit: 'Count',
    dimension: Dimension.target,
    sent: 'always',
    value: '1 failing, 0 passing',
  },
  /**
   * One sample per finished run (per shard) of a region's probe, value = targets probed. Per
   * period, SampleCount = runs that reached the home region: the region's own heartbeat.
   */
  heartbeat: {
    name: 'Heartbeat',
    unit: 'Count',
    dimension: Dimension.probeRegion,
    sent: 'always',
    value: 'targets probed in the run',
  },
  /** remaining / limit × 100 of the pull budget, only while RATE_LIMIT_LOW holds. */
  rateLimitLowPercent: {
    name: 'RateLimitLowPercent',
    unit: 'Percent',
    dimension: Dimension.target,
    sent: 'while-warning',
    value: 'pull budget left, % of the limit',
  },
  /** Days until the registry's certificate expires, only while CERT_EXPIRING holds; per registry host. */
  certExpiringDays: {
    name: 'CertExpiringDays',
    unit: 'Count',
    dimension: Dimension.registry,
    sent: 'while-warning',
    value: 'days until the certificate expires',
  },
  /** The probe's duration, only while SLOW holds (a failure's duration is not latency, so never then). */
  slowMs: {
    name: 'SlowMs',
    unit: 'Milliseconds',
    dimension: Dimension.target,
    sent: 'while-warning',
    value: 'probe duration, ms',
  },
} as const satisfies Record<string, MetricSpec>;

export type HomeMetricKey = keyof typeof HomeMetric;
