/**
 * Turns a validated config into the billing units of its deployment. What is deployed and
 * published comes from inventory.ts (the alarm and metrics catalogs, counted the way the stacks
 * create them), Lambda memory and shards from the sizing the CDK app deploys with; what the config
 * cannot tell (how long a run takes, how often a warning holds) is an assumption below, each with
 * its reason, and each can be overridden with `--assume key=value`.
 */
import type { CanaryConfig } from '../../lib/config/schema.ts';
import { planShards } from '../../lib/config/shards.ts';
import { HomeMetric, type HomeMetricKey } from '../publish/metrics-catalog.ts';
import { countAlarmUnits } from './alarms.ts';
import { type FleetProfile, HOURS_PER_MONTH, type MetricUsage, runsPerMonth } from './fleet.ts';
import { alertChannelCount, deploymentInventory, type Inventory } from './inventory.ts';

/** What the config cannot tell: how the fleet behaves. Every field can be overridden. */
export interface CostAssumptions {
  /** Billed duration of one probe invocation: about the slowest target (probes run concurrently) plus publishing. */
  invocationSeconds: number;
  /** Billed INIT phase of a new execution environment (Lambda bills it for on-demand functions since August 2025). */
  initSeconds: number;
  /** A probe container idle longer than this is assumed gone, so at a slower schedule every run is a cold start. */
  warmMinutes: number;
  /** New execution environments per shard per month while runs keep it warm. */
  coldStartsPerShard: number;
  /** The JSON result line of one target (measured: test/unit/cost/log-lines.test.ts). */
  logBytesPerTargetResult: number;
  /** The lines each run writes once ('state of record', 'run finished'; measured likewise). */
  runLogBytesPerInvocation: number;
  /** Lambda's START, END and REPORT lines. */
  platformLogBytesPerInvocation: number;
  /** Hours a month a target fails in a region: every failing run writes its state item. */
  failingHoursPerTargetRegion: number;
  /** Hours a month a target is SLOW somewhere: SlowMs is sent only then. */
  slowHoursPerTarget: number;
  /** Hours a month a rate-limited target's budget is low: RateLimitLowPercent is sent only then. */
  rateLimitLowHoursPerTarget: number;
  /** Hours a month a registry's certificate is inside its warning window: CertExpiringDays is sent only then. */
  certExpiringHoursPerRegistry: number;
  /** Write units of one state item (1 KB each): a healthy item is ~0.6 KB, a failing one with evidence more. */
  healthyItemWriteUnits: number;
  failingItemWriteUnits: number;
  incidentsPerMonth: number;
  /** Alarms that change state per incident (each notifies the alarm topic on ALARM and on OK). */
  alarmsPerIncident: number;
  /** Billed duration of one notifier invocation (a sweep is one DynamoDB query). */
  notifierSeconds: number;
  /** ReceiveMessage long polls (20 s) Lambda keeps open on the notifier's queue. */
  sqsIdlePollers: number;
  /** KMS requests per SNS publish to an encrypted topic (data key, decrypt on delivery). */
  kmsRequestsPerPublish: number;
  /** Automatic yearly rotations already billed on each key: 0 in the first year, then 1, then 2 (the cap). */
  kmsRotationsBilled: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  invocationSeconds: 3,
  initSeconds: 1,
  warmMinutes: 10,
  coldStartsPerShard: 360,
  logBytesPerTargetResult: 3_200,
  runLogBytesPerInvocation: 1_250,
  platformLogBytesPerInvocation: 400,
  failingHoursPerTargetRegion: 1,
  slowHoursPerTarget: 7.3,
  rateLimitLowHoursPerTarget: 73,
  certExpiringHoursPerRegistry: 28,
  healthyItemWriteUnits: 1,
  failingItemWriteUnits: 2,
  incidentsPerMonth: 10,
  alarmsPerIncident: 3,
  notifierSeconds: 0.5,
  sqsIdlePollers: 5,
  kmsRequestsPerPublish: 2,
  kmsRotationsBilled: 0,
};

/**
 * The assumption that prices each metric sent only while a warning holds. Keyed by the catalog: a
 * new metric does not compile until it is costed here, and a `while-warning` metric without hours
 * fails the estimate.
 */
const WARNING_HOURS: Record<HomeMetricKey, keyof CostAssumptions | null> = {
  failing: null,
  heartbeat: null,
  rateLimitLowPercent: 'rateLimitLowHoursPerTarget',
  certExpiringDays: 'certExpiringHoursPerRegistry',
  slowMs: 'slowHoursPerTarget',
};

/** The probe's secret cache (functions/credentials/secrets.ts DEFAULT_SECRET_TTL_MS; a test keeps them equal). */
export const SECRET_CACHE_MINUTES = 5;

/** The notifier's sweep (lib/constructs/alerting.ts: every 5 minutes, or the reminder interval if shorter; checked against the template). */
export function sweepMinutes(config: CanaryConfig): number {
  return Math.min(5, config.notifications.reminderMinutes || 5);
}

/** The notifier's memory (lib/constructs/alerting.ts; checked against the template). */
export const NOTIFIER_MEMORY_MB = 256;
/** Each alert channel subscriber's memory (lib/constructs/alert-subscriber.ts, lib/constructs/alerting.ts). */
export const CHANNEL_MEMORY_MB = 256;

export function metricUsage(inventory: Inventory, assumptions: CostAssumptions): MetricUsage[] {
  const usage: MetricUsage[] = [];
  for (const [key, spec] of Object.entries(HomeMetric) as [
    HomeMetricKey,
    (typeof HomeMetric)[HomeMetricKey],
  ][]) {
    const series = inventory.metrics.filter((m) => m.key === key).length;
    let hours = HOURS_PER_MONTH;
    if (spec.sent === 'while-warning') {
      const assumption = WARNING_HOURS[key];
      if (!assumption)
        throw new Error(`${spec.name} is sent only while a warning holds: give it an hours assumption`);
      hours = Math.min(HOURS_PER_MONTH, assumptions[assumption]);
    }
    usage.push({ name: spec.name, series, hoursPerSeries: hours, sent: spec.sent });
  }
  return usage;
}

/** At most this many data per target per run: its `Failing` and every warning metric at once. */
const MAX_DATA_PER_TARGET = Object.values(HomeMetric).filter((m) => m.dimension !== 'ProbeRegion').length;
const MAX_DATA_PER_REQUEST = 1000;

export function fleetFromConfig(
  config: CanaryConfig,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): FleetProfile {
  const inventory = deploymentInventory(config);
  const regions = config.probeRegions;
  const schedule = config.schedule.everyMinutes;
  const ticks = runsPerMonth(schedule);
  const shardCount = [...inventory.shards.values()].reduce((sum, n) => sum + n, 0);
  const invocations = ticks * shardCount;
  // Regions of different sizes: the average memory, weighted by invocations.
  const memoryMb =
    regions.reduce((sum, region) => {
      const plan = planShards(config, region);
      return sum + plan.sizing.memoryMb * plan.shards;
    }, 0) / Math.max(1, shardCount);
  const warm = schedule <= assumptions.warmMinutes;
  const coldStartsPerShard = warm ? Math.min(ticks, assumptions.coldStartsPerShard) : ticks;

  // Notifier: the sweep, and one batch per alarm burst (an incident opening and recovering).
  const sweeps = runsPerMonth(sweepMinutes(config));
  const alarmBatches = assumptions.incidentsPerMonth * 2;
  const notifierInvocations = sweeps + alarmBatches;

  const putMetricDataPerTick = [...inventory.shardTargets.values()]
    .flat()
    .reduce((sum, targets) => sum + Math.ceil((targets * MAX_DATA_PER_TARGET + 1) / MAX_DATA_PER_REQUEST), 0);

  // State of record (functions/publish/state.ts): a healthy, unchanged item only on its heartbeat,
  // a failing one every run, and every item once more after a cold start (the write memory is per container).
  const heartbeats = Math.min(ticks, runsPerMonth(Math.max(schedule, config.state.heartbeatMinutes)));
  const failingRuns = Math.min(ticks, (assumptions.failingHoursPerTargetRegion * 60) / schedule);
  // An item is written at most once a run, so a cold start on a heartbeat run is one write, not two.
  const runsWritten = Math.min(ticks, heartbeats + coldStartsPerShard + failingRuns);
  const probeWrites =
    inventory.targetRegions *
    (runsWritten * assumptions.healthyItemWriteUnits +
      failingRuns * (assumptions.failingItemWriteUnits - assumptions.healthyItemWriteUnits));
  // Per incident: open, a few updates and the close (2 units each); reads: a query per sweep,
  // and per alarm batch the affected target's items and the incident.
  const notifierWrites = assumptions.incidentsPerMonth * 4 * 2;
  const notifierReads = sweeps + alarmBatches * (regions.length + 1);

  // A secret is read once per cache period per container, and again after each cold start.
  const readsPerShard = Math.min(
    ticks,
    runsPerMonth(Math.max(schedule, SECRET_CACHE_MINUTES)) + coldStartsPerShard,
  );
  const alertMessages = assumptions.incidentsPerMonth * 2;
  let secretCalls = 0;
  for (const readers of inventory.secrets.values()) {
    for (const region of readers) secretCalls += readsPerShard * (inventory.shards.get(region) ?? 1);
  }
  // Each channel subscriber (the Slack webhook, the Slack app, PagerDuty) reads its secret per alert
  // it posts: a cold function each time, at the volumes of alerts.
  const channels = alertChannelCount(config);
  secretCalls += channels * alertMessages;

  const alarmNotifications = assumptions.incidentsPerMonth * assumptions.alarmsPerIncident * 2;
  // Each alert is one publish per notification topic, one per format (alert-topics.ts).
  const publishes = alarmNotifications + alertMessages * inventory.alertTopics;
  const alarms = countAlarmUnits(inventory.alarms);

  return {
    probeRegions: regions.length,
    targets: inventory.targetRegions / Math.max(1, regions.length),
    registries: inventory.registries.length,
    scheduleMinutes: schedule,
    invocationsPerTick: shardCount / Math.max(1, regions.length),
    probe: {
      memoryMb,
      architecture: 'arm64',
      invocations,
      invocationSeconds: assumptions.invocationSeconds,
      coldStarts: coldStartsPerShard * shardCount,
      initSeconds: assumptions.initSeconds,
    },
    notifier: {
      memoryMb: NOTIFIER_MEMORY_MB,
      architecture: 'arm64',
      invocations: notifierInvocations,
      invocationSeconds: assumptions.notifierSeconds,
      coldStarts:
        sweepMinutes(config) <= assumptions.warmMinutes
          ? Math.min(notifierInvocations, assumptions.coldStartsPerShard)
          : notifierInvocations,
      initSeconds: assumptions.initSeconds,
    },
    channels: {
      memoryMb: CHANNEL_MEMORY_MB,
      architecture: 'arm64',
      invocations: channels * alertMessages,
      invocationSeconds: assumptions.notifierSeconds,
      coldStarts: channels * alertMessages,
      initSeconds: assumptions.initSeconds,
    },
    schedulerInvocations: invocations,
    metrics: metricUsage(inventory, assumptions),
    putMetricDataRequests: ticks * putMetricDataPerTick,
    alarms: {
      standardMetrics: alarms.standardMetrics,
      highResolutionMetrics: alarms.highResolutionMetrics,
      composite: alarms.composite,
      byKind: alarms.byKind as Record<string, number>,
    },
    kms: {
      keys: inventory.kmsKeys,
      requests: publishes * assumptions.kmsRequestsPerPublish,
      rotationsBilled: assumptions.kmsRotationsBilled,
    },
    dashboards: inventory.dashboards,
    secrets: { count: inventory.secrets.size, apiCalls: secretCalls },
    logs: {
      resultLinesBytes: ticks * inventory.targetRegions * assumptions.logBytesPerTargetResult,
      runLinesBytes: invocations * assumptions.runLogBytesPerInvocation,
      platformBytes: (invocations + notifierInvocations) * assumptions.platformLogBytesPerInvocation,
      retentionDays: config.logRetentionDays,
    },
    dynamodb: { writeUnits: probeWrites + notifierWrites, readUnits: notifierReads },
    sqs: {
      // Each poller's 20-second long poll: 3 a minute, all month; plus send, receive and delete per alarm message.
      requests: assumptions.sqsIdlePollers * 3 * 60 * HOURS_PER_MONTH + alarmNotifications * 3,
    },
    sns: {
      publishes,
      emails: alertMessages * config.notifications.emails.length,
    },
  };
}
