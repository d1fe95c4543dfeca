/**
 * The alert as a person needs it, before any format: what fails and where, since when, why, what to
 * do, and the links. Every renderer (Amazon Q Developer, email, Slack) draws from this one model, so
 * the formats cannot disagree.
 */

import { runbookUrl } from '../../probe/codes.ts';
import { alarmKindOf } from '../alarm-catalog.ts';
import type { TargetState } from '../state-item.ts';
import type { AlarmTransition } from './alarm-event.ts';
import { formatDuration, plural } from './format.ts';
import type { IncidentChange } from './incident.ts';
import { describeScope, type Scope } from './scope.ts';

export type AlertKind = 'opened' | 'updated' | 'reminder' | 'recovered';

export interface RateLimitBudget {
  /** The probe region that read it: each region pulls from its own address, with its own budget. */
  region: string;
  remaining: number | null;
  limit: number | null;
  /** The IP or account the registry counted the pulls against. */
  source: string | null;
}

export interface TargetAlert {
  /** Target name, or the alarm name when the alarm names no target. */
  target: string;
  ref: string | null;
  condition: 'failing' | 'degraded' | 'no-data' | 'recovered';
  scope: Scope;
  /** ISO 8601: since when the worst region has been in this condition. */
  since: string | null;
  consecutiveFailures: number;
  /** A diagnosis code, or a warning code (RATE_LIMIT_LOW, CERT_EXPIRING, SLOW) when only degraded. */
  code: string | null;
  summary: string | null;
  evidence: string[];
  nextSteps: string[];
  runbook: string | null;
  /** Other regions that fail with a different diagnosis: "us-east-1: DNS_FAILURE". */
  otherDiagnoses: string[];
  /**
   * For a rate-limit alert, the budget each region with a recent result last read, by region; empty
   * otherwise. Per region because a registry counts pulls per source address, and regions differ.
   */
  rateLimits: RateLimitBudget[];
  certDaysRemaining: number | null;
  /** Names of this target's alarms in ALARM. */
  alarms: string[];
  /** CloudWatch's reason for the latest transition of this target's alarms, when there was one. */
  alarmReason: string | null;
}

export interface Alert {
  kind: AlertKind;
  /** The registry host (or the target, when its registry is unknown). */
  group: string;
  threadId: string;
  title: string;
  /** ALARM while anything fails, OK once recovered. */
  status: 'ALARM' | 'OK';
  /** One line: the headline under the title. */
  headline: string;
  openedAt: string;
  /** ISO 8601 of this message. */
  at: string;
  /** How long the incident lasted (recovered) or has lasted (reminder), ms. */
  durationMs: number | null;
  /** The diagnosis code most failing targets share. */
  code: string | null;
  failing: TargetAlert[];
  recovered: TargetAlert[];
  /** Failing targets left out to fit the message size; rendered as "+N more". */
  omitted: number;
  /** Recovered targets left out to fit the message size; rendered as "+N more" after the names. */
  recoveredOmitted: number;
  dashboardUrl: string | null;
  alarmArns: string[];
}

export interface AlertContext {
  /** The probe regions of the deployment, so "2 of 3" counts a region that sent nothing. */
  expectedRegions: string[];
  now: Date;
  /** A region's result older than this counts as no data. */
  staleAfterMs: number;
  dashboardUrl: string | null;
  runbookBaseUrl?: string;
}

export function buildAlert(
  change: IncidentChange & { event: AlertKind },
  states: ReadonlyMap<string, readonly TargetState[]>,
  transitions: readonly AlarmTransition[],
  context: AlertContext,
): Alert {
  const incident = change.incident;
  const failingMembers = Object.keys(incident.alarms);
  const targetAlert = (member: string, alarms: string[]) =>
    describeTarget(member, alarms, states.get(member) ?? [], transitions, context);
  const failing = failingMembers.map((m) => targetAlert(m, incident.alarms[m] ?? [])).sort(byWorstFirst);
  const recovered = change.recovered.map((m) => ({ ...targetAlert(m, []), condition: 'recovered' as const }));
  const durationMs =
    change.event === 'recovered'
      ? Date.parse(incident.closedAt ?? context.now.toISOString()) - Date.parse(incident.openedAt)
      : change.event === 'reminder'
        ? context.now.getTime() - Date.parse(incident.openedAt)
        : null;
  const code = dominantCode(failing.length > 0 ? failing : recovered);
  const alert: Alert = {
    kind: change.event,
    group: incident.group,
    threadId: incident.threadId,
    title: '',
    status: change.event === 'recovered' ? 'OK' : 'ALARM',
    headline: '',
    openedAt: incident.openedAt,
    at: context.now.toISOString(),
    durationMs,
    code,
    failing,
    recovered,
    omitted: 0,
    recoveredOmitted: 0,
    dashboardUrl: context.dashboardUrl,
    alarmArns: [...new Set(transitions.flatMap((t) => (t.alarmArn ? [t.alarmArn] : [])))],
  };
  alert.title = titleOf(alert);
  alert.headline = headlineOf(alert);
  return alert;
}

function describeTarget(
  member: string,
  alarms: string[],
  states: readonly TargetState[],
  transitions: readonly AlarmTransition[],
  context: AlertContext,
): TargetAlert {
  const scope = describeScope(states, context.expectedRegions, context.now, context.staleAfterMs);
  const live = states.filter((s) => !scope.silent.includes(s.region));
  const failing = live.filter((s) => s.status === 'failing').sort(bySince);
  const degraded = live.filter((s) => s.status === 'degraded').sort(bySince);
  // The region that has been failing longest speaks for the target; others are listed if they differ.
  const primary = failing[0] ?? degraded[0] ?? null;
  const warning = primary && !primary.diagnosisCode ? (primary.warnings[0] ?? null) : null;
  const code = primary?.diagnosisCode ?? warning?.code ?? null;
  const latest = [...transitions].reverse().find((t) => (t.target ?? t.alarmName) === member);
  const condition: TargetAlert['condition'] =
    failing.length > 0
      ? 'failing'
      : degraded.length > 0
        ? 'degraded'
        : states.length > 0
          ? 'recovered'
          : 'no-data';
  const rateLimited =
    code === 'RATE_LIMITED' ||
    code === 'RATE_LIMIT_LOW' ||
    // The alarm's kind comes from the alarm catalog, which made its name.
    alarms.some((a) => alarmKindOf(a)?.spec.kind === 'RateLimitLow');
  const budgets = live
    .filter((s) => s.rateLimitRemaining !== null || s.rateLimitSource !== null)
    .sort((a, b) => a.region.localeCompare(b.region))
    .map(budgetOf);
  // Rate limited without a budget read anywhere (a 429 without headers): say it is unknown.
  const fallback = primary ?? live[0];
  const rateLimits = !rateLimited ? [] : budgets.length > 0 ? budgets : fallback ? [budgetOf(fallback)] : [];
  return {
    target: member,
    ref: states[0]?.ref || null,
    condition,
    scope,
    since: primary?.since ?? null,
    consecutiveFailures: failing[0]?.consecutiveFailures ?? 0,
    code,
    summary: primary?.summary ?? null,
    evidence: primary?.evidence ?? [],
    nextSteps: primary?.nextSteps ?? [],
    runbook: primary?.runbook ?? (code ? runbookUrlFor(code, context.runbookBaseUrl) : null),
    otherDiagnoses: failing
      .slice(1)
      .filter((s) => s.diagnosisCode !== code)
      .map((s) => `${s.region}: ${s.diagnosisCode ?? 'unknown'}`),
    rateLimits,
    certDaysRemaining: primary?.certDaysRemaining ?? null,
    alarms,
    alarmReason: latest?.reason || null,
  };
}

function budgetOf(state: TargetState): RateLimitBudget {
  return {
    region: state.region,
    remaining: state.rateLimitRemaining,
    limit: state.rateLimitLimit,
    source: state.rateLimitSource,
  };
}

/** "a, b, +3 more": the recovered targets as every renderer lists them. */
export function recoveredNames(alert: Alert): string {
  const names = alert.recovered.map((t) => t.target);
  if (alert.recoveredOmitted > 0) names.push(`+${alert.recoveredOmitted} more`);
  return names.join(', ');
}

function runbookUrlFor(code: string, baseUrl: string | undefined): string {
  return runbookUrl(code as Parameters<typeof runbookUrl>[0], baseUrl);
}

function bySince(a: TargetState, b: TargetState): number {
  return a.since.localeCompare(b.since);
}

function byWorstFirst(a: TargetAlert, b: TargetAlert): number {
  return b.scope.failing.length - a.scope.failing.length || a.target.localeCompare(b.target);
}

function dominantCode(targets: readonly TargetAlert[]): string | null {
  const counts = new Map<string, number>();
  for (const t of targets) if (t.code) counts.set(t.code, (counts.get(t.code) ?? 0) + 1);
  let best: string | null = null;
  for (const [code, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = code;
  return best;
}

/** Regions where any of the targets fails: the group's scope in one phrase. */
function groupScope(targets: readonly TargetAlert[]): string {
  const expected = new Set(targets.flatMap((t) => t.scope.expected));
  const failing = [...new Set(targets.flatMap((t) => t.scope.failing))].sort();
  if (failing.length === 0) {
    const degraded = [...new Set(targets.flatMap((t) => t.scope.degraded))].sort();
    if (degraded.length > 0) return `degraded in ${degraded.length} of ${expected.size} regions`;
    return '(no recent probe results)';
  }
  if (failing.length === expected.size && expected.size > 1) return `failing in all ${expected.size} regions`;
  return `failing in ${failing.length} of ${expected.size} regions: ${failing.join(', ')}`;
}

function subjectOf(targets: readonly TargetAlert[]): string {
  return targets.length === 1 ? (targets[0]?.target ?? '') : plural(targets.length, 'target');
}

function titleOf(alert: Alert): string {
  const code = alert.code ? ` (${alert.code})` : '';
  switch (alert.kind) {
    case 'opened':
      return `ALARM ${alert.group}: ${subjectOf(alert.failing)} ${groupScope(alert.failing)}${code}`;
    case 'updated':
      return `ALARM update ${alert.group}: ${subjectOf(alert.failing)} ${groupScope(alert.failing)}${code}`;
    case 'reminder':
      return `STILL FAILING after ${formatDuration(alert.durationMs ?? 0)} ${alert.group}: ${subjectOf(alert.failing)} ${groupScope(alert.failing)}${code}`;
    case 'recovered':
      return `OK ${alert.group}: recovered after ${formatDuration(alert.durationMs ?? 0)}`;
  }
}

function headlineOf(alert: Alert): string {
  if (alert.kind === 'recovered') {
    return `${subjectOf(alert.recovered)} of ${alert.group} recovered; the incident lasted ${formatDuration(alert.durationMs ?? 0)}.`;
  }
  const recovered =
    alert.recovered.length > 0 ? ` Recovered: ${alert.recovered.map((t) => t.target).join(', ')}.` : '';
  const first = alert.failing[0];
  const what = first?.summary ? ` ${first.summary}` : '';
  return `${subjectOf(alert.failing)} of ${alert.group} ${groupScope(alert.failing)}.${what}${recovered}`;
}
