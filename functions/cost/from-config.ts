/**
 * Turns a validated config into the billing units of its deployment. Metric counts come from the
 * same catalog the Lambda emits from, Lambda memory from the same sizing the CDK app deploys with,
 * so the estimate follows the code instead of a copy of it.
 */

import type { CanaryConfig, TargetConfig } from '../../lib/config/schema.ts';
import { planShards } from '../../lib/config/shards.ts';
import { targetsForRegion } from '../../lib/config/sizing.ts';
import type { HomeMetric, RegionalMetric } from '../publish/metrics-catalog.ts';
import { type AlarmCounts, countAlarms } from './alarms.ts';
import { type FleetProfile, runsPerMonth } from './fleet.ts';
import { type TargetTraits, targetTraits } from './target-traits.ts';

/** What the config cannot tell: how the fleet behaves. Every field can be overridden. */
export interface CostAssumptions {
  /** Billed duration of one invocation. Probes run concurrently, so about the slowest target plus publishing. */
  invocationSeconds: number;
  /** The JSON result line plus its EMF blob, per target per run (see bench/RESULTS.md for a measured line). */
  logBytesPerTargetResult: number;
  /** START, END and REPORT lines. */
  platformLogBytesPerInvocation: number;
  /** Runs per target per region per month that end failing (each writes state; failures by code emit a metric). */
  failingRunsPerTargetPerRegion: number;
  /** Cold starts per region per month: each forgets the write memory, so every target is written once more. */
  coldStartsPerRegion: number;
  /** Write units of one state item (1 KB each): a healthy item is ~0.6 KB, a failing one with evidence more. */
  healthyItemWriteUnits: number;
  failingItemWriteUnits: number;
  /** Distinct diagnosis codes seen per region in a month: each is a `Failure`{Code} metric while it occurs. */
  failureCodesPerRegion: number;
  incidentsPerMonth: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  invocationSeconds: 3,
  logBytesPerTargetResult: 3_500,
  platformLogBytesPerInvocation: 400,
  failingRunsPerTargetPerRegion: 60,
  coldStartsPerRegion: 360,
  healthyItemWriteUnits: 1,
  failingItemWriteUnits: 2,
  failureCodesPerRegion: 1,
  incidentsPerMonth: 10,
};

type RegionalMetricKey = keyof typeof RegionalMetric;
type HomeMetricKey = keyof typeof HomeMetric;

/** How often a catalog metric exists. Keyed by the catalog, so a new metric does not compile until it is costed here. */
type Cardinality = 'per-target' | 'per-registry' | 'per-region' | 'per-failure-code';

const REGIONAL_CARDINALITY: Record<
  RegionalMetricKey,
  { kind: Cardinality; when?: (t: TargetTraits) => boolean }
> = {
  success: { kind: 'per-target' },
  duration: { kind: 'per-target' },
  // The network phases are dimensioned by Registry (functions/publish/metrics.ts emitPhaseMetrics).
  dns: { kind: 'per-registry', when: (t) => !t.ipLiteral },
  connect: { kind: 'per-registry' },
  tls: { kind: 'per-registry', when: (t) => t.tls },
  ttfb: { kind: 'per-registry' },
  rateLimitRemaining: { kind: 'per-target', when: (t) => t.rateLimited },
  rateLimitLimit: { kind: 'per-target', when: (t) => t.rateLimited },
  certDaysRemaining: { kind: 'per-target', when: (t) => t.tls },
  failure: { kind: 'per-failure-code' },
  targetsProbed: { kind: 'per-region' },
  runDuration: { kind: 'per-region' },
};

const HOME_CARDINALITY: Record<HomeMetricKey, (t: TargetTraits) => boolean> = {
  success: () => true,
  duration: () => true,
  rateLimitRemainingPercent: (t) => t.rateLimited,
  certDaysRemaining: (t) => t.tls,
};

function applicable(kind: Cardinality, traits: TargetTraits): number {
  return Object.values(REGIONAL_CARDINALITY).filter((m) => m.kind === kind && (m.when?.(traits) ?? true))
    .length;
}

export function regionalMetricsForTarget(target: TargetConfig): number {
  return applicable('per-target', targetTraits(target));
}

/**
 * The Registry-dimensioned series of each registry probed in a region: a registry costs its
 * phase series once, however many of the region's targets are on it.
 */
export function registryMetricsForRegion(targets: readonly TargetConfig[]): Map<string, number> {
  const perRegistry = new Map<string, number>();
  for (const target of targets) {
    const traits = targetTraits(target);
    if (!perRegistry.has(traits.registry))
      perRegistry.set(traits.registry, applicable('per-registry', traits));
  }
  return perRegistry;
}

export function homeMetricsForTarget(target: TargetConfig): number {
  const traits = targetTraits(target);
  return Object.values(HOME_CARDINALITY).filter((applies) => applies(traits)).length;
}

function count(kind: Cardinality): number {
  return Object.values(REGIONAL_CARDINALITY).filter((m) => m.kind === kind).length;
}

/**
 * The fleet as billed. Targets may be limited to some regions, so per-target figures are averaged
 * over (target, region) pairs and the profile's `targets` is that average: the totals are exact.
 */
export function fleetFromConfig(
  config: CanaryConfig,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): FleetProfile {
  const regions = config.probeRegions;
  const pairs = regions.flatMap((region) => targetsForRegion(config, region));
  const targetRegions = pairs.length;
  const registrySeries = regions.flatMap((region) => [
    ...registryMetricsForRegion(targetsForRegion(config, region)).values(),
  ]);
  // (registry, region) pairs, and the series of each averaged over them: the totals are exact.
  const registryRegions = registrySeries.length;
  const perPair = (f: (t: TargetConfig) => number) =>
    targetRegions === 0 ? 0 : pairs.reduce((sum, t) => sum + f(t), 0) / targetRegions;
  // A large region runs as several shards of one function (lib/config/shards.ts), each sized for one shard.
  const plans = regions.map((region) => planShards(config, region));
  const invocationsPerTick = plans.reduce((sum, p) => sum + p.shards, 0) / Math.max(1, plans.length);
  // Regions of different sizes: the average memory, weighted by invocations.
  const memoryMb =
    plans.reduce((sum, p) => sum + p.sizing.memoryMb * p.shards, 0) /
    Math.max(1, invocationsPerTick * plans.length);
  const ticks = runsPerMonth(config.schedule.everyMinutes);
  const heartbeats = runsPerMonth(Math.max(config.schedule.everyMinutes, config.state.heartbeatMinutes));
  const alarms: AlarmCounts = countAlarms(config);

  return {
    probeRegions: regions.length,
    targets: targetRegions / Math.max(1, regions.length),
    registries: registryRegions / Math.max(1, regions.length),
    scheduleMinutes: config.schedule.everyMinutes,
    lambda: {
      memoryMb,
      architecture: 'arm64',
      invocationSeconds: assumptions.invocationSeconds,
      invocationsPerTick,
    },
    metrics: {
      perTargetPerRegion: perPair(regionalMetricsForTarget),
      perRegistryPerRegion:
        registryRegions === 0 ? 0 : registrySeries.reduce((sum, n) => sum + n, 0) / registryRegions,
      homePerTargetPerRegion: perPair(homeMetricsForTarget),
      perRegion: count('per-region') + count('per-failure-code') * assumptions.failureCodesPerRegion,
    },
    // One PutMetricData request per 1000 data: all of a region's targets fit in one for any real fleet.
    putMetricDataCallsPerInvocation: Math.max(
      1,
      Math.ceil((perPair(homeMetricsForTarget) * targetRegions) / Math.max(1, regions.length) / 1000),
    ),
    alarms: {
      standardMetrics: alarms.standardMetrics,
      highResolutionMetrics: alarms.highResolutionMetrics,
      composite: alarms.composite,
    },
    logs: {
      platformBytesPerInvocation: assumptions.platformLogBytesPerInvocation,
      bytesPerTargetResult: assumptions.logBytesPerTargetResult,
      retentionDays: config.logRetentionDays,
    },
    state: {
      writeUnitsPerTargetPerRegion:
        Math.min(heartbeats, ticks) * assumptions.healthyItemWriteUnits +
        assumptions.failingRunsPerTargetPerRegion * assumptions.failingItemWriteUnits +
        assumptions.coldStartsPerRegion * assumptions.healthyItemWriteUnits,
      // The writer keeps its own memory instead of reading (functions/publish/state.ts).
      readUnitsPerInvocation: 0,
    },
    notifications: {
      // One message when an incident opens, one when it recovers.
      messagesPerMonth: assumptions.incidentsPerMonth * 2,
      emailSubscribers: config.notifications.emails.length,
    },
  };
}
