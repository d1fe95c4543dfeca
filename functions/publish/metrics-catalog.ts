/**
 * Every metric registry-canary publishes: name, unit and dimensions, in one place, so that the
 * Lambda that emits them and the CDK app that alarms on and charts them cannot drift apart.
 *
 * Cardinality is chosen on purpose (each name + dimension set is a billed custom metric):
 * - In each probe region, through EMF, dimension `Target` only. The region is implicit: CloudWatch
 *   metrics are regional. Failures by code are dimensioned by `Code` only (at most 22 series per
 *   region, and only for codes that occur); which target failed is in the log line.
 * - The network phases (DNS, connect, TLS, first byte) describe the path from a region to a
 *   registry host, not an image: they are dimensioned by `Registry` only, so targets on one
 *   registry share one set of series. Each target's timings stay in its result log line.
 * - In the home region, a copy dimensioned by `Target` and `ProbeRegion`, only of what the home
 *   alarms read (alarms cannot read another region's metrics).
 */
export const METRICS_NAMESPACE = 'RegistryCanary';

export const Dimension = {
  target: 'Target',
  /** The registry host with port, as the probe talks to it (docker.io -> registry-1.docker.io). */
  registry: 'Registry',
  probeRegion: 'ProbeRegion',
  code: 'Code',
} as const;

/** Metric names in each probe region (EMF), dimension Target unless noted. */
export const RegionalMetric = {
  /** 1 when the probe passed (healthy or degraded), 0 when failing. */
  success: 'Success',
  /** The whole probe, ms. */
  duration: 'DurationMs',
  /**
   * Sums over the probe's requests of each network phase, ms; dimension Registry (one value per
   * target probed on that registry in the run).
   */
  dns: 'DnsMs',
  connect: 'ConnectMs',
  tls: 'TlsMs',
  ttfb: 'TtfbMs',
  /** Pull budget left and its size (Docker Hub style RateLimit headers); only when the registry sends them. */
  rateLimitRemaining: 'RateLimitRemaining',
  rateLimitLimit: 'RateLimitLimit',
  /** Days until the registry's certificate expires; only over TLS. */
  certDaysRemaining: 'CertDaysRemaining',
  /** Count of failures, dimension Code (the diagnosis code) only. */
  failure: 'Failure',
  /** Per invocation, no dimension: how many targets were probed, and how long the run took. */
  targetsProbed: 'TargetsProbed',
  runDuration: 'RunDurationMs',
} as const;

export const NETWORK_PHASES = ['dns', 'connect', 'tls', 'ttfb'] as const;
export type NetworkPhase = (typeof NETWORK_PHASES)[number];

/** Metric names of the home-region copy, dimensions Target and ProbeRegion. */
export const HomeMetric = {
  success: 'Success',
  duration: 'DurationMs',
  /** remaining / limit × 100, so one metric (not two) drives the rate-limit alarm. */
  rateLimitRemainingPercent: 'RateLimitRemainingPercent',
  certDaysRemaining: 'CertDaysRemaining',
} as const;
