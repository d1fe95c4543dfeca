import { describe, expect, it } from 'vitest';
import { estimateFleetCost, estimateSyntheticsCost, tieredCost } from '../../../functions/cost/estimate.ts';
import type { FleetProfile } from '../../../functions/cost/fleet.ts';
import { DEFAULT_PRICES } from '../../../functions/cost/prices.ts';

/** 2 targets, 1 region, every 60 min: 730 runs a month, numbers small enough to check by hand. */
const small: FleetProfile = {
  probeRegions: 1,
  targets: 2,
  registries: 1,
  scheduleMinutes: 60,
  lambda: { memoryMb: 512, architecture: 'arm64', invocationSeconds: 2, invocationsPerTick: 1 },
  metrics: { perTargetPerRegion: 4, perRegistryPerRegion: 4, homePerTargetPerRegion: 4, perRegion: 3 },
  putMetricDataCallsPerInvocation: 1,
  alarms: { standardMetrics: 10, highResolutionMetrics: 1, composite: 2 },
  logs: { platformBytesPerInvocation: 1024, bytesPerTargetResult: 1024, retentionDays: 15 },
  state: { writeUnitsPerTargetPerRegion: 1000, readUnitsPerInvocation: 2 },
  notifications: { messagesPerMonth: 4, emailSubscribers: 3 },
};

function lineOf(estimate: ReturnType<typeof estimateFleetCost>, item: string) {
  const found = estimate.lines.find((l) => l.item.startsWith(item));
  if (!found) throw new Error(`no line ${item}`);
  return found;
}

describe('estimateFleetCost', () => {
  const estimate = estimateFleetCost(small, DEFAULT_PRICES);

  it('bills one Lambda request per region per run: 730 hourly runs', () => {
    expect(lineOf(estimate, 'requests').quantity).toBe(730);
    expect(lineOf(estimate, 'requests').monthlyUsd).toBeCloseTo(730 * 0.2e-6, 12);
  });

  it('bills GB-seconds as runs × memory in GB × duration at the arm64 rate', () => {
    const compute = lineOf(estimate, 'compute');
    expect(compute.quantity).toBe(730 * 0.5 * 2);
    expect(compute.monthlyUsd).toBeCloseTo(730 * 0.0000133334, 10);
  });

  it('counts every per-target, per-registry, per-region and home series: 2×4 + 1×4 + 3 + 2×4 = 23 at $0.30', () => {
    const metrics = lineOf(estimate, 'custom metrics');
    expect(metrics.quantity).toBe(23);
    expect(metrics.monthlyUsd).toBeCloseTo(6.9, 10);
  });

  it('bills the phase series of a registry once, however many targets are on it', () => {
    const oneMoreTarget = estimateFleetCost({ ...small, targets: 3 }, DEFAULT_PRICES);
    const oneMoreRegistry = estimateFleetCost({ ...small, registries: 2 }, DEFAULT_PRICES);
    // A third target adds its 4 per-target and 4 home series; a second registry its 4 phase series.
    expect(lineOf(oneMoreTarget, 'custom metrics').quantity).toBe(23 + 4 + 4);
    expect(lineOf(oneMoreRegistry, 'custom metrics').quantity).toBe(23 + 4);
  });

  it('bills alarms per evaluated metric, high-resolution and composite at their own rates', () => {
    expect(lineOf(estimate, 'standard alarms').monthlyUsd).toBeCloseTo(1.0, 10);
    expect(lineOf(estimate, 'high-resolution alarms').monthlyUsd).toBeCloseTo(0.3, 10);
    expect(lineOf(estimate, 'composite alarms').monthlyUsd).toBeCloseTo(1.0, 10);
  });

  it('bills PutMetricData at $0.01 per 1000 calls', () => {
    expect(lineOf(estimate, 'PutMetricData').monthlyUsd).toBeCloseTo(0.0073, 10);
  });

  it('ingests platform bytes per invocation plus result bytes per target per run', () => {
    const gb = (730 * 1024 + 730 * 2 * 1024) / 1024 ** 3;
    expect(lineOf(estimate, 'ingestion').quantity).toBeCloseTo(gb, 15);
    expect(lineOf(estimate, 'ingestion').monthlyUsd).toBeCloseTo(gb * 0.5, 15);
    expect(lineOf(estimate, 'storage').quantity).toBeCloseTo(gb / 2, 15);
  });

  it('bills DynamoDB writes per target and region, reads per invocation, SNS per publish and email', () => {
    expect(lineOf(estimate, 'state writes').monthlyUsd).toBeCloseTo(2000 * 0.625e-6, 12);
    expect(lineOf(estimate, 'state reads').quantity).toBe(1460);
    expect(lineOf(estimate, 'alert publishes').monthlyUsd).toBeCloseTo(4 * 0.5e-6, 14);
    expect(lineOf(estimate, 'email deliveries').monthlyUsd).toBeCloseTo(12 * 2e-5, 12);
  });

  it('totals exactly the sum of its lines', () => {
    const sum = estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(estimate.totalUsd).toBe(sum);
    expect(estimate.totalUsd).toBeCloseTo(
      730 * 1e-6 + // scheduler
        730 * 0.2e-6 +
        730 * 0.0000133334 +
        6.9 +
        0.0073 +
        1.0 +
        0.3 +
        1.0 +
        ((730 * 3 * 1024) / 1024 ** 3) * (0.5 + 0.03 / 2) +
        2000 * 0.625e-6 +
        1460 * 0.125e-6 +
        4 * 0.5e-6 +
        12 * 2e-5,
      10,
    );
  });

  it('multiplies invocations by the shard count of a sharded fleet', () => {
    const sharded = estimateFleetCost(
      { ...small, lambda: { ...small.lambda, invocationsPerTick: 3 } },
      DEFAULT_PRICES,
    );
    expect(lineOf(sharded, 'requests').quantity).toBe(2190);
  });
});

describe('estimateSyntheticsCost', () => {
  it('runs one canary per target per region per tick at $0.0012 a run, plus its Lambda and S3', () => {
    const estimate = estimateSyntheticsCost(small, DEFAULT_PRICES, {
      memoryMb: 1024,
      runSeconds: 4,
      s3PutsPerRun: 2,
      logBytesPerRun: 0,
    });
    const runs = estimate.lines.find((l) => l.item === 'canary runs')!;
    expect(runs.quantity).toBe(1460);
    expect(runs.monthlyUsd).toBeCloseTo(1.752, 10);
    const compute = estimate.lines.find((l) => l.item.startsWith('canary compute'))!;
    expect(compute.monthlyUsd).toBeCloseTo(1460 * 4 * 0.0000166667, 10);
    expect(estimate.lines.find((l) => l.item === 'artifact PUTs')!.monthlyUsd).toBeCloseTo(
      2920 * 0.005e-3,
      12,
    );
  });

  it('carries the same alarms and alerts as ours, so the comparison pages alike', () => {
    const estimate = estimateSyntheticsCost(small, DEFAULT_PRICES);
    expect(estimate.lines.find((l) => l.item.startsWith('standard alarms'))!.monthlyUsd).toBeCloseTo(1.0, 10);
    expect(estimate.lines.some((l) => l.item.startsWith('custom metrics'))).toBe(false);
  });
});

describe('tieredCost', () => {
  it('prices the first 10,000 metrics at $0.30 and the next at $0.10', () => {
    const tiers = DEFAULT_PRICES.cloudwatch.customMetricTiers;
    expect(tieredCost(10_000, tiers)).toBeCloseTo(3_000, 8);
    expect(tieredCost(10_500, tiers)).toBeCloseTo(3_050, 8);
    expect(tieredCost(1_000_100, tiers)).toBeCloseTo(3_000 + 24_000 + 37_500 + 2, 6);
  });
});
