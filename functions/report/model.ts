/**
 * What the HTML report shows, built from either source: the state of record (`status`, every probe
 * region, no request timings: the table keeps none) or a local `probe --config` run (one region,
 * every request with its phases). One shape, so the page is rendered one way.
 */
import type { ProbeResult, ProbeStep } from '../probe/result.ts';
import type { FleetStatus } from '../publish/fleet-status.ts';
import type { Incident } from '../publish/state-incident.ts';

export type CellStatus = 'healthy' | 'degraded' | 'failing' | 'silent' | 'no-result';

export interface ReportCell {
  target: string;
  region: string;
  status: CellStatus;
  /** The stored or probed status, kept for a silent cell ("healthy, but 2 h old"). */
  lastStatus: 'healthy' | 'degraded' | 'failing' | null;
  /** Diagnosis code, else the first warning's, else null. */
  code: string | null;
  /** How old the result is, or null when there is none. */
  ageMs: number | null;
  ref: string | null;
  summary: string | null;
  evidence: string[];
  nextSteps: string[];
  runbook: string | null;
  warnings: { code: string; summary: string }[];
  /** The requests of the probe, in order, with their phases; empty from the state of record. */
  steps: ProbeStep[];
  durationMs: number | null;
}

export interface ReportModel {
  title: string;
  /** ISO 8601. */
  generatedAt: string;
  /** Where the data came from, said on the page. */
  source: string;
  regions: string[];
  targets: { name: string; image: string }[];
  cells: ReportCell[];
  incidents: Incident[];
  silentRegions: string[];
}

export function reportFromStatus(status: FleetStatus, images: ReadonlyMap<string, string>): ReportModel {
  const regions = [...new Set(status.cells.map((c) => c.region))];
  const targets = [...new Set(status.cells.map((c) => c.target))].map((name) => ({
    name,
    image: images.get(name) ?? '',
  }));
  return {
    title: 'registry-canary status',
    generatedAt: status.readAt,
    source: `state of record ${status.table} in ${status.region}`,
    regions,
    targets,
    incidents: status.incidents,
    silentRegions: status.silentRegions,
    cells: status.cells.map((c) => {
      const s = c.state;
      return {
        target: c.target,
        region: c.region,
        status: s === null ? 'no-result' : c.silent ? 'silent' : s.status,
        lastStatus: s?.status ?? null,
        code: s?.diagnosisCode ?? s?.warnings[0]?.code ?? null,
        ageMs: c.ageMs,
        ref: s?.ref ?? null,
        summary: s?.summary ?? null,
        evidence: s?.evidence ?? [],
        nextSteps: s?.nextSteps ?? [],
        runbook: s?.runbook ?? null,
        warnings: s?.warnings ?? [],
        steps: [],
        durationMs: null,
      };
    }),
  };
}

export interface ProbedTarget {
  target: { name: string; image: string };
  result: ProbeResult;
}

export function reportFromProbe(outcomes: readonly ProbedTarget[], region: string, now: Date): ReportModel {
  return {
    title: 'registry-canary probe',
    generatedAt: now.toISOString(),
    source: `probe --config run from this machine, as the ${region} Lambda`,
    regions: [region],
    targets: outcomes.map((o) => ({ name: o.target.name, image: o.target.image })),
    incidents: [],
    silentRegions: [],
    cells: outcomes.map(({ target, result }) => ({
      target: target.name,
      region,
      status: result.status,
      lastStatus: result.status,
      code: result.diagnosis?.code ?? result.warnings[0]?.code ?? null,
      ageMs: 0,
      ref: result.ref,
      summary: result.diagnosis?.summary ?? result.warnings[0]?.summary ?? null,
      evidence: result.diagnosis?.evidence ?? [],
      nextSteps: result.diagnosis?.nextSteps ?? result.warnings[0]?.nextSteps ?? [],
      runbook: result.diagnosis?.runbook ?? result.warnings[0]?.runbook ?? null,
      warnings: result.warnings.map((w) => ({ code: w.code, summary: w.summary })),
      steps: result.steps,
      durationMs: result.durationMs,
    })),
  };
}
