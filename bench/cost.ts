/**
 * `npx tsx bench/cost.ts`: the cost tables of bench/RESULTS.md (between the cost markers), from the
 * cost model (functions/cost) at the built-in prices and assumptions: the reference fleet and the
 * default config at 1, 5, 15 and 60 minutes against both CloudWatch Synthetics layouts, the cost
 * goals, and what each total is made of. Pure arithmetic: it takes a second, needs no registry and
 * no AWS, so it is not part of `npm run bench`'s timed scenarios. `--print` prints instead of writing.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatGoals, formatScheduleTable, formatUsd, renderTable } from '../functions/cost/format.ts';
import { DEFAULT_ASSUMPTIONS } from '../functions/cost/from-config.ts';
import {
  COST_GOALS,
  categoryOf,
  comparisonAt,
  evaluateGoals,
  scheduleTable,
} from '../functions/cost/goals.ts';
import { DEFAULT_PRICES } from '../functions/cost/prices.ts';

export const COST_BEGIN =
  '<!-- cost:begin (written by npx tsx bench/cost.ts; edit outside these markers) -->';
export const COST_END = '<!-- cost:end -->';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function breakdown(goalId: (typeof COST_GOALS)[number]['id'], schedules: readonly number[]): string[] {
  const goal = COST_GOALS.find((g) => g.id === goalId)!;
  const config = goal.config();
  const totals = schedules.map((m) => {
    const by = new Map<string, number>();
    for (const l of comparisonAt(config, m, DEFAULT_PRICES).registryCanary.lines)
      by.set(categoryOf(l), (by.get(categoryOf(l)) ?? 0) + l.monthlyUsd);
    return by;
  });
  const categories = [...totals[0]!.keys()].sort(
    (a, b) => (totals[0]!.get(b) ?? 0) - (totals[0]!.get(a) ?? 0),
  );
  return renderTable(
    ['Line', ...schedules.map((m) => `every ${m} min`)],
    categories.map((c) => [c, ...totals.map((t) => formatUsd(t.get(c) ?? 0))]),
    'markdown',
    new Set(schedules.map((_, i) => i + 1)),
  );
}

export function renderCost(): string {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).trim();
  const reference = COST_GOALS.find((g) => g.id === 'reference-fleet')!.config();
  const defaults = COST_GOALS.find((g) => g.id === 'default-config')!.config();
  const a = DEFAULT_ASSUMPTIONS;
  return [
    COST_BEGIN,
    '',
    `- **Date:** ${new Date().toISOString()} (commit \`${commit}\`)`,
    '- **Command:** `npx tsx bench/cost.ts` (the same figures as `npx registry-canary cost --config functions/cost/reference-fleet.ts`)',
    `- **Machine:** ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown'}, Node ${process.version} (the model is arithmetic: the machine does not change the figures)`,
    `- **Prices:** ${DEFAULT_PRICES.source}, ${DEFAULT_PRICES.region}, table taken ${DEFAULT_PRICES.takenOn} (entries re-checked 2026-12-02: docs/cost.md)`,
    `- **Assumptions:** the defaults of functions/cost/from-config.ts (result line ${a.logBytesPerTargetResult} B measured, ${a.invocationSeconds} s per run, INIT ${a.initSeconds} s, first-year KMS keys); docs/cost.md says why each`,
    '',
    '### Reference fleet: 20 targets on 9 registries × 3 regions',
    '',
    ...formatScheduleTable(scheduleTable(reference, DEFAULT_PRICES), 'markdown'),
    '',
    'What the registry-canary total is made of:',
    '',
    ...breakdown('reference-fleet', [1, 5, 15, 60]),
    '',
    '### Default config: 7 targets on 7 registries × 3 regions (deployed every 5 min)',
    '',
    ...formatScheduleTable(scheduleTable(defaults, DEFAULT_PRICES), 'markdown'),
    '',
    ...breakdown('default-config', [1, 5, 15, 60]),
    '',
    ...formatGoals(evaluateGoals(DEFAULT_PRICES), 'markdown'),
    '',
    COST_END,
  ].join('\n');
}

export function spliceCost(existing: string, section: string): string {
  const begin = existing.indexOf(COST_BEGIN);
  const end = existing.indexOf(COST_END);
  if (begin === -1 || end === -1) return `${existing.trimEnd()}\n\n## Cost\n\n${section}\n`;
  return existing.slice(0, begin) + section + existing.slice(end + COST_END.length);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const section = renderCost();
  if (process.argv.includes('--print')) {
    process.stdout.write(`${section}\n`);
  } else {
    const file = path.join(repoRoot, 'bench', 'RESULTS.md');
    await writeFile(file, spliceCost(await readFile(file, 'utf8'), section));
    process.stderr.write('bench/cost.ts: wrote the cost section of bench/RESULTS.md\n');
  }
}
