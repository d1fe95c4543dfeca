import { describe, expect, it } from 'vitest';
import {
  compareWithSynthetics,
  estimateFleetCost,
  estimateSyntheticsCost,
  tieredCost,
} from '../../../functions/cost/estimate.ts';
import type { FleetProfile } from '../../../functions/cost/fleet.ts';
import { DEFAULT_PRICES, withPriceOverrides } from '../../../functions/cost/prices.ts';

/** 2 targets, 1 region, every 60 min: 730 runs a month, numbers small enough to check by hand. */
const small: FleetProfile = {
  probeRegions: 1,
  targets: 2,
  registries: 1,
  scheduleMinutes: 60,
  invocationsPerTick: 1,
  probe: {
    memoryMb: 512,
    architecture: 'arm64',
    invocations: 730,
    invocationSeconds: 2,
    coldStarts: 730,
    initSeconds: 1,
  },
  notifier: {
    memoryMb: 256,
    architecture: 'arm64',
    invocations: 1000,
    invocationSeconds: 0.5,
    coldStarts: 0,
    initSeconds: 1,
  },
  schedulerInvocations: 730,
  metrics: [
    { name: 'Failing', series: 2, hoursPerSeries: 730, sent: 'always' },
    { name: 'SlowMs', series: 2, hoursPerSeries: 73, sent: 'while-warning' },
  ],
  putMetricDataRequests: 730,
  alarms: {
    standardMetrics: 10,
    highResolutionMetrics: 0,
    composite: 0,
    byKind: { FailingInAnyRegion: 4, ProbeSilent: 6 },
  },
  kms: { keys: 2, requests: 10_000, rotationsBilled: 0 },
  dashboards: 1,
  secrets: { count: 1, apiCalls: 10_000 },
  logs: { resultLinesBytes: 1024 ** 3, runLinesBytes: 0, platformBytes: 1024 ** 3, retentionDays: 15 },
  dynamodb: { writeUnits: 1_000_000, readUnits: 1_000_000 },
  sqs: { requests: 1_000_000 },
  sns: { publishes: 4, emails: 12 },
};

function lineOf(estimate: ReturnType<typeof estimateFleetCost>, id: string) {
  const found = estimate.lines.find((l) => l.id === id);
  if (!found) throw new Error(`no line ${id}`);
  return found;
}

describe('estimateFleetCost', () => {
  const estimate = estimateFleetCost(small, DEFAULT_PRICES);

  it('bills one scheduler invocation and one Lambda request per run', () => {
    expect(lineOf(estimate, 'scheduler').monthlyUsd).toBeCloseTo(730e-6, 12);
    expect(lineOf(estimate, 'probe:requests').monthlyUsd).toBeCloseTo(730 * 0.2e-6, 12);
  });

  it('bills GB-seconds as runs × memory × duration at the arm64 rate, and the INIT phase of every cold start', () => {
    expect(lineOf(estimate, 'probe:invoke').quantity).toBe(730 * 0.5 * 2);
    expect(lineOf(estimate, 'probe:invoke').monthlyUsd).toBeCloseTo(730 * 0.0000133334, 10);
    expect(lineOf(estimate, 'probe:init').quantity).toBe(730 * 0.5 * 1);
    expect(lineOf(estimate, 'notifier:invoke').quantity).toBe(1000 * 0.25 * 0.5);
  });

  it('prorates a metric by the hours it receives data: 2 always-sent series and 2 sent a tenth of the month', () => {
    expect(lineOf(estimate, 'metric:Failing').monthlyUsd).toBeCloseTo(0.6, 10);
    expect(lineOf(estimate, 'metric:SlowMs').quantity).toBeCloseTo(0.2, 10);
    expect(lineOf(estimate, 'metric:SlowMs').monthlyUsd).toBeCloseTo(0.06, 10);
  });

  it('bills alarms per metric read, one line per kind', () => {
    expect(lineOf(estimate, 'alarm:FailingInAnyRegion').monthlyUsd).toBeCloseTo(0.4, 10);
    expect(lineOf(estimate, 'alarm:ProbeSilent').monthlyUsd).toBeCloseTo(0.6, 10);
    expect(estimate.lines.some((l) => l.id === 'alarm:composite')).toBe(false);
  });

  it('bills keys at $1, a dashboard at $3, a secret at $0.40 and their API calls', () => {
    expect(lineOf(estimate, 'kms:keys').monthlyUsd).toBe(2);
    expect(lineOf(estimate, 'kms:requests').monthlyUsd).toBeCloseTo(0.03, 10);
    expect(lineOf(estimate, 'dashboards').monthlyUsd).toBe(3);
    expect(lineOf(estimate, 'secrets').monthlyUsd).toBeCloseTo(0.4, 10);
    expect(lineOf(estimate, 'secrets:calls').monthlyUsd).toBeCloseTo(0.05, 10);
  });

  it('adds a dollar a key for each billed rotation', () => {
    const rotated = estimateFleetCost(
      { ...small, kms: { ...small.kms, rotationsBilled: 2 } },
      DEFAULT_PRICES,
    );
    expect(lineOf(rotated, 'kms:keys').monthlyUsd).toBe(6);
  });

  it('ingests every log line at $0.50/GB and stores the retention window', () => {
    expect(lineOf(estimate, 'logs:results').monthlyUsd).toBeCloseTo(0.5, 10);
    expect(lineOf(estimate, 'logs:platform').monthlyUsd).toBeCloseTo(0.5, 10);
    expect(lineOf(estimate, 'logs:storage').quantity).toBeCloseTo(1, 10);
  });

  it('bills DynamoDB on demand, SQS requests, SNS publishes and emails', () => {
    expect(lineOf(estimate, 'dynamodb:writes').monthlyUsd).toBeCloseTo(0.625, 10);
    expect(lineOf(estimate, 'dynamodb:reads').monthlyUsd).toBeCloseTo(0.125, 10);
    expect(lineOf(estimate, 'sqs').monthlyUsd).toBeCloseTo(0.4, 10);
    expect(lineOf(estimate, 'sns:emails').monthlyUsd).toBeCloseTo(12 * 2e-5, 12);
  });

  it('totals exactly the sum of its lines', () => {
    expect(estimate.totalUsd).toBe(estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0));
  });

  it('takes the free tier off only in the second total', () => {
    // 2 metrics of 10 free, 10 alarm metrics of 10 free, 1 dashboard of 3, 2 GB of logs + storage of 5 GB,
    // all Lambda, scheduler, SQS and SNS within their allowances; keys, secrets and DynamoDB are never free.
    expect(estimate.totalAfterFreeTierUsd).toBeCloseTo(2 + 0.4 + 0.05 + 0.625 + 0.125, 10);
  });
});

describe('estimateSyntheticsCost', () => {
  const canary = {
    memoryMb: 1024,
    startSeconds: 3,
    secondsPerCheck: 1,
    s3PutsPerRun: 2,
    logBytesPerRun: 0,
    logBytesPerCheck: 0,
  };

  it('runs one canary per target per region per tick at $0.0012 a run, plus its Lambda and S3', () => {
    const estimate = estimateSyntheticsCost(small, DEFAULT_PRICES, 'per-target', canary);
    const runs = estimate.lines.find((l) => l.id === 'synthetics:runs')!;
    expect(runs.quantity).toBe(1460);
    expect(runs.monthlyUsd).toBeCloseTo(1.752, 10);
    const compute = estimate.lines.find((l) => l.id === 'synthetics:compute')!;
    expect(compute.monthlyUsd).toBeCloseTo(1460 * 4 * 0.0000166667, 10);
    expect(estimate.lines.find((l) => l.id === 'synthetics:s3')!.monthlyUsd).toBeCloseTo(2920 * 0.005e-3, 12);
  });

  it('runs one canary per region that checks every target in turn', () => {
    const estimate = estimateSyntheticsCost(small, DEFAULT_PRICES, 'per-region', canary);
    expect(estimate.lines.find((l) => l.id === 'synthetics:runs')!.quantity).toBe(730);
    // 3 s to start, 1 s per target.
    expect(estimate.lines.find((l) => l.id === 'synthetics:compute')!.quantity).toBe(730 * 1 * 5);
  });

  it('carries the same alarms, dashboard and alerts as ours, and no custom metrics', () => {
    const estimate = estimateSyntheticsCost(small, DEFAULT_PRICES, 'per-region');
    expect(estimate.lines.find((l) => l.id === 'alarm:ProbeSilent')!.monthlyUsd).toBeCloseTo(0.6, 10);
    expect(estimate.lines.some((l) => l.id === 'dashboards')).toBe(true);
    expect(estimate.lines.some((l) => l.id.startsWith('metric:'))).toBe(false);
  });

  it('compares both layouts with ours', () => {
    const c = compareWithSynthetics(small, withPriceOverrides({ synthetics: { perCanaryRun: 0.01 } }));
    expect(c.syntheticsRatio['per-target']).toBeCloseTo(
      c.synthetics['per-target'].totalUsd / c.registryCanary.totalUsd,
      10,
    );
    expect(c.synthetics['per-target'].totalUsd).toBeGreaterThan(c.synthetics['per-region'].totalUsd);
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
