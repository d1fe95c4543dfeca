/**
 * The facts about a deployment that its AWS bill depends on, in billing units. `fleetFromConfig`
 * derives one from the typed config; tests and `--json` users can also build one by hand.
 */

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

export interface FleetProfile {
  /** Regions that run a probe Lambda. */
  probeRegions: number;
  /** Enabled targets; each region probes all of them. */
  targets: number;
  /** Distinct registry hosts of those targets, per region (averaged when regions probe different sets). */
  registries: number;
  scheduleMinutes: number;
  lambda: {
    memoryMb: number;
    architecture: 'arm64' | 'x86_64';
    /** Billed duration of one invocation (the handler probes its targets concurrently). */
    invocationSeconds: number;
    /** Invocations per region per schedule tick: 1, or the shard count for a large fleet. */
    invocationsPerTick: number;
  };
  metrics: {
    /** Distinct metric name + dimension sets each region emits for one target (EMF). */
    perTargetPerRegion: number;
    /**
     * Distinct sets each region emits for one registry, whatever the number of targets on it (EMF,
     * dimension Registry: the network phases).
     */
    perRegistryPerRegion: number;
    /** Distinct sets the home region receives per target per probe region (PutMetricData copy). */
    homePerTargetPerRegion: number;
    /** Sets not tied to a target (e.g. per-region totals), per region. */
    perRegion: number;
  };
  /** PutMetricData calls each invocation makes to the home region. */
  putMetricDataCallsPerInvocation: number;
  alarms: {
    /** Metrics evaluated by standard-resolution alarms (a metric-math alarm counts each metric). */
    standardMetrics: number;
    highResolutionMetrics: number;
    composite: number;
  };
  logs: {
    /** Bytes the Lambda platform writes per invocation (START, END, REPORT lines). */
    platformBytesPerInvocation: number;
    /** Bytes the handler logs per target result (the JSON result line and its EMF blob). */
    bytesPerTargetResult: number;
    retentionDays: number;
  };
  state: {
    /** DynamoDB write request units per target per region per month (changes + heartbeats). */
    writeUnitsPerTargetPerRegion: number;
    /** Read request units per invocation (e.g. reading the previous state). */
    readUnitsPerInvocation: number;
  };
  notifications: {
    /** Alert messages published per month (one per incident opening and one per recovery, plus reminders). */
    messagesPerMonth: number;
    emailSubscribers: number;
  };
}

/** What the same fleet would cost on CloudWatch Synthetics: one canary per target per region. */
export interface SyntheticsProfile {
  /** Canary memory: the API minimum is 960 MB. */
  memoryMb: number;
  /** A Synthetics run starts its runtime (a browser for the Node runtimes) before the first request. */
  runSeconds: number;
  /** Log and report objects each run writes to its S3 artifact bucket. */
  s3PutsPerRun: number;
  logBytesPerRun: number;
}

export const DEFAULT_SYNTHETICS: SyntheticsProfile = {
  memoryMb: 960,
  runSeconds: 5,
  s3PutsPerRun: 2,
  logBytesPerRun: 2_000,
};

export function runsPerMonth(scheduleMinutes: number): number {
  return (HOURS_PER_MONTH * 60) / scheduleMinutes;
}
