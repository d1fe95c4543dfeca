/**
 * The cost goals of issue 9 and whether the model meets them, judged on list prices with no free
 * tier (the upper bound): the reference fleet at every schedule from 1 to 60 minutes, and the
 * default config as shipped. When a goal is missed, `dominant` names the lines that cost most at
 * the worst schedule, so the report says what to change.
 */

import defaultConfig from '../../config/default.ts';
import type { CanaryConfig } from '../../lib/config/schema.ts';
import { validateConfig } from '../../lib/config/validate.ts';
import { type CostComparison, type CostLine, compareWithSynthetics } from './estimate.ts';
import { type CostAssumptions, DEFAULT_ASSUMPTIONS, fleetFromConfig } from './from-config.ts';
import type { PriceTable } from './prices.ts';
import { referenceFleet } from './reference-fleet.ts';

export interface CostGoal {
  id: 'reference-fleet' | 'default-config';
  description: string;
  config: () => CanaryConfig;
  maxUsd: number;
  /** The schedules the goal must hold at. */
  schedules: readonly number[];
}

const EVERY_SCHEDULE = Array.from({ length: 60 }, (_, i) => i + 1);

export const COST_GOALS: readonly CostGoal[] = [
  {
    id: 'reference-fleet',
    description: 'the reference fleet (20 targets × 3 regions) at every schedule from 1 to 60 minutes',
    config: () => validateConfig(referenceFleet),
    maxUsd: 35,
    schedules: EVERY_SCHEDULE,
  },
  {
    id: 'default-config',
    description: 'the default config (config/default.ts, 7 targets × 3 regions every 5 minutes)',
    config: () => validateConfig(defaultConfig),
    maxUsd: 15,
    schedules: [validateConfig(defaultConfig).schedule.everyMinutes],
  },
];

/** The same config at another schedule. */
export function atSchedule(config: CanaryConfig, everyMinutes: number): CanaryConfig {
  return { ...config, schedule: { ...config.schedule, everyMinutes } };
}

export function comparisonAt(
  config: CanaryConfig,
  everyMinutes: number,
  prices: PriceTable,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): CostComparison {
  return compareWithSynthetics(fleetFromConfig(atSchedule(config, everyMinutes), assumptions), prices);
}

export interface GoalResult {
  id: CostGoal['id'];
  description: string;
  maxUsd: number;
  met: boolean;
  /** The most expensive schedule and its total. */
  worst: { everyMinutes: number; totalUsd: number; totalAfterFreeTierUsd: number };
  best: { everyMinutes: number; totalUsd: number };
  /** The largest lines at the worst schedule, most expensive first, covering most of the total. */
  dominant: Pick<CostLine, 'id' | 'item' | 'monthlyUsd'>[];
  /** The worst schedule's total by kind of line (all alarms together, all metrics...), most expensive first. */
  byCategory: { category: string; monthlyUsd: number }[];
  /** By how much the worst schedule misses (0 when met). */
  overByUsd: number;
  /**
   * The same goal once every key has had its automatic yearly rotations billed up to AWS's cap
   * (from the third year on, each key costs $3 a month instead of $1).
   */
  afterKeyRotations: { rotationsBilled: number; everyMinutes: number; totalUsd: number; met: boolean };
}

/** AWS KMS caps the price of a symmetric key after its second rotation (see docs/cost.md). */
export const KMS_ROTATIONS_CAP = 2;

export function evaluateGoal(
  goal: CostGoal,
  prices: PriceTable,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): GoalResult {
  const config = goal.config();
  const runs = goal.schedules.map((m) => ({
    m,
    c: comparisonAt(config, m, prices, assumptions).registryCanary,
  }));
  const worst = runs.reduce((a, b) => (b.c.totalUsd > a.c.totalUsd ? b : a));
  const best = runs.reduce((a, b) => (b.c.totalUsd < a.c.totalUsd ? b : a));
  const rotated = goal.schedules
    .map((m) => ({
      m,
      usd: comparisonAt(config, m, prices, { ...assumptions, kmsRotationsBilled: KMS_ROTATIONS_CAP })
        .registryCanary.totalUsd,
    }))
    .reduce((a, b) => (b.usd > a.usd ? b : a));
  const sorted = [...worst.c.lines].sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  const dominant: GoalResult['dominant'] = [];
  let covered = 0;
  for (const l of sorted) {
    if (covered >= 0.8 * worst.c.totalUsd || dominant.length >= 8) break;
    dominant.push({ id: l.id, item: l.item, monthlyUsd: l.monthlyUsd });
    covered += l.monthlyUsd;
  }
  const categories = new Map<string, number>();
  for (const l of worst.c.lines) {
    const category = categoryOf(l);
    categories.set(category, (categories.get(category) ?? 0) + l.monthlyUsd);
  }
  const byCategory = [...categories]
    .map(([category, monthlyUsd]) => ({ category, monthlyUsd }))
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  return {
    id: goal.id,
    description: goal.description,
    byCategory,
    maxUsd: goal.maxUsd,
    met: worst.c.totalUsd <= goal.maxUsd,
    worst: {
      everyMinutes: worst.m,
      totalUsd: worst.c.totalUsd,
      totalAfterFreeTierUsd: worst.c.totalAfterFreeTierUsd,
    },
    best: { everyMinutes: best.m, totalUsd: best.c.totalUsd },
    dominant,
    overByUsd: Math.max(0, worst.c.totalUsd - goal.maxUsd),
    afterKeyRotations: {
      rotationsBilled: KMS_ROTATIONS_CAP,
      everyMinutes: rotated.m,
      totalUsd: rotated.usd,
      met: rotated.usd <= goal.maxUsd,
    },
  };
}

const CATEGORIES: Record<string, string> = {
  alarm: 'alarms',
  metric: 'custom metrics',
  putmetricdata: 'PutMetricData',
  kms: 'KMS',
  dashboards: 'dashboard',
  logs: 'CloudWatch Logs',
  probe: 'probe Lambda',
  notifier: 'notifier Lambda',
  channels: 'alert channel Lambdas',
  scheduler: 'EventBridge Scheduler',
  dynamodb: 'DynamoDB',
  sqs: 'SQS',
  sns: 'SNS',
  secrets: 'Secrets Manager',
};

/** A line's kind: its id up to the first colon, named. */
export function categoryOf(l: Pick<CostLine, 'id'>): string {
  const prefix = l.id.split(':')[0]!;
  return CATEGORIES[prefix] ?? prefix;
}

export function evaluateGoals(
  prices: PriceTable,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): GoalResult[] {
  return COST_GOALS.map((goal) => evaluateGoal(goal, prices, assumptions));
}

/** The schedules the README and bench/RESULTS.md compare at. */
export const COMPARED_SCHEDULES = [1, 5, 15, 60] as const;

export interface ScheduleRow {
  everyMinutes: number;
  registryCanaryUsd: number;
  registryCanaryAfterFreeTierUsd: number;
  perTargetUsd: number;
  perRegionUsd: number;
  perTargetRatio: number;
  perRegionRatio: number;
}

export function scheduleTable(
  config: CanaryConfig,
  prices: PriceTable,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
  schedules: readonly number[] = COMPARED_SCHEDULES,
): ScheduleRow[] {
  return schedules.map((m) => {
    const c = comparisonAt(config, m, prices, assumptions);
    return {
      everyMinutes: m,
      registryCanaryUsd: c.registryCanary.totalUsd,
      registryCanaryAfterFreeTierUsd: c.registryCanary.totalAfterFreeTierUsd,
      perTargetUsd: c.synthetics['per-target'].totalUsd,
      perRegionUsd: c.synthetics['per-region'].totalUsd,
      perTargetRatio: c.syntheticsRatio['per-target'],
      perRegionRatio: c.syntheticsRatio['per-region'],
    };
  });
}
