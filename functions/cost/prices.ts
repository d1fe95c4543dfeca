/**
 * The price table the cost estimate multiplies by: AWS list prices for us-east-1, before free
 * tier, in US dollars. Prices change; every estimate prints the date below next to its total, and
 * a user can override any entry with `--prices file.json` (a partial table, deep-merged).
 */
import { z } from 'zod';

const usd = z.number().nonnegative();

/** One tier of a tiered price: units up to `upTo` (cumulative; null = no upper bound) cost `usd` each. */
const tierSchema = z.strictObject({ upTo: z.number().positive().nullable(), usd });

// Strict at every level: an override with a misspelt key (`lamda`, `perMilionRequests`) would
// otherwise merge in beside the real price, leave it unchanged, and look applied.
export const priceTableSchema = z.strictObject({
  /** The day these prices were read off the AWS pricing pages (YYYY-MM-DD). */
  takenOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'takenOn must be YYYY-MM-DD'),
  region: z.string().min(1),
  source: z.string().min(1),
  lambda: z.strictObject({
    perMillionRequests: usd,
    perGbSecondArm64: usd,
    perGbSecondX86: usd,
  }),
  cloudwatch: z.strictObject({
    /**
     * Custom metrics per metric-month, tiered across the account. A metric is billed for the hours
     * in which it receives data (prorated by the hour), so a metric sent h hours a month costs h/730.
     */
    customMetricTiers: z.array(tierSchema).min(1),
    /** A standard-resolution alarm, per metric it evaluates (a metric-math alarm pays per metric). */
    standardAlarmPerMetric: usd,
    highResolutionAlarmPerMetric: usd,
    compositeAlarm: usd,
    /** PutMetricData, GetMetricData and the other metric APIs. */
    perThousandApiRequests: usd,
    logsIngestionPerGb: usd,
    logsStoragePerGbMonth: usd,
    /** A custom dashboard per month (the first 3 of an account, up to 50 metrics each, are free). */
    dashboardMonth: usd,
  }),
  kms: z.strictObject({
    /** A customer-managed key per month; each automatic rotation adds $1/month (capped, see docs/cost.md). */
    keyMonth: usd,
    perTenThousandRequests: usd,
  }),
  secretsManager: z.strictObject({
    secretMonth: usd,
    perTenThousandApiCalls: usd,
  }),
  sqs: z.strictObject({ perMillionRequests: usd }),
  dynamodb: z.strictObject({
    /** On-demand capacity. */
    perMillionWriteRequestUnits: usd,
    perMillionReadRequestUnits: usd,
  }),
  sns: z.strictObject({
    perMillionPublishes: usd,
    perHundredThousandEmails: usd,
  }),
  scheduler: z.strictObject({ perMillionInvocations: usd }),
  synthetics: z.strictObject({
    perCanaryRun: usd,
    /** Each canary run writes its log and report to S3. */
    s3PerThousandPuts: usd,
  }),
});

export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * us-east-1 list prices as published on aws.amazon.com/{lambda,cloudwatch,dynamodb,sns,
 * eventbridge,s3,kms,secrets-manager,sqs}/pricing/. DynamoDB on-demand is the price after the
 * November 2024 cut. docs/cost.md lists, entry by entry, where each price was read and which were
 * checked again on 2026-12-02 (KMS, CloudWatch free tier and dashboards, Secrets Manager,
 * EventBridge Scheduler, Synthetics runs); `takenOn` stays the date of the table as a whole.
 * Free tiers are NOT deducted from the total (see FREE_TIER), so the estimate is an upper bound for
 * a small account and exact for a busy one.
 */
export const DEFAULT_PRICES: PriceTable = {
  takenOn: '2025-06-01',
  region: 'us-east-1',
  source: 'AWS public pricing pages, us-east-1 list prices, before free tier',
  lambda: {
    perMillionRequests: 0.2,
    perGbSecondArm64: 0.0000133334,
    perGbSecondX86: 0.0000166667,
  },
  cloudwatch: {
    customMetricTiers: [
      { upTo: 10_000, usd: 0.3 },
      { upTo: 250_000, usd: 0.1 },
      { upTo: 1_000_000, usd: 0.05 },
      { upTo: null, usd: 0.02 },
    ],
    standardAlarmPerMetric: 0.1,
    highResolutionAlarmPerMetric: 0.3,
    compositeAlarm: 0.5,
    perThousandApiRequests: 0.01,
    logsIngestionPerGb: 0.5,
    logsStoragePerGbMonth: 0.03,
    dashboardMonth: 3,
  },
  kms: { keyMonth: 1, perTenThousandRequests: 0.03 },
  secretsManager: { secretMonth: 0.4, perTenThousandApiCalls: 0.05 },
  sqs: { perMillionRequests: 0.4 },
  dynamodb: {
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
  },
  sns: {
    perMillionPublishes: 0.5,
    perHundredThousandEmails: 2,
  },
  scheduler: { perMillionInvocations: 1 },
  synthetics: {
    perCanaryRun: 0.0012,
    s3PerThousandPuts: 0.005,
  },
};

/**
 * The always-free monthly allowances, per account (shared with everything else the account runs),
 * as the pricing pages state them. The estimate reports a second total as if all of each were
 * left for registry-canary: a lower bound, where the list-price total is the upper one.
 */
export const FREE_TIER = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  schedulerInvocations: 14_000_000,
  customMetrics: 10,
  /** Standard-resolution alarm metrics. */
  alarmMetrics: 10,
  /** PutMetricData and the other metric APIs, except GetMetricData. */
  metricApiRequests: 1_000_000,
  /** Ingestion, storage and Logs Insights scans together. */
  logsGb: 5,
  dashboards: 3,
  kmsRequests: 20_000,
  snsPublishes: 1_000_000,
  snsEmails: 1_000,
  sqsRequests: 1_000_000,
  canaryRuns: 100,
} as const;

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * Lays a user's partial price table over the defaults. Arrays (the metric tiers) are replaced,
 * not merged, because a tier list only makes sense whole. An override that changes a price but
 * not `takenOn` still validates: the printed date then belongs to the defaults, so we say so.
 */
export function withPriceOverrides(
  overrides: DeepPartial<PriceTable> | unknown,
  base: PriceTable = DEFAULT_PRICES,
) {
  const parsed = priceTableSchema.safeParse(deepMerge(base, overrides));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`invalid price table: ${problems.join('; ')}`);
  }
  return parsed.data;
}
