/**
 * Our ping step (GET /v2/ on a fresh connection) against blackbox_exporter's http probe of the same
 * URL, alternating. Each tool's own report of the request is compared: total and phases.
 */
import type { StepTimings } from '../../functions/probe/result.ts';
import { alternate } from '../lib/alternate.ts';
import type { InProcessProbe } from '../lib/probe-in-process.ts';
import { type Summary, summarize } from '../lib/stats.ts';
import type { BenchRegistry } from '../lib/targets.ts';
import { type Blackbox, PHASES } from './blackbox.ts';

export interface PhaseComparison {
  phase: string;
  ours: Summary | null;
  blackbox: Summary;
}

export interface PingVsBlackboxResult {
  mode: string;
  rounds: number;
  oursTotal: Summary;
  blackboxTotal: Summary;
  phases: PhaseComparison[];
  blackboxStatus: number;
}

export async function benchPingVsBlackbox(
  registry: BenchRegistry,
  blackbox: Blackbox,
  probe: InProcessProbe,
  options: { rounds: number; warmup: number },
): Promise<PingVsBlackboxResult> {
  let status = 0;
  const results = await alternate<{ total: number; phases: Record<string, number | null> }>(
    [
      {
        name: 'ours',
        run: async () => {
          const result = await probe(registry);
          const ping = result.steps.find((s) => s.name === 'ping');
          if (!ping) throw new Error('probe result has no ping step');
          const phases: Record<string, number | null> = {};
          for (const { blackbox: name, ours } of PHASES)
            phases[name] = ping.timings[ours as keyof StepTimings];
          // Ours has no transfer phase: it is what the total leaves after the others (body read, bookkeeping).
          const named = Object.values(phases).reduce<number>((sum, v) => sum + (v ?? 0), 0);
          phases['transfer'] = ping.timings.totalMs - named;
          return { total: ping.timings.totalMs, phases };
        },
      },
      {
        name: 'blackbox',
        run: async () => {
          const answer = await blackbox.probe(registry);
          if (!answer.success) throw new Error(`blackbox probe of ${registry.baseUrl}/v2/ failed`);
          status = answer.statusCode;
          return { total: answer.durationMs, phases: answer.phasesMs };
        },
      },
    ],
    options,
  );
  const ours = results.get('ours')!;
  const theirs = results.get('blackbox')!;
  const phaseSummary = (runs: typeof ours, phase: string): Summary | null => {
    const values = runs.map((r) => r.phases[phase]).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : summarize(values);
  };
  return {
    mode: registry.mode,
    rounds: options.rounds,
    oursTotal: summarize(ours.map((r) => r.total)),
    blackboxTotal: summarize(theirs.map((r) => r.total)),
    phases: [...PHASES.map((p) => p.blackbox), 'transfer'].map((phase) => ({
      phase,
      ours: phaseSummary(ours, phase),
      blackbox: phaseSummary(theirs, phase)!,
    })),
    blackboxStatus: status,
  };
}
