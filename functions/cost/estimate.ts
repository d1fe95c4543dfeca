/**
 * Monthly AWS cost of a fleet, itemised, beside the same fleet on CloudWatch Synthetics.
 * Pure arithmetic over a FleetProfile and a PriceTable: no AWS calls, so it runs anywhere.
 */
import { DEFAULT_SYNTHETICS, type FleetProfile, runsPerMonth, type SyntheticsProfile } from './fleet.ts';
import type { PriceTable } from './prices.ts';

export interface CostLine {
  service:
    | 'Lambda'
    | 'CloudWatch'
    | 'CloudWatch Logs'
    | 'DynamoDB'
    | 'SNS'
    | 'EventBridge Scheduler'
    | 'Synthetics'
    | 'S3';
  item: string;
  quantity: number;
  unit: string;
  /** USD per `unit` (for tiered prices, the average over the quantity). */
  unitPriceUsd: number;
  monthlyUsd: number;
}

export interface CostEstimate {
  lines: CostLine[];
  totalUsd: number;
}

export interface CostComparison {
  registryCanary: CostEstimate;
  synthetics: CostEstimate;
  /** synthetics.totalUsd / registryCanary.totalUsd */
  syntheticsRatio: number;
  pricesTakenOn: string;
}

const BYTES_PER_GB = 1024 ** 3;

function line(
  service: CostLine['service'],
  item: string,
  quantity: number,
  unit: string,
  unitPriceUsd: number,
): CostLine {
  return { service, item, quantity, unit, unitPriceUsd, monthlyUsd: quantity * unitPriceUsd };
}

function total(lines: CostLine[]): CostEstimate {
  return { lines, totalUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0) };
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

/** The invocations, metrics, alarms, logs, state writes and alerts of registry-canary itself. */
export function estimateFleetCost(fleet: FleetProfile, prices: PriceTable): CostEstimate {
  const ticks = runsPerMonth(fleet.scheduleMinutes);
  const invocations = ticks * fleet.probeRegions * fleet.lambda.invocationsPerTick;
  const targetRegions = fleet.targets * fleet.probeRegions;
  const gbSeconds = invocations * (fleet.lambda.memoryMb / 1024) * fleet.lambda.invocationSeconds;
  const gbSecondPrice =
    fleet.lambda.architecture === 'arm64' ? prices.lambda.perGbSecondArm64 : prices.lambda.perGbSecondX86;

  const regionalMetrics =
    targetRegions * fleet.metrics.perTargetPerRegion +
    fleet.registries * fleet.probeRegions * fleet.metrics.perRegistryPerRegion +
    fleet.probeRegions * fleet.metrics.perRegion;
  const homeMetrics = targetRegions * fleet.metrics.homePerTargetPerRegion;
  const metricCount = regionalMetrics + homeMetrics;
  const metricCost = tieredCost(metricCount, prices.cloudwatch.customMetricTiers);

  const logBytes =
    invocations * fleet.logs.platformBytesPerInvocation +
    ticks * targetRegions * fleet.logs.bytesPerTargetResult;
  const logGb = logBytes / BYTES_PER_GB;
  // Stored uncompressed bytes over the retention window: an upper bound, CloudWatch bills compressed.
  const storedGb = logGb * Math.min(1, fleet.logs.retentionDays / 30);

  const lines: CostLine[] = [
    line(
      'EventBridge Scheduler',
      'scheduled invocations',
      invocations,
      'invocation',
      prices.scheduler.perMillionInvocations / 1e6,
    ),
    line('Lambda', 'requests', invocations, 'request', prices.lambda.perMillionRequests / 1e6),
    line(
      'Lambda',
      `compute (${fleet.lambda.memoryMb} MB ${fleet.lambda.architecture} × ${fleet.lambda.invocationSeconds} s)`,
      gbSeconds,
      'GB-second',
      gbSecondPrice,
    ),
    line(
      'CloudWatch',
      `custom metrics (${regionalMetrics} regional EMF + ${homeMetrics} home copy)`,
      metricCount,
      'metric-month',
      metricCount === 0 ? 0 : metricCost / metricCount,
    ),
    line(
      'CloudWatch',
      'PutMetricData calls (home copy)',
      invocations * fleet.putMetricDataCallsPerInvocation,
      'request',
      prices.cloudwatch.perThousandApiRequests / 1000,
    ),
    line(
      'CloudWatch',
      'standard alarms (per metric evaluated)',
      fleet.alarms.standardMetrics,
      'alarm metric',
      prices.cloudwatch.standardAlarmPerMetric,
    ),
    line(
      'CloudWatch',
      'high-resolution alarms (per metric evaluated)',
      fleet.alarms.highResolutionMetrics,
      'alarm metric',
      prices.cloudwatch.highResolutionAlarmPerMetric,
    ),
    line('CloudWatch', 'composite alarms', fleet.alarms.composite, 'alarm', prices.cloudwatch.compositeAlarm),
    line(
      'CloudWatch Logs',
      'ingestion (result lines, EMF, platform lines)',
      logGb,
      'GB',
      prices.cloudwatch.logsIngestionPerGb,
    ),
    line(
      'CloudWatch Logs',
      `storage (${fleet.logs.retentionDays}-day retention, uncompressed)`,
      storedGb,
      'GB-month',
      prices.cloudwatch.logsStoragePerGbMonth,
    ),
    line(
      'DynamoDB',
      'state writes (changes + heartbeats)',
      targetRegions * fleet.state.writeUnitsPerTargetPerRegion,
      'write unit',
      prices.dynamodb.perMillionWriteRequestUnits / 1e6,
    ),
    line(
      'DynamoDB',
      'state reads',
      invocations * fleet.state.readUnitsPerInvocation,
      'read unit',
      prices.dynamodb.perMillionReadRequestUnits / 1e6,
    ),
    line(
      'SNS',
      'alert publishes',
      fleet.notifications.messagesPerMonth,
      'publish',
      prices.sns.perMillionPublishes / 1e6,
    ),
    line(
      'SNS',
      'email deliveries',
      fleet.notifications.messagesPerMonth * fleet.notifications.emailSubscribers,
      'email',
      prices.sns.perHundredThousandEmails / 1e5,
    ),
  ];
  return total(lines);
}

/**
 * The same fleet as one Synthetics canary per target per region at the same schedule. The alarms
 * and alerts are the same as ours (a fair comparison needs the same paging); Synthetics' own
 * metrics (SuccessPercent, Duration) are vended and free, so there is no custom-metric line.
 */
export function estimateSyntheticsCost(
  fleet: FleetProfile,
  prices: PriceTable,
  canary: SyntheticsProfile = DEFAULT_SYNTHETICS,
): CostEstimate {
  const runs = runsPerMonth(fleet.scheduleMinutes) * fleet.targets * fleet.probeRegions;
  const ours = estimateFleetCost(fleet, prices);
  const sameAsOurs = ours.lines.filter((l) => l.item.includes('alarms') || l.service === 'SNS');
  const logGb = (runs * canary.logBytesPerRun) / BYTES_PER_GB;
  const lines: CostLine[] = [
    line('Synthetics', 'canary runs', runs, 'run', prices.synthetics.perCanaryRun),
    line('Lambda', 'canary requests', runs, 'request', prices.lambda.perMillionRequests / 1e6),
    line(
      'Lambda',
      `canary compute (${canary.memoryMb} MB x86_64 × ${canary.runSeconds} s)`,
      runs * (canary.memoryMb / 1024) * canary.runSeconds,
      'GB-second',
      prices.lambda.perGbSecondX86,
    ),
    line(
      'S3',
      'artifact PUTs',
      runs * canary.s3PutsPerRun,
      'PUT',
      prices.synthetics.s3PerThousandPuts / 1000,
    ),
    line('CloudWatch Logs', 'canary log ingestion', logGb, 'GB', prices.cloudwatch.logsIngestionPerGb),
    ...sameAsOurs,
  ];
  return total(lines);
}

export function compareWithSynthetics(
  fleet: FleetProfile,
  prices: PriceTable,
  canary: SyntheticsProfile = DEFAULT_SYNTHETICS,
): CostComparison {
  const registryCanary = estimateFleetCost(fleet, prices);
  const synthetics = estimateSyntheticsCost(fleet, prices, canary);
  return {
    registryCanary,
    synthetics,
    syntheticsRatio:
      registryCanary.totalUsd === 0
        ? Number.POSITIVE_INFINITY
        : synthetics.totalUsd / registryCanary.totalUsd,
    pricesTakenOn: prices.takenOn,
  };
}
