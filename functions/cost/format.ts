/** Renders a cost comparison as plain-text tables, or Markdown for docs/cost.md. */
import type { CostComparison, CostEstimate, CostLine } from './estimate.ts';
import type { FleetProfile } from './fleet.ts';
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

function renderTable(
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
  rows.push(['', 'total per month', '', '', formatUsd(estimate.totalUsd)]);
  return rows;
}

export function formatFleet(fleet: FleetProfile): string {
  const perTick =
    fleet.lambda.invocationsPerTick > 1 ? `, ${fleet.lambda.invocationsPerTick} shards per region` : '';
  return (
    `${fleet.targets} targets on ${fleet.registries} registries × ${fleet.probeRegions} regions, every ${fleet.scheduleMinutes} min` +
    `, ${fleet.lambda.memoryMb} MB ${fleet.lambda.architecture} Lambda${perTick}`
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
  const out = [
    heading(`registry-canary: ${formatFleet(fleet)}`),
    '',
    ...renderTable(header, estimateRows(comparison.registryCanary), style, right),
    '',
    heading('The same fleet on CloudWatch Synthetics (one canary per target per region)'),
    '',
    ...renderTable(header, estimateRows(comparison.synthetics), style, right),
    '',
    `registry-canary ${formatUsd(comparison.registryCanary.totalUsd)} vs Synthetics ${formatUsd(comparison.synthetics.totalUsd)} ` +
      `per month (Synthetics costs ${comparison.syntheticsRatio.toFixed(1)}×).`,
    `Prices: ${prices.source}, ${prices.region}, taken ${prices.takenOn}. Override with --prices file.json.`,
  ];
  return out.join('\n');
}
