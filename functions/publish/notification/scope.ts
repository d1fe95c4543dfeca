/**
 * Where a target fails, from every probe region's latest result: the line that tells a registry-wide
 * outage ("failing in all 3 regions") from a regional network problem ("failing in 1 of 3 regions").
 */
import type { TargetState } from '../state-item.ts';

export interface Scope {
  /** The probe regions the target is expected in. */
  expected: string[];
  failing: string[];
  degraded: string[];
  healthy: string[];
  /** Expected regions with no result, or none recent enough: their probe may have stopped. */
  silent: string[];
  text: string;
}

export function describeScope(
  states: readonly TargetState[],
  expectedRegions: readonly string[],
  now: Date,
  staleAfterMs: number,
): Scope {
  const expected = [...new Set(expectedRegions.length > 0 ? expectedRegions : states.map((s) => s.region))];
  const byRegion = new Map(states.map((s) => [s.region, s]));
  const scope: Scope = { expected, failing: [], degraded: [], healthy: [], silent: [], text: '' };
  for (const region of expected) {
    const state = byRegion.get(region);
    if (!state || now.getTime() - Date.parse(state.lastSeen) > staleAfterMs) scope.silent.push(region);
    else scope[state.status === 'failing' ? 'failing' : state.status].push(region);
  }
  scope.text = scopeText(scope);
  return scope;
}

function scopeText(scope: Scope): string {
  const total = scope.expected.length;
  const of = (regions: string[]) =>
    regions.length === total && total > 1 ? `all ${total} regions` : `${regions.length} of ${total} regions`;
  const parts: string[] = [];
  if (scope.failing.length > 0) parts.push(`failing in ${of(scope.failing)}: ${scope.failing.join(', ')}`);
  if (scope.degraded.length > 0)
    parts.push(`degraded in ${of(scope.degraded)}: ${scope.degraded.join(', ')}`);
  if (parts.length === 0 && scope.healthy.length > 0) parts.push(`healthy in ${of(scope.healthy)}`);
  if (scope.silent.length > 0) parts.push(`no recent result from ${scope.silent.join(', ')}`);
  return parts.join('; ');
}
