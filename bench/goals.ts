/**
 * Issue 13's table: each figure against its goal, as measured in this run, with the contender it is
 * a ratio to measured side by side in the same run (a bare node, skopeo, a minimal handler), and
 * the change since the previous run (bench/results/latest.json before this run overwrote it).
 */
import type { BenchResults } from './report.ts';

export interface GoalRow {
  figure: string;
  measured: string;
  /** The number compared with the goal. */
  value: number | null;
  goal: string;
  limit: number;
  unit: 'x' | 'ms' | 'MB' | 'bytes';
  /** The same figure from the previous run, when it had it. */
  previous: number | null;
}

const MB = 1_000_000;

function plain(r: Partial<BenchResults>) {
  return r.cliVsSkopeo?.find((c) => c.mode === 'plain');
}
function largest(r: Partial<BenchResults>) {
  return r.scale?.find((p) => p.targets === 500);
}

/** The figures, from one run's results (also used on the previous run's JSON, which may lack some). */
export function goalValues(r: Partial<BenchResults>): Record<string, number | null> {
  const p = plain(r);
  const big = largest(r);
  const bundle = r.bundle;
  return {
    processOverNode: p ? p.probeProcess.median / p.nodeFloor.median : null,
    inProcessOverSkopeo: p ? p.probeInProcess.median / p.skopeoProcess.median : null,
    cliImportMs: r.cliImport ? r.cliImport.importMs.median : null,
    bundleStartupBytes: bundle ? (bundle.probe.startupBytes ?? bundle.probe.bytes) : null,
    bundleImportMs: bundle ? bundle.probe.importMs.median : null,
    scaleOverSlowest: big ? big.wallOverSlowest : null,
    scaleRssMb: big ? big.maxRssMb : null,
  };
}

export function goalRows(r: BenchResults, previous: Partial<BenchResults> | null): GoalRow[] {
  const now = goalValues(r);
  const before = previous ? goalValues(previous) : {};
  const p = plain(r);
  const big = largest(r);
  const b = r.bundle;
  const row = (
    key: string,
    figure: string,
    measured: string,
    goal: string,
    limit: number,
    unit: GoalRow['unit'],
  ): GoalRow => ({
    figure,
    measured,
    value: now[key] ?? null,
    goal,
    limit,
    unit,
    previous: before[key] ?? null,
  });
  return [
    row(
      'processOverNode',
      '`registry-canary probe --json` whole process, plain registry on loopback',
      p
        ? `${p.probeProcess.median.toFixed(0)} ms vs \`node -e ''\` ${p.nodeFloor.median.toFixed(0)} ms`
        : '—',
      "≤ 2× a bare `node -e ''`",
      2,
      'x',
    ),
    row(
      'inProcessOverSkopeo',
      'the same probe in-process (`durationMs`)',
      p
        ? `${p.probeInProcess.median.toFixed(1)} ms vs \`skopeo inspect\` whole process ${p.skopeoProcess.median.toFixed(0)} ms`
        : '—',
      "≤ 1.0× skopeo's whole process",
      1,
      'x',
    ),
    row(
      'cliImportMs',
      'time the CLI spends importing its modules (fresh process, import of dist/cli/cli.js)',
      r.cliImport
        ? `${r.cliImport.importMs.median.toFixed(1)} ms (\`node -e ''\` whole process ${r.cliImport.nodeFloor.median.toFixed(0)} ms)`
        : '—',
      '≤ 40 ms',
      40,
      'ms',
    ),
    row(
      'bundleStartupBytes',
      'Lambda probe bundle: what a cold start loads (entry + static chunks)',
      b
        ? `${b.probe.startupBytes?.toLocaleString('en-US') ?? '—'} B of ${b.probe.totalBytes?.toLocaleString('en-US') ?? '—'} B in all`
        : '—',
      '≤ 1 MB',
      MB,
      'bytes',
    ),
    row(
      'bundleImportMs',
      'Lambda probe bundle: import in a fresh process',
      b
        ? `${b.probe.importMs.median.toFixed(0)} ms vs minimal handler ${b.minimal.importMs.median.toFixed(1)} ms`
        : '—',
      '≤ 100 ms',
      100,
      'ms',
    ),
    row(
      'scaleOverSlowest',
      '500 targets in one invocation: wall / slowest target',
      big ? `${big.wallMs.toFixed(0)} ms vs slowest ${big.slowestTargetMs.toFixed(0)} ms` : '—',
      '≤ 3× the slowest target',
      3,
      'x',
    ),
    row(
      'scaleRssMb',
      '500 targets in one invocation: peak RSS',
      big ? `${big.maxRssMb.toFixed(0)} MB` : '—',
      '≤ 256 MB',
      256,
      'MB',
    ),
  ];
}

function format(value: number | null, unit: GoalRow['unit']): string {
  if (value === null) return '—';
  if (unit === 'x') return `${value.toFixed(2)}×`;
  if (unit === 'bytes') return `${(value / MB).toFixed(2)} MB`;
  return `${value.toFixed(unit === 'ms' ? 1 : 0)} ${unit}`;
}

export function renderGoals(rows: GoalRow[]): string[] {
  const out = [
    '### 0. Issue 13: each figure against its goal',
    '',
    '| figure | measured (side by side) | figure vs goal | goal | met | previous run | change |',
    '| --- | --- | ---: | --- | :---: | ---: | ---: |',
  ];
  for (const g of rows) {
    const met = g.value === null ? '—' : g.value <= g.limit ? 'yes' : 'no';
    const change =
      g.value === null || g.previous === null || g.previous === 0
        ? '—'
        : `${g.value >= g.previous ? '+' : ''}${(((g.value - g.previous) / g.previous) * 100).toFixed(0)}%`;
    out.push(
      `| ${g.figure} | ${g.measured} | ${format(g.value, g.unit)} | ${g.goal} | ${met} | ${format(g.previous, g.unit)} | ${change} |`,
    );
  }
  out.push('');
  return out;
}
