/**
 * The human-readable form of a ProbeResult, for the on-call engineer at a terminal: a table of
 * steps with phase timings, then the rate limit, the certificate, and the diagnosis with its
 * evidence, next steps and runbook. Plain text, no colour, so it pastes cleanly into a ticket.
 */
import type { ProbeResult, ProbeStep } from './result.ts';

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

export function formatResult(result: ProbeResult): string {
  const lines: string[] = [];
  lines.push(`${result.ref}  ${result.status.toUpperCase()}  ${result.durationMs} ms`);
  lines.push(`  image        ${result.registry}/${result.repository} @ ${result.reference}`);
  lines.push(`  digest       ${result.digest ?? '-'}`);
  lines.push(`  platforms    ${result.platforms.length ? result.platforms.join(', ') : '-'}`);
  lines.push('');
  lines.push(...stepTable(result.steps).map((l) => `  ${l}`));
  lines.push('');
  lines.push(`  rate limit   ${formatRateLimit(result)}`);
  lines.push(`  certificate  ${formatTls(result)}`);
  if (result.verifiedBlob) {
    const b = result.verifiedBlob;
    lines.push(`  verified     ${b.digest} ${b.bytes} B at ${formatRate(b.throughputBytesPerSecond)}`);
  }
  if (result.warnings.length) {
    lines.push('  warnings');
    for (const w of result.warnings) {
      lines.push(`    ${w.code}: ${w.summary}`);
      for (const step of w.nextSteps ?? []) lines.push(`      - ${step}`);
      if (w.runbook) lines.push(`      runbook: ${w.runbook}`);
    }
  }
  const d = result.diagnosis;
  if (d) {
    lines.push('');
    lines.push(`  diagnosis    ${d.code}: ${d.summary}`);
    lines.push('  evidence');
    for (const e of d.evidence) lines.push(`    - ${oneLine(e)}`);
    if (d.nextSteps.length) {
      lines.push('  next steps');
      for (const s of d.nextSteps) lines.push(`    ${s}`);
    }
    lines.push(`  runbook      ${d.runbook}`);
  }
  return lines.join('\n');
}

function stepTable(steps: ProbeStep[]): string[] {
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
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const numeric = new Set([4, 5, 6, 7, 8]);
  return [
    ...all.map((row) =>
      row
        .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    ),
    '(times in ms; "-" = phase did not happen: reused connection, IP literal, plain HTTP, or through a proxy)',
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
