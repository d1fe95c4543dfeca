/**
 * What our own code adds on a slow network. A fault proxy in front of the registry holds every
 * request for a fixed delay; the probe's duration minus (requests × delay) is the probe's own work
 * plus the registry's service time. Alternating direct and proxied runs gives that service time,
 * so each step's measured time can be set against "direct time + injected delay".
 */
import type { ProbeResult } from '../../functions/probe/result.ts';
import { alternate } from '../lib/alternate.ts';
import type { InProcessProbe } from '../lib/probe-in-process.ts';
import type { ProxiedPair } from '../lib/registries.ts';
import { type Summary, summarize } from '../lib/stats.ts';

export interface StepDeviation {
  step: string;
  /** False for a step that went elsewhere (the token realm is its own server, not proxied). */
  throughProxy: boolean;
  /** Direct (no proxy) total of the step. */
  directMs: Summary;
  /** Proxied total minus the injected delay: equal to directMs when the timing is faithful. */
  proxiedMinusDelayMs: Summary;
  /** In which phase the delay shows (ttfb when the proxy holds the request before forwarding). */
  proxiedTtfbMinusDelayMs: Summary | null;
}

export interface OverheadResult {
  mode: string;
  delayMs: number;
  rounds: number;
  /** Requests per probe that went through the proxy (and so were delayed). */
  requests: number;
  proxiedDurationMs: Summary;
  /** duration − requests × delay */
  ownMs: Summary;
  directDurationMs: Summary;
  steps: StepDeviation[];
}

export async function benchOverhead(
  pair: ProxiedPair,
  delayMs: number,
  probe: InProcessProbe,
  options: { rounds: number; warmup: number },
): Promise<OverheadResult> {
  const delayedRequests: number[] = [];
  const results = await alternate<ProbeResult>(
    [
      { name: 'direct', run: () => probe(pair.direct) },
      {
        name: 'proxied',
        run: async () => {
          const before = pair.proxiedRequests();
          const result = await probe(pair.proxied);
          delayedRequests.push(pair.proxiedRequests() - before);
          return result;
        },
      },
    ],
    options,
  );
  const directRuns = results.get('direct')!;
  const proxiedRuns = results.get('proxied')!;
  const delayed = delayedRequests.slice(-options.rounds);
  const proxyHost = pair.proxied.host;
  const template = proxiedRuns[0]!.steps;
  return {
    mode: pair.direct.mode,
    delayMs,
    rounds: options.rounds,
    requests: delayed[0]!,
    proxiedDurationMs: summarize(proxiedRuns.map((r) => r.durationMs)),
    ownMs: summarize(proxiedRuns.map((r, i) => r.durationMs - delayed[i]! * delayMs)),
    directDurationMs: summarize(directRuns.map((r) => r.durationMs)),
    steps: template.map((templateStep, i) => {
      const throughProxy = templateStep.host === proxyHost;
      const injected = throughProxy ? delayMs : 0;
      const ttfb = proxiedRuns
        .map((r) => r.steps[i]?.timings.ttfbMs)
        .filter((v): v is number => typeof v === 'number');
      return {
        step: templateStep.name,
        throughProxy,
        directMs: summarize(directRuns.map((r) => r.steps[i]?.timings.totalMs ?? Number.NaN)),
        proxiedMinusDelayMs: summarize(
          proxiedRuns.map((r) => (r.steps[i]?.timings.totalMs ?? Number.NaN) - injected),
        ),
        proxiedTtfbMinusDelayMs: ttfb.length ? summarize(ttfb.map((v) => v - injected)) : null,
      };
    }),
  };
}
