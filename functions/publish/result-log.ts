/**
 * The structured log line of one probe result: the CLI's JSON contract plus the target, the probe
 * region and the network phases summed over the probe's requests. Per-region and per-phase detail
 * lives here, not in metrics (metrics-catalog.ts): the dashboard's Logs Insights widgets query these
 * fields in each region's probe log group, so their names are exported for the queries.
 */
import type { ProbeResult, StepTimings } from '../probe/result.ts';

export const NETWORK_PHASES = [
  'dnsMs',
  'connectMs',
  'tlsMs',
  'ttfbMs',
] as const satisfies readonly (keyof StepTimings)[];
export type NetworkPhase = (typeof NETWORK_PHASES)[number];

/** The message of every result line; the Logs Insights queries filter on it. */
export const RESULT_LOG_MESSAGE = 'probe result';

export type PhaseTotals = Record<NetworkPhase, number | null>;

export interface ResultLogFields extends ProbeResult {
  target: string;
  region: string;
  /** Each network phase summed over the probe's requests; null when no request had it (DNS of an IP literal). */
  phases: PhaseTotals;
}

export function phaseTotals(result: ProbeResult): PhaseTotals {
  const totals = Object.fromEntries(NETWORK_PHASES.map((phase) => [phase, null])) as PhaseTotals;
  for (const step of result.steps) {
    for (const phase of NETWORK_PHASES) {
      const value = step.timings[phase];
      if (value !== null) totals[phase] = (totals[phase] ?? 0) + value;
    }
  }
  return totals;
}

export function resultLogFields(target: string, region: string, result: ProbeResult): ResultLogFields {
  return { ...result, region, target, phases: phaseTotals(result) };
}
