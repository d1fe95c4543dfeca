/**
 * Monthly AWS cost of a fleet, itemised, beside the same fleet on CloudWatch Synthetics in its two
 * layouts. Pure arithmetic over a FleetProfile and a PriceTable: no AWS calls, so it runs anywhere.
 */
import {
  DEFAULT_SYNTHETICS,
  type FleetProfile,
  type LambdaUsage,
  runsPerMonth,
  type SyntheticsProfile,
} from './fleet.ts';
import { FREE_TIER, type PriceTable } from './prices.ts';

export type FreeTierKey = keyof typeof FREE_TIER;

export interface CostLine {
  /** Stable across prices and fleets, for tests and for `--json` users. */
  id: string;
  service:
    | 'Lambda'
    | 'CloudWatch'
    | 'CloudWatch Logs'
    | 'DynamoDB'
    | 'SNS'
    | 'SQS'
    | 'KMS'
    | 'Secrets Manager'
    | 'EventBridge Scheduler'
    | 'Synthetics'
    | 'S3';
  item: string;
  quantity: number;
  unit: string;
  /** USD per `unit` (for tiered prices, the average over the quantity). */
  unitPriceUsd: number;
  monthlyUsd: number;
  /** The account's always-free allowance this line draws on, if any (shared with other lines and everything else in the account). */
  freeTier?: FreeTierKey;
}

export interface CostEstimate {
  lines: CostLine[];
  /** List prices, no free tier: the upper bound, and what the goals are judged on. */
  totalUsd: number;
  /** As if the account's whole always-free allowance were left for this: the lower bound. */
  totalAfterFreeTierUsd: number;
}

export type SyntheticsLayout = 'per-target' | 'per-region';

export const SYNTHETICS_LAYOUTS: Record<SyntheticsLayout, string> = {
  'per-target': 'one canary per target per region',
  'per-region': 'one multi-check canary per region probing every target',
};

export interface CostComparison {
  registryCanary: CostEstimate;
  synthetics: Record<SyntheticsLayout, CostEstimate>;
  /** synthetics[layout].totalUsd / registryCanary.totalUsd */
  syntheticsRatio: Record<SyntheticsLayout, number>;
  pricesTakenOn: string;
}

const BYTES_PER_GB = 1024 ** 3;

function line(
  id: string,
  service: CostLine['service'],
  item: string,
  quantity: number,
  unit: string,
  unitPriceUsd: number,
  freeTier?: FreeTierKey,
): CostLine {
  return {
    id,
    service,
    item,
    quantity,
    unit,
    unitPriceUsd,
    monthlyUsd: quantity * unitPriceUsd,
    ...(freeTier ? { freeTier } : {}),
  };
}

/** Each free allowance is spent on its lines in order; what is left of a line is billed. */
function afterFreeTier(lines: readonly CostLine[]): number {
  const left: Record<string, number> = { ...FREE_TIER };
  let total = 0;
  for (const l of lines) {
    if (!l.freeTier || l.quantity === 0) {
      total += l.monthlyUsd;
      continue;
    }
    const free = Math.min(l.quantity, left[l.freeTier] ?? 0);
    left[l.freeTier] = (left[l.freeTier] ?? 0) - free;
    total += l.monthlyUsd * (1 - free / l.quantity);
  }
  return total;
}

function total(lines: CostLine[]): CostEstimate {
  return {
    lines,
    totalUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0),
    totalAfterFreeTierUsd: afterFreeTier(lines),
  };
}

/** Price of `count` units under cumulative tiers (the first 10k metrics at one price, the next at another...). */
export function tieredCost(count: number, tiers: PriceTable['cloudwatch']['customMetricTiers']): number {
  let cost = 0;
  let priced = 0;
  for (const tier of tiers) {
    const ceiling = tier.upTo ?? Number.POSITIVE_INFINITY;
    const inTier = Math.max(0, Math.min(count, ceiling) - priced);
    cost += inTier * tier.usd;
    priced += inTier;
    if (priced >= count) break;
  }
  return cost;
}

function gbSecondPrice(fn: LambdaUsage, prices: PriceTable): number {
  return fn.architecture === 'arm64' ? prices.lambda.perGbSecondArm64 : prices.lambda.perGbSecondX86;
}

function lambdaLines(id: string, label: string, fn: LambdaUsage, prices: PriceTable): CostLine[] {
  const gb = fn.memoryMb / 1024;
  const memory = `${Math.round(fn.memoryMb)} MB ${fn.architecture}`;
  return [
    line(
      `${id}:requests`,
      'Lambda',
      `${label} requests`,
      fn.invocations,
      'request',
      prices.lambda.perMillionRequests / 1e6,
      'lambdaRequests',
    ),
    line(
      `${id}:invoke`,
      'Lambda',
      `${label} compute (${memory} × ${fn.invocationSeconds} s)`,
      fn.invocations * gb * fn.invocationSeconds,
      'GB-second',
      gbSecondPrice(fn, prices),
      'lambdaGbSeconds',
    ),
    line(
      `${id}:init`,
      'Lambda',
      `${label} INIT phase (${Math.round(fn.coldStarts).toLocaleString('en-US')} cold starts × ${fn.initSeconds} s)`,
      fn.coldStarts * gb * fn.initSeconds,
      'GB-second',
      gbSecondPrice(fn, prices),
      'lambdaGbSeconds',
    ),
  ];
}

/** The alarm, dashboard and alert lines: the same for Synthetics, which needs the same paging. */
function alertingLines(fleet: FleetProfile, prices: PriceTable): CostLine[] {
  const cw = prices.cloudwatch;
  const alarms = Object.entries(fleet.alarms.byKind)
    .filter(([, metrics]) => metrics > 0)
    .map(([kind, metrics]) =>
      line(
        `alarm:${kind}`,
        'CloudWatch',
        `alarms: ${kind}`,
        metrics,
        'alarm metric',
        cw.standardAlarmPerMetric,
        'alarmMetrics',
      ),
    );
  // byKind counts both resolutions; price the high-resolution share at its own rate on top.
  const highResolutionExtra = cw.highResolutionAlarmPerMetric - cw.standardAlarmPerMetric;
  return [
    ...alarms,
    ...(fleet.alarms.highResolutionMetrics > 0
      ? [
          line(
            'alarm:high-resolution',
            'CloudWatch',
            'alarms: high-resolution surcharge',
            fleet.alarms.highResolutionMetrics,
            'alarm metric',
            highResolutionExtra,
          ),
        ]
      : []),
    ...(fleet.alarms.composite > 0
      ? [
          line(
            'alarm:composite',
            'CloudWatch',
            'composite alarms',
            fleet.alarms.composite,
            'alarm',
            cw.compositeAlarm,
          ),
        ]
      : []),
    line(
      'dashboards',
      'CloudWatch',
      'dashboards',
      fleet.dashboards,
      'dashboard',
      cw.dashboardMonth,
      'dashboards',
    ),
    line(
      'sns:publishes',
      'SNS',
      'alarm notifications and alerts published',
      fleet.sns.publishes,
      'publish',
      prices.sns.perMillionPublishes / 1e6,
      'snsPublishes',
    ),
    line(
      'sns:emails',
      'SNS',
      'email deliveries',
      fleet.sns.emails,
      'email',
      prices.sns.perHundredThousandEmails / 1e5,
      'snsEmails',
    ),
  ];
}

/** Everything registry-canary itself runs and stores. */
export function estimateFleetCost(fleet: FleetProfile, prices: PriceTable): CostEstimate {
  const cw = prices.cloudwatch;
  const metricMonths = fleet.metrics.reduce((sum, m) => sum + (m.series * m.hoursPerSeries) / 730, 0);
  const metricUnitPrice =
    metricMonths === 0 ? 0 : tieredCost(metricMonths, cw.customMetricTiers) / metricMonths;
  const logGb =
    (fleet.logs.resultLinesBytes + fleet.logs.runLinesBytes + fleet.logs.platformBytes) / BYTES_PER_GB;
  // Stored uncompressed bytes over the retention window: an upper bound, CloudWatch bills compressed.
  const storedGb = logGb * Math.min(1, fleet.logs.retentionDays / 30);

  const lines: CostLine[] = [
    line(
      'scheduler',
      'EventBridge Scheduler',
      'probe runs (one per shard per region)',
      fleet.schedulerInvocations,
      'invocation',
      prices.scheduler.perMillionInvocations / 1e6,
      'schedulerInvocations',
    ),
    ...lambdaLines('probe', 'probe', fleet.probe, prices),
    ...lambdaLines('notifier', 'notifier', fleet.notifier, prices),
    ...(fleet.channels && fleet.channels.invocations > 0
      ? lambdaLines('channels', 'alert channel subscribers', fleet.channels, prices)
      : []),
    ...fleet.metrics.map((m) =>
      line(
        `metric:${m.name}`,
        'CloudWatch',
        `metric ${m.name}: ${m.series} series × ${m.sent === 'always' ? 'every hour' : `${m.hoursPerSeries} h (while warning)`}`,
        (m.series * m.hoursPerSeries) / 730,
        'metric-month',
        metricUnitPrice,
        'customMetrics',
      ),
    ),
    line(
      'putmetricdata',
      'CloudWatch',
      'PutMetricData requests (one per run per shard)',
      fleet.putMetricDataRequests,
      'request',
      cw.perThousandApiRequests / 1000,
      'metricApiRequests',
    ),
    ...alertingLines(fleet, prices),
    line(
      'kms:keys',
      'KMS',
      `customer-managed keys${fleet.kms.rotationsBilled > 0 ? ` (+${fleet.kms.rotationsBilled} rotations)` : ''}`,
      fleet.kms.keys * (1 + fleet.kms.rotationsBilled),
      'key-month',
      prices.kms.keyMonth,
    ),
    line(
      'kms:requests',
      'KMS',
      'requests (encrypted topics)',
      fleet.kms.requests,
      'request',
      prices.kms.perTenThousandRequests / 1e4,
      'kmsRequests',
    ),
    line(
      'secrets',
      'Secrets Manager',
      'secrets the config names',
      fleet.secrets.count,
      'secret-month',
      prices.secretsManager.secretMonth,
    ),
    line(
      'secrets:calls',
      'Secrets Manager',
      'GetSecretValue calls',
      fleet.secrets.apiCalls,
      'call',
      prices.secretsManager.perTenThousandApiCalls / 1e4,
    ),
    line(
      'logs:results',
      'CloudWatch Logs',
      'ingestion: result lines (one per target per run)',
      fleet.logs.resultLinesBytes / BYTES_PER_GB,
      'GB',
      cw.logsIngestionPerGb,
      'logsGb',
    ),
    line(
      'logs:runs',
      'CloudWatch Logs',
      'ingestion: run lines (two per invocation)',
      fleet.logs.runLinesBytes / BYTES_PER_GB,
      'GB',
      cw.logsIngestionPerGb,
      'logsGb',
    ),
    line(
      'logs:platform',
      'CloudWatch Logs',
      'ingestion: START/END/REPORT lines',
      fleet.logs.platformBytes / BYTES_PER_GB,
      'GB',
      cw.logsIngestionPerGb,
      'logsGb',
    ),
    line(
      'logs:storage',
      'CloudWatch Logs',
      `storage (${fleet.logs.retentionDays}-day retention, uncompressed)`,
      storedGb,
      'GB-month',
      cw.logsStoragePerGbMonth,
      'logsGb',
    ),
    line(
      'dynamodb:writes',
      'DynamoDB',
      'state and incident writes (on demand)',
      fleet.dynamodb.writeUnits,
      'write unit',
      prices.dynamodb.perMillionWriteRequestUnits / 1e6,
    ),
    line(
      'dynamodb:reads',
      'DynamoDB',
      'notifier reads',
      fleet.dynamodb.readUnits,
      'read unit',
      prices.dynamodb.perMillionReadRequestUnits / 1e6,
    ),
    line(
      'sqs',
      'SQS',
      "requests (Lambda's long polls of the alarm queue)",
      fleet.sqs.requests,
      'request',
      prices.sqs.perMillionRequests / 1e6,
      'sqsRequests',
    ),
  ];
  return total(lines);
}

/**
 * The same fleet on CloudWatch Synthetics at the same schedule, in one of two layouts. Counted, as
 * for ours: the canary runs, the canaries' own Lambda (x86_64; requests and GB-seconds), their S3
 * artifacts and their log ingestion; and our alarm, dashboard and alert lines, since the same
 * paging is needed either way. Synthetics' own metrics (SuccessPercent, Duration) are vended and
 * not billed as custom metrics; KMS keys, the state table and the notifier are left out, though a
 * comparable alerting path would need them, so the comparison flatters Synthetics slightly.
 */
export function estimateSyntheticsCost(
  fleet: FleetProfile,
  prices: PriceTable,
  layout: SyntheticsLayout,
  canary: SyntheticsProfile = DEFAULT_SYNTHETICS,
): CostEstimate {
  const ticks = runsPerMonth(fleet.scheduleMinutes);
  const canaries = layout === 'per-target' ? fleet.targets * fleet.probeRegions : fleet.probeRegions;
  const checksPerRun = layout === 'per-target' ? 1 : fleet.targets;
  const runs = ticks * canaries;
  const runSeconds = canary.startSeconds + checksPerRun * canary.secondsPerCheck;
  const logGb = (runs * (canary.logBytesPerRun + checksPerRun * canary.logBytesPerCheck)) / BYTES_PER_GB;
  const lines: CostLine[] = [
    line(
      'synthetics:runs',
      'Synthetics',
      `canary runs (${Math.round(canaries)} canaries)`,
      runs,
      'run',
      prices.synthetics.perCanaryRun,
      'canaryRuns',
    ),
    line(
      'synthetics:requests',
      'Lambda',
      'canary requests',
      runs,
      'request',
      prices.lambda.perMillionRequests / 1e6,
      'lambdaRequests',
    ),
    line(
      'synthetics:compute',
      'Lambda',
      `canary compute (${canary.memoryMb} MB x86_64 × ${runSeconds} s)`,
      runs * (canary.memoryMb / 1024) * runSeconds,
      'GB-second',
      prices.lambda.perGbSecondX86,
      'lambdaGbSeconds',
    ),
    line(
      'synthetics:s3',
      'S3',
      'artifact PUTs',
      runs * canary.s3PutsPerRun,
      'PUT',
      prices.synthetics.s3PerThousandPuts / 1000,
    ),
    line(
      'synthetics:logs',
      'CloudWatch Logs',
      'canary log ingestion',
      logGb,
      'GB',
      prices.cloudwatch.logsIngestionPerGb,
      'logsGb',
    ),
    ...alertingLines(fleet, prices),
  ];
  return total(lines);
}

export function compareWithSynthetics(
  fleet: FleetProfile,
  prices: PriceTable,
  canary: SyntheticsProfile = DEFAULT_SYNTHETICS,
): CostComparison {
  const registryCanary = estimateFleetCost(fleet, prices);
  const synthetics = {
    'per-target': estimateSyntheticsCost(fleet, prices, 'per-target', canary),
    'per-region': estimateSyntheticsCost(fleet, prices, 'per-region', canary),
  };
  const ratio = (s: CostEstimate) =>
    registryCanary.totalUsd === 0 ? Number.POSITIVE_INFINITY : s.totalUsd / registryCanary.totalUsd;
  return {
    registryCanary,
    synthetics,
    syntheticsRatio: {
      'per-target': ratio(synthetics['per-target']),
      'per-region': ratio(synthetics['per-region']),
    },
    pricesTakenOn: prices.takenOn,
  };
}
