/** Renders a cost comparison as plain-text tables, or Markdown for docs/cost.md. */
import {
  type CostComparison,
  type CostEstimate,
  type CostLine,
  SYNTHETICS_LAYOUTS,
  type SyntheticsLayout,
} from './estimate.ts';
import type { FleetProfile } from './fleet.ts';
import type { GoalResult, ScheduleRow } from './goals.ts';
import type { PriceTable } from './prices.ts';

export type TableStyle = 'plain' | 'markdown';

export function formatUsd(value: number): string {
  if (value > 0 && value < 0.005) return '<$0.01';
  return `$${value.toFixed(2)}`;
}

function formatQuantity(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function formatUnitPrice(value: number, unit: string): string {
  if (value === 0) return `$0/${unit}`;
  // Per-request prices read better per million, as AWS quotes them.
  if (value < 0.001) return `$${trimNumber(value * 1e6)}/1M ${plural(unit)}`;
  return `$${trimNumber(value)}/${unit}`;
}

function plural(unit: string): string {
  return unit.endsWith('sh') ? `${unit}es` : `${unit}s`;
}

function trimNumber(value: number): string {
  return value >= 0.01 ? String(Number(value.toFixed(4))) : value.toPrecision(3);
}

export function formatRatio(value: number): string {
  return `${value.toFixed(1)}×`;
}

export function renderTable(
  header: string[],
  rows: string[][],
  style: TableStyle,
  rightAligned: Set<number>,
): string[] {
  if (style === 'markdown') {
    const align = header.map((_, i) => (rightAligned.has(i) ? '---:' : '---'));
    return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [pad(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(pad)];
}

function estimateRows(estimate: CostEstimate): string[][] {
  const rows = estimate.lines.map((l: CostLine) => [
    l.service,
    l.item,
    formatQuantity(l.quantity),
    formatUnitPrice(l.unitPriceUsd, l.unit),
    formatUsd(l.monthlyUsd),
  ]);
  rows.push(['', 'total per month (list prices, no free tier)', '', '', formatUsd(estimate.totalUsd)]);
  rows.push([
    '',
    "if the account's free tier were all left for this",
    '',
    '',
    formatUsd(estimate.totalAfterFreeTierUsd),
  ]);
  return rows;
}

export function formatFleet(fleet: FleetProfile): string {
  const perTick = fleet.invocationsPerTick > 1 ? `, ${fleet.invocationsPerTick} shards per region` : '';
  return (
    `${fleet.targets} targets on ${fleet.registries} registries × ${fleet.probeRegions} regions, every ${fleet.scheduleMinutes} min` +
    `, ${Math.round(fleet.probe.memoryMb)} MB ${fleet.probe.architecture} Lambda${perTick}`
  );
}

export function formatComparison(
  comparison: CostComparison,
  fleet: FleetProfile,
  prices: PriceTable,
  style: TableStyle = 'plain',
): string {
  const header = ['Service', 'Item', 'Quantity / month', 'Unit price', 'Monthly'];
  const right = new Set([2, 3, 4]);
  const heading = (text: string) => (style === 'markdown' ? `### ${text}` : text);
  const layouts = Object.keys(SYNTHETICS_LAYOUTS) as SyntheticsLayout[];
  const out = [
    heading(`registry-canary: ${formatFleet(fleet)}`),
    '',
    ...renderTable(header, estimateRows(comparison.registryCanary), style, right),
  ];
  for (const layout of layouts) {
    out.push(
      '',
      heading(`The same fleet on CloudWatch Synthetics: ${SYNTHETICS_LAYOUTS[layout]}`),
      '',
      ...renderTable(header, estimateRows(comparison.synthetics[layout]), style, right),
    );
  }
  out.push(
    '',
    `registry-canary ${formatUsd(comparison.registryCanary.totalUsd)} per month; Synthetics ` +
      layouts
        .map(
          (layout) =>
            `${formatUsd(comparison.synthetics[layout].totalUsd)} with ${SYNTHETICS_LAYOUTS[layout]} (${formatRatio(comparison.syntheticsRatio[layout])})`,
        )
        .join(', ') +
      '.',
    `Prices: ${prices.source}, ${prices.region}, taken ${prices.takenOn}. Override with --prices file.json.`,
  );
  return out.join('\n');
}

export function formatScheduleTable(rows: readonly ScheduleRow[], style: TableStyle): string[] {
  return renderTable(
    [
      'Schedule',
      'registry-canary',
      'after free tier',
      'Synthetics, canary per target per region',
      'ratio',
      'Synthetics, one canary per region',
      'ratio',
    ],
    rows.map((r) => [
      `every ${r.everyMinutes} min`,
      formatUsd(r.registryCanaryUsd),
      formatUsd(r.registryCanaryAfterFreeTierUsd),
      formatUsd(r.perTargetUsd),
      formatRatio(r.perTargetRatio),
      formatUsd(r.perRegionUsd),
      formatRatio(r.perRegionRatio),
    ]),
    style,
    new Set([1, 2, 3, 4, 5, 6]),
  );
}

export function formatGoals(goals: readonly GoalResult[], style: TableStyle = 'plain'): string[] {
  const title = 'Cost goals (list prices, no free tier)';
  const out = style === 'markdown' ? [`### ${title}`, ''] : [`${title}:`];
  for (const g of goals) {
    const where =
      g.worst.everyMinutes === g.best.everyMinutes
        ? `every ${g.worst.everyMinutes} min`
        : `worst every ${g.worst.everyMinutes} min`;
    out.push(
      `- ${g.met ? 'MET' : 'NOT MET'}: ${g.description} at most ${formatUsd(g.maxUsd)} a month: ` +
        `${formatUsd(g.worst.totalUsd)} (${where}${g.met ? '' : `, ${formatUsd(g.overByUsd)} over`}; ` +
        `${formatUsd(g.worst.totalAfterFreeTierUsd)} after free tier).`,
    );
    const r = g.afterKeyRotations;
    out.push(
      `  From the third year (each KMS key billed for ${r.rotationsBilled} yearly rotations, $${1 + r.rotationsBilled} a month): ` +
        `${formatUsd(r.totalUsd)} (worst every ${r.everyMinutes} min): ${r.met ? 'MET' : 'NOT MET'}.`,
    );
    if (!g.met) {
      out.push(
        `  By kind there: ${g.byCategory
          .filter((c) => c.monthlyUsd >= 0.005)
          .map((c) => `${c.category} ${formatUsd(c.monthlyUsd)}`)
          .join(', ')}.`,
        `  Largest lines: ${g.dominant.map((d) => `${d.item} ${formatUsd(d.monthlyUsd)}`).join('; ')}.`,
      );
    }
  }
  return out;
}
