/**
 * The human-readable form of a ProbeResult, for the on-call engineer at a terminal: a table of
 * steps with phase timings, then the rate limit, the certificate, and the diagnosis with its
 * evidence, next steps and runbook. Plain text, no colour, so it pastes cleanly into a ticket.
 */
import { looksLikeCommand, OUTPUT_COLUMNS, shortenUrls, wrapCommand, wrapText } from './fit.ts';
import type { ProbeResult, ProbeStep } from './result.ts';

/** What the step table's columns mean; printed once per run (formatResult's `legend`). */
export const TIMING_LEGEND =
  '(times in ms; "-" = the phase did not happen: reused connection, IP literal, plain HTTP, proxy)';

export interface FormatOptions {
  /** The columns to fit. @default OUTPUT_COLUMNS (100) */
  width?: number;
  /** Print TIMING_LEGEND under the step table; a run of several results prints it once itself. @default true */
  legend?: boolean;
}

const COLUMNS = [
  'STEP',
  'METHOD',
  'STATUS',
  'HOST',
  'DNS',
  'CONNECT',
  'TLS',
  'TTFB',
  'TOTAL',
  'REUSED',
] as const;

export function formatResult(result: ProbeResult, options: FormatOptions = {}): string {
  const width = options.width ?? OUTPUT_COLUMNS;
  const prose = (first: string, rest: string, text: string) => wrapText(oneLine(text), width, first, rest);
  const lines: string[] = [];
  lines.push(`${result.ref}  ${result.status.toUpperCase()}  ${result.durationMs} ms`);
  // The reference itself (the first line) is printed whole, as typed; its split form fits the width.
  lines.push(
    `  image        ${fitHost(`${result.registry}/${result.repository} @ ${result.reference}`, width - 15)}`,
  );
  lines.push(`  digest       ${result.digest ?? '-'}`);
  lines.push(`  platforms    ${result.platforms.length ? result.platforms.join(', ') : '-'}`);
  lines.push('');
  lines.push(...stepTable(result.steps, width - 2).map((l) => `  ${l}`));
  if (result.steps.length > 0 && options.legend !== false) lines.push(`  ${TIMING_LEGEND}`);
  lines.push('');
  lines.push(`  rate limit   ${formatRateLimit(result)}`);
  lines.push(...prose('  certificate  ', '               ', formatTls(result)));
  if (result.verifiedBlob) {
    const b = result.verifiedBlob;
    lines.push(`  verified     ${b.digest} ${b.bytes} B at ${formatRate(b.throughputBytesPerSecond)}`);
  }
  if (result.mirrors?.length) {
    lines.push('  mirrors');
    for (const m of result.mirrors) {
      const what = m.code ? `${m.status.toUpperCase()} ${m.code}` : m.status.toUpperCase();
      lines.push(
        ...prose(
          '    ',
          '      ',
          `${m.name ? `${m.name}: ` : ''}${m.image}  ${what}  ${m.durationMs} ms  digest ${m.digest ?? '-'}`,
        ),
      );
    }
  }
  if (result.warnings.length) {
    lines.push('  warnings');
    for (const w of result.warnings) {
      lines.push(...prose('    ', '      ', `${w.code}: ${w.summary}`));
      for (const step of w.nextSteps ?? []) lines.push(...nextStep(step, '      - ', '        ', width));
      if (w.runbook) lines.push(...runbookLines('      runbook: ', '        ', w.runbook, width));
    }
  }
  const d = result.diagnosis;
  if (d) {
    lines.push('');
    lines.push(...prose('  diagnosis    ', '               ', `${d.code}: ${d.summary}`));
    lines.push('  evidence');
    // A URL in evidence is shortened in the middle (its host and its end tell requests apart), with
    // room left for the word before it (`GET `, `url: `), so the two stay on one line.
    for (const e of d.evidence) lines.push(...prose('    - ', '      ', shortenUrls(oneLine(e), width - 20)));
    if (d.nextSteps.length) {
      lines.push('  next steps');
      for (const s of d.nextSteps) lines.push(...nextStep(s, '    ', '      ', width));
    }
    lines.push(...runbookLines('  runbook      ', '    ', d.runbook, width));
  }
  return lines.join('\n');
}

/** A command wraps with shell continuations (it still pastes); a sentence wraps at spaces. */
function nextStep(step: string, first: string, rest: string, width: number): string[] {
  return looksLikeCommand(step)
    ? wrapCommand(step, width, first, rest)
    : wrapText(oneLine(step), width, first, rest);
}

/** A link is never cut (it must stay clickable): on its own line when it does not fit beside the label. */
function runbookLines(label: string, indent: string, url: string, width: number): string[] {
  return label.length + url.length <= width ? [`${label}${url}`] : [label.trimEnd(), `${indent}${url}`];
}

/** Shortens a long host in the middle, so the table fits `width` (a CDN host can be 60 characters). */
function fitHost(host: string, max: number): string {
  if (host.length <= max) return host;
  const keep = Math.max(4, max - 1);
  const head = Math.ceil(keep / 2);
  return `${host.slice(0, head)}…${host.slice(host.length - (keep - head))}`;
}

/**
 * A run's results: each result, the timing legend once, and, for several references, one summary
 * line (`probe --config` prints its own per-target summary instead: `summary: false`).
 */
export function formatResults(
  results: readonly ProbeResult[],
  options: FormatOptions & { summary?: boolean } = {},
): string {
  const parts = results.map((r) => formatResult(r, { ...options, legend: false }));
  if (results.some((r) => r.steps.length > 0)) parts.push(TIMING_LEGEND);
  if (results.length > 1 && options.summary !== false) parts.push(runSummary(results));
  return parts.join('\n\n');
}

/** "3 references: 1 healthy, 1 degraded, 1 failing (hub.example.com/app:v2)". */
export function runSummary(results: readonly ProbeResult[]): string {
  const count = (s: ProbeResult['status']) => results.filter((r) => r.status === s).length;
  const failing = results.filter((r) => r.status === 'failing').map((r) => r.ref);
  const line = `${results.length} references: ${count('healthy')} healthy, ${count('degraded')} degraded, ${failing.length} failing`;
  return failing.length
    ? wrapText(`${line} (${failing.join(', ')})`, OUTPUT_COLUMNS, '', '  ').join('\n')
    : line;
}

function stepTable(steps: ProbeStep[], width: number = OUTPUT_COLUMNS): string[] {
  if (steps.length === 0) return ['(no request was sent)'];
  const ms = (v: number | null) => (v === null ? '-' : v.toFixed(1));
  const rows = steps.map((s) => [
    s.name,
    s.method,
    s.status === null ? '-' : String(s.status),
    s.host,
    ms(s.timings.dnsMs),
    ms(s.timings.connectMs),
    ms(s.timings.tlsMs),
    ms(s.timings.ttfbMs),
    ms(s.timings.totalMs),
    s.reusedConnection ? 'yes' : 'no',
  ]);
  const measure = (table: string[][]) => COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  let all = [[...COLUMNS], ...rows];
  const natural = measure(all);
  const over = natural.reduce((sum, w) => sum + w, 0) + 2 * (COLUMNS.length - 1) - width;
  if (over > 0) {
    const hostWidth = Math.max(COLUMNS[3].length, natural[3]! - over);
    all = all.map((row, i) =>
      i === 0 ? row : row.map((cell, c) => (c === 3 ? fitHost(cell, hostWidth) : cell)),
    );
  }
  const widths = measure(all);
  const numeric = new Set([4, 5, 6, 7, 8]);
  return [
    ...all.map((row) =>
      row
        .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    ),
  ];
}

function formatRateLimit(result: ProbeResult): string {
  const r = result.rateLimit;
  if (!r) {
    // Registries announce limits on manifest responses: without one, absence means nothing yet.
    const manifestAnswered = result.steps.some((s) => s.name.startsWith('manifest') && s.status !== null);
    return manifestAnswered ? 'none declared (not limited)' : 'not read (no manifest response)';
  }
  const window = r.windowSeconds ? ` per ${r.windowSeconds} s` : '';
  const source = r.source ? ` (source ${r.source})` : '';
  return `${r.remaining ?? '?'} of ${r.limit ?? '?'} remaining${window}${source}`;
}

function formatTls(result: ProbeResult): string {
  const t = result.tls;
  if (!t) return result.steps[0]?.url.startsWith('http:') ? 'none (plain HTTP)' : 'not read';
  return `${t.subject}; issuer ${t.issuer}; expires ${t.validTo} (${t.daysRemaining} days); ${t.protocol ?? 'unknown protocol'}`;
}

function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1024 * 1024) return `${(bytesPerSecond / 1024 / 1024).toFixed(1)} MiB/s`;
  if (bytesPerSecond >= 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
  return `${bytesPerSecond} B/s`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
