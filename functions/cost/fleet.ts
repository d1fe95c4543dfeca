/**
 * The facts about a deployment that its AWS bill depends on, in billing units per month.
 * `fleetFromConfig` derives one from the typed config and the catalogs; tests and `--json` users
 * can also build one by hand.
 */

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

/** One catalog metric, priced by the hours its series receive data. */
export interface MetricUsage {
  /** The catalog name, e.g. Failing. */
  name: string;
  /** How many series (values of its one dimension), e.g. one per target. */
  series: number;
  /** Hours a month each series receives data: 730 when sent every run, an assumption when sent only while a warning holds. */
  hoursPerSeries: number;
  sent: 'always' | 'while-warning';
}

/** One Lambda function (or all shards of one), per month. */
export interface LambdaUsage {
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
  invocations: number;
  /** Billed duration of one invocation (INVOKE phase). */
  invocationSeconds: number;
  /** New execution environments: each bills its INIT phase (since August 2025). */
  coldStarts: number;
  initSeconds: number;
}

export interface FleetProfile {
  /** Regions that run a probe Lambda. */
  probeRegions: number;
  /** Enabled targets per region, averaged when targets are limited to some regions. */
  targets: number;
  /** Distinct registry hosts of the fleet. */
  registries: number;
  scheduleMinutes: number;
  /** Invocations per region per run, averaged: 1, or the shard count of a large region. */
  invocationsPerTick: number;
  /** The probe functions of every region together. */
  probe: LambdaUsage;
  /** The notifier: the sweep every few minutes, plus alarm batches. */
  notifier: LambdaUsage;
  /**
   * The alert channel subscribers (Slack webhook, Slack app, PagerDuty; lib/constructs/alerting.ts),
   * one invocation per alert each, a cold start every time. Absent or 0 invocations: none configured.
   */
  channels?: LambdaUsage;
  schedulerInvocations: number;
  metrics: MetricUsage[];
  putMetricDataRequests: number;
  alarms: {
    /** Metrics read by standard-resolution alarms (a metric-math alarm counts each metric). */
    standardMetrics: number;
    highResolutionMetrics: number;
    composite: number;
    byKind: Record<string, number>;
  };
  kms: { keys: number; requests: number; rotationsBilled: number };
  dashboards: number;
  secrets: { count: number; apiCalls: number };
  logs: {
    /** Bytes ingested per month, by source. */
    resultLinesBytes: number;
    runLinesBytes: number;
    platformBytes: number;
    retentionDays: number;
  };
  dynamodb: { writeUnits: number; readUnits: number };
  sqs: { requests: number };
  sns: { publishes: number; emails: number };
}

/** What the same fleet would cost on CloudWatch Synthetics. */
export interface SyntheticsProfile {
  /** Canary memory: the API minimum is 960 MB. */
  memoryMb: number;
  /** A Synthetics run starts its runtime before the first request. */
  startSeconds: number;
  /** Each HTTP check (one target) in a run, one after another as Synthetics' steps run. */
  secondsPerCheck: number;
  /** Log and report objects each run writes to its S3 artifact bucket. */
  s3PutsPerRun: number;
  logBytesPerRun: number;
  logBytesPerCheck: number;
}

/** A one-check run takes 5 s, as the previous model assumed for one canary per target. */
export const DEFAULT_SYNTHETICS: SyntheticsProfile = {
  memoryMb: 960,
  startSeconds: 4,
  secondsPerCheck: 1,
  s3PutsPerRun: 2,
  logBytesPerRun: 1_500,
  logBytesPerCheck: 500,
};

export function runsPerMonth(scheduleMinutes: number): number {
  return (HOURS_PER_MONTH * 60) / scheduleMinutes;
}
