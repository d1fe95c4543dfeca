/**
 * `registry-canary cost [--config path] [--prices path] [--assume key=value ...] [--json]`:
 * the monthly AWS cost of a config, itemised, beside the same fleet on CloudWatch Synthetics.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../lib/config/load-config.ts';
import type { CanaryConfig } from '../../lib/config/schema.ts';
import { type CostComparison, compareWithSynthetics } from './estimate.ts';
import type { FleetProfile } from './fleet.ts';
import { formatComparison, formatGoals, formatScheduleTable } from './format.ts';
import { type CostAssumptions, DEFAULT_ASSUMPTIONS, fleetFromConfig } from './from-config.ts';
import { evaluateGoals, type GoalResult, type ScheduleRow, scheduleTable } from './goals.ts';
import { DEFAULT_PRICES, type PriceTable, withPriceOverrides } from './prices.ts';

export const COST_USAGE = `Usage: registry-canary cost [--config path] [--prices file.json] [--assume key=value ...] [--json | --markdown]

Estimates the monthly AWS cost of a deployment, sets it beside CloudWatch Synthetics in two
layouts (a canary per target per region; one multi-check canary per region), at the config's
schedule and at 1, 5, 15 and 60 minutes, and reports the project's cost goals.
  --config path     the config to estimate (default ${DEFAULT_CONFIG_PATH})
  --prices file     a JSON price table, whole or partial, laid over the built-in us-east-1 prices
  --assume k=v      override an assumption, e.g. --assume invocationSeconds=2 (repeatable);
                    keys: ${Object.keys(DEFAULT_ASSUMPTIONS).join(', ')}
  --json            print the itemised estimate as JSON
  --markdown        print the tables as Markdown`;

export interface CostReport extends CostComparison {
  fleet: FleetProfile;
  prices: PriceTable;
  assumptions: CostAssumptions;
  /** This config at 1, 5, 15 and 60 minutes. */
  schedules: ScheduleRow[];
  /** The project's goals (reference fleet, default config), under the same prices and assumptions. */
  goals: GoalResult[];
}

export interface CostCommandDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  loadConfig: (path: string) => Promise<CanaryConfig>;
  readFile: (path: string) => Promise<string>;
}

export const defaultCostDeps: CostCommandDeps = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  loadConfig: (path) => loadConfig(path),
  readFile: (path) => readFile(path, 'utf8'),
};

export class UsageError extends Error {}

export function parseAssumptions(
  pairs: string[],
  base: CostAssumptions = DEFAULT_ASSUMPTIONS,
): CostAssumptions {
  const result: CostAssumptions = { ...base };
  for (const pair of pairs) {
    const [key, raw] = pair.split('=', 2);
    if (!key || raw === undefined || !(key in base)) {
      throw new UsageError(
        `--assume ${pair}: expected key=value with key one of ${Object.keys(base).join(', ')}`,
      );
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new UsageError(`--assume ${pair}: value must be a number ≥ 0`);
    result[key as keyof CostAssumptions] = value;
  }
  return result;
}

export function costReport(
  config: CanaryConfig,
  prices: PriceTable,
  assumptions: CostAssumptions,
): CostReport {
  const fleet = fleetFromConfig(config, assumptions);
  return {
    ...compareWithSynthetics(fleet, prices),
    fleet,
    prices,
    assumptions,
    schedules: scheduleTable(config, prices, assumptions),
    goals: evaluateGoals(prices, assumptions),
  };
}

export async function runCostCommand(
  argv: string[],
  deps: CostCommandDeps = defaultCostDeps,
): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', default: DEFAULT_CONFIG_PATH },
        prices: { type: 'string' },
        assume: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      deps.stdout(COST_USAGE);
      return 0;
    }
    const prices = values.prices ? withPriceOverrides(await readPrices(values.prices, deps)) : DEFAULT_PRICES;
    const assumptions = parseAssumptions(values.assume);
    const config = await deps.loadConfig(values.config);
    const report = costReport(config, prices, assumptions);
    const style = values.markdown ? 'markdown' : 'plain';
    deps.stdout(
      values.json
        ? JSON.stringify(report, null, 2)
        : [
            formatComparison(report, report.fleet, prices, style),
            '',
            style === 'markdown' ? '### This config at other schedules' : 'This config at other schedules',
            '',
            ...formatScheduleTable(report.schedules, style),
            '',
            ...formatGoals(report.goals, style),
          ].join('\n'),
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.stderr(`registry-canary cost: ${message}`);
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      deps.stderr(COST_USAGE);
      return 2;
    }
    return 1;
  }
}

async function readPrices(path: string, deps: CostCommandDeps): Promise<unknown> {
  const text = await deps.readFile(path);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error(`--prices ${path}: not valid JSON`, { cause });
  }
}
