/**
 * The alert as a person needs it, before any format: the title that triages (status, code, scope,
 * then the registry), the scope in one line, what changed since the last message, the failing
 * targets grouped by diagnosis (the same diagnosis once, with its targets), the owners, the first
 * steps and the links. Every renderer (email, Amazon Q, Slack, SMS, PagerDuty) draws from this one
 * model, so the channels cannot disagree.
 */
import { runbookUrl } from '../../probe/codes.ts';
import { ALARM_KINDS, alarmKindOf } from '../alarm-catalog.ts';
import type { ActiveAlarm, Incident, Told } from '../state-incident.ts';
import type { TargetState } from '../state-item.ts';
import type { AlarmTransition } from './alarm-event.ts';
import { CAUSES, type CauseKind, fill } from './causes.ts';
import { formatDuration, formatTime, plural } from './format.ts';
import {
  alarmConsoleUrl,
  failingRunsQuery,
  logGroupUrl,
  logsInsightsUrl,
  PROBE_LOG_GROUP,
  probeErrorsQuery,
  queuesUrl,
  schedulesUrl,
} from './links.ts';
import { describeScope, type Scope } from './scope.ts';
import type { MessageSeverity } from './severity.ts';

export type AlertEvent = 'opened' | 'updated' | 'reminder' | 'recovered' | 'merged';

/**
 * What a warning about missing results says in place of a code: not a diagnosis (the probe made
 * none), so not in functions/probe/codes.ts; the title still says what is wrong.
 */
export const NO_RECENT_RESULT = 'NO_RECENT_RESULT';

/** SNS email subjects: "less than 100 characters" (SNS Publish API, Subject). Our titles fit in 99. */
export const MAX_TITLE_CHARS = 99;

export interface RateLimitBudget {
  /** The probe region that read it: each region pulls from its own address, with its own budget. */
  region: string;
  remaining: number | null;
  limit: number | null;
  /** The IP or account the registry counted the pulls against. */
  source: string | null;
}

export interface TargetAlert {
  target: string;
  ref: string | null;
  owner: string | null;
  registry: string;
  condition: 'failing' | 'degraded' | 'no-data';
  scope: Scope;
  since: string | null;
  consecutiveFailures: number;
  code: string | null;
  summary: string | null;
  evidence: string[];
  nextSteps: string[];
  runbook: string | null;
  otherDiagnoses: string[];
  rateLimits: RateLimitBudget[];
  certDaysRemaining: number | null;
  alarmReason: string | null;
  /** A mirror that passed while this target failed (state-item.ts): the alert says first to switch to it. */
  healthyMirror?: string;
}

/** Targets that fail the same way, shown once. */
export interface DiagnosisGroup {
  code: string | null;
  summary: string | null;
  /** Where they fail: the first target's scope (the group shares its failing regions). */
  scope: Scope;
  targets: TargetAlert[];
  /** The first target's; the others' differ only in the image named. */
  evidence: string[];
  nextSteps: string[];
  runbook: string | null;
  since: string | null;
}

export interface AlertChanges {
  joined: string[];
  recovered: string[];
  moved: { target: string; to: string }[];
  codeFrom: string | null;
  codeTo: string | null;
  regionsAdded: string[];
  regionsCleared: string[];
  /** The scope line of the incident before it was re-grouped. */
  regroupedFrom: string | null;
  absorbed: string[];
}

export interface AlertLinks {
  /** Logs Insights queries, one per failing region (the failing runs) or stopped probe's region (its errors). */
  logs: { region: string; label: string; url: string }[];
  alarms: { name: string; url: string }[];
  dashboard: string | null;
  runbook: string | null;
  /** A stopped probe's region: where its dead-letter queue, log group and schedules are. */
  probe: { deadLetterQueues: string; logGroup: string; schedules: string } | null;
}

export interface Alert {
  event: AlertEvent;
  incidentId: string;
  cause: CauseKind;
  /** The incident's severity while open. */
  severity: 'critical' | 'warning';
  /** This message's: recoveries and merges are info. */
  messageSeverity: MessageSeverity;
  status: 'ALARM' | 'OK';
  title: string;
  /** The scope in one line, at the top of every channel. */
  scopeLine: string;
  /** What this message says, one sentence: what changed, what recovered, how long it lasted. */
  headline: string;
  subject: string;
  registries: string[];
  regions: { failing: string[]; expected: string[] };
  code: string | null;
  owners: string[];
  openedAt: string;
  at: string;
  durationMs: number | null;
  failingCount: number;
  groups: DiagnosisGroup[];
  /** Targets left out to fit a channel's size; rendered as "+N more". */
  omitted: number;
  recovered: string[];
  recoveredOmitted: number;
  changes: AlertChanges | null;
  firstSteps: string[];
  links: AlertLinks;
  reminder: { count: number; max: number | null; nextAt: string | null } | null;
  probe: { region: string; lastResultAt: string | null; alarmSince: string; silentTargets: string[] } | null;
  mergedInto: string | null;
  alarmArns: string[];
}

export interface TargetInfo {
  registry: string;
  owner?: string;
}

export interface AlertContext {
  expectedRegions: string[];
  now: Date;
  staleAfterMs: number;
  dashboardUrl: string | null;
  runbookBaseUrl?: string;
  /** The home region, for alarm links when an alarm has no ARN. */
  homeRegion: string;
  /** Each target's registry and owner, from synth. */
  targets: ReadonlyMap<string, TargetInfo>;
}

export interface AlertInput {
  event: AlertEvent;
  incident: Incident;
  /** What was told before this message (the incident's `told` is already this message's). */
  before: Told | null;
  /** The board's alarms in ALARM. */
  alarms: Readonly<Record<string, ActiveAlarm>>;
  /** Where the members that left went (incident id → scope line), for "moved to". */
  movedTo: ReadonlyMap<string, string>;
  /** The title of the incident this one was merged into. */
  mergedIntoLine: string | null;
  reminder: { count: number; max: number | null; nextAt: string | null } | null;
}

export function buildAlert(
  input: AlertInput,
  states: ReadonlyMap<string, readonly TargetState[]>,
  transitions: readonly AlarmTransition[],
  context: AlertContext,
): Alert {
  const { incident, event } = input;
  const spec = CAUSES[incident.cause];
  const memberAlarms = Object.entries(input.alarms).filter(([, a]) => incident.members.includes(a.member));
  const targetMembers = incidentTargets(incident, input.alarms, context.targets);
  const closed = event === 'recovered' || event === 'merged';
  const failing = (closed ? [] : targetMembers)
    .map((m) => describeTarget(m, states.get(m) ?? [], transitions, context))
    .sort(byWorstFirst);
  const groups = groupByDiagnosis(failing);
  const told = input.before;
  // Results older than the stale age say nothing; what was last told still stands for the title.
  // A target that some running region sent nothing for (TargetSilent) has no diagnosis: say that.
  const silentOnly =
    incident.cause === 'degraded' &&
    failing.length > 0 &&
    failing.every((t) => t.condition === 'no-data' || (!t.code && t.scope.silent.length > 0));
  const code = closed
    ? (told?.code ?? null)
    : (dominantCode(failing) ??
      (incident.cause === 'certificate'
        ? 'CERT_EXPIRING'
        : silentOnly
          ? NO_RECENT_RESULT
          : (told?.code ?? null)));
  const liveRegions = [
    ...new Set(
      failing.flatMap((t) => [
        ...t.scope.failing,
        ...t.scope.degraded,
        ...(silentOnly ? t.scope.silent : []),
      ]),
    ),
  ].sort();
  const failingRegions = closed || liveRegions.length === 0 ? (told?.regions ?? liveRegions) : liveRegions;
  const everTargets = closed ? incident.everMembers : targetMembers;
  const registries = [
    ...new Set(
      closed
        ? everTargets
            .map((m) => context.targets.get(m)?.registry ?? (states.get(m) ?? [])[0]?.registry ?? '')
            .filter(Boolean)
        : failing.map((t) => t.registry),
    ),
  ].sort();
  const owners = [
    ...new Set([
      ...failing.flatMap((t) => (t.owner ? [t.owner] : [])),
      ...everTargets.flatMap((m) => {
        const owner = context.targets.get(m)?.owner;
        return owner ? [owner] : [];
      }),
    ]),
  ].sort();
  const probe = incident.cause === 'probe' ? probeDetails(incident, memberAlarms, states) : null;
  const endMs = Date.parse(incident.closedAt ?? context.now.toISOString());
  const durationMs =
    event === 'opened' ? null : (closed ? endMs : context.now.getTime()) - Date.parse(incident.openedAt);
  const recovered = closed
    ? incident.everMembers.filter((m) => !input.movedTo.has(m) && alarmKindOf(m)?.spec.kind !== 'ProbeSilent')
    : (input.before?.members ?? []).filter((m) => !incident.members.includes(m) && !input.movedTo.has(m));
  const runbook = spec.runbook
    ? runbookPage(spec.runbook, context.runbookBaseUrl)
    : code === NO_RECENT_RESULT
      ? runbookPage(ALARM_KINDS.TargetSilent.runbook, context.runbookBaseUrl)
      : (groups[0]?.runbook ?? (code ? runbookPage(code, context.runbookBaseUrl) : null));
  const alarmNames = memberAlarms.map(([name]) => name).sort();
  const alarmArns = memberAlarms.flatMap(([, a]) => (a.arn ? [a.arn] : []));
  const logRegions = probe ? [probe.region] : failingRegions;
  const links: AlertLinks = {
    logs:
      targetMembers.length > 0 || probe
        ? logRegions.map((region) => ({
            region,
            label: probe
              ? 'Probe errors'
              : incident.severity === 'warning'
                ? 'Degraded runs'
                : 'Failing runs',
            url: logsInsightsUrl(
              region,
              probe
                ? probeErrorsQuery()
                : failingRunsQuery(targetMembers, incident.severity === 'warning' ? 'degraded' : 'failing'),
            ),
          }))
        : [],
    alarms: memberAlarms
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, 5)
      .map(([name, a]) => ({ name, url: alarmConsoleUrl(a.arn ?? name, context.homeRegion) })),
    dashboard: context.dashboardUrl,
    runbook,
    probe: probe
      ? {
          deadLetterQueues: queuesUrl(probe.region),
          logGroup: logGroupUrl(probe.region, PROBE_LOG_GROUP),
          schedules: schedulesUrl(probe.region),
        }
      : null,
  };

  const scopeLine = fill(spec.scopeLine, incident.subject);
  const alert: Alert = {
    event,
    incidentId: incident.id,
    cause: incident.cause,
    severity: incident.severity,
    messageSeverity: closed ? 'info' : incident.severity,
    status: closed ? 'OK' : 'ALARM',
    title: '',
    scopeLine,
    headline: '',
    subject: incident.subject,
    registries,
    // A stopped probe's region is where the fault is: routed and searched like a failing region.
    regions: { failing: probe ? [probe.region] : failingRegions, expected: context.expectedRegions },
    code,
    owners,
    openedAt: incident.openedAt,
    at: context.now.toISOString(),
    durationMs,
    failingCount: failing.length,
    groups: closed ? [] : groups,
    omitted: 0,
    recovered,
    recoveredOmitted: 0,
    changes: event === 'updated' ? changesOf(input, failing, code, failingRegions) : null,
    firstSteps: closed ? [] : spec.firstSteps.map((s) => fill(s, incident.subject)),
    links,
    reminder: input.reminder,
    probe,
    mergedInto: input.mergedIntoLine,
    alarmArns: [...new Set(alarmArns)],
  };
  if (incident.cause === 'alarm' && failing.length === 0) {
    const reason = [...transitions].reverse().find((t) => t.alarmName === incident.subject);
    if (reason?.description) alert.firstSteps = [reason.description, ...alert.firstSteps];
  }
  // A failing target with a passing mirror: switching to the mirror comes before everything else.
  const switches = closed ? [] : failing.filter((t) => t.condition === 'failing' && t.healthyMirror);
  alert.firstSteps = [...switches.map(switchStep), ...alert.firstSteps];
  alert.title = titleOf(alert, alarmNames);
  alert.headline = [switchHeadline(switches), headlineOf(alert)].filter(Boolean).join(' ');
  return alert;
}

function switchStep(t: TargetAlert): string {
  return `Switch ${t.target} to the mirror ${t.healthyMirror}: it passes while ${t.registry} fails (the docker, containerd and Kubernetes snippets are the first next steps of ${t.target}).`;
}

/** "Switch to the mirror X: it passes." first in the headline, or how many targets have one. */
function switchHeadline(switches: readonly TargetAlert[]): string {
  if (switches.length === 0) return '';
  if (switches.length === 1) return `Switch to the mirror ${switches[0]!.healthyMirror}: it passes.`;
  return `Switch to the mirrors: ${plural(switches.length, 'failing target')} have one that passes.`;
}

/** The targets' owners; a stopped probe or a foreign alarm is the canary operators'. */
export function ownerText(alert: Pick<Alert, 'owners' | 'cause'>): string {
  if (alert.owners.length > 0) return alert.owners.join(', ');
  return alert.cause === 'probe' || alert.cause === 'alarm' ? 'the canary operators' : 'not set';
}

/** Whether an update has anything to say; an update that says nothing is not sent. */
export function hasNews(alert: Alert): boolean {
  const c = alert.changes;
  if (!c) return true;
  return (
    c.joined.length + c.recovered.length + c.moved.length + c.regionsAdded.length + c.regionsCleared.length >
      0 ||
    c.codeFrom !== c.codeTo ||
    c.regroupedFrom !== null ||
    c.absorbed.length > 0
  );
}

/** What a message told, to compare the next one with. */
export function toldOf(alert: Alert, incident: Incident): Told {
  return {
    key: incident.key,
    members: [...incident.members],
    code: alert.code,
    regions: alert.regions.failing,
    at: alert.at,
  };
}

function changesOf(
  input: AlertInput,
  failing: readonly TargetAlert[],
  code: string | null,
  regions: readonly string[],
): AlertChanges {
  const before = input.before;
  const members = input.incident.members;
  const previous = before?.members ?? [];
  const left = previous.filter((m) => !members.includes(m));
  const regroupedFrom = before && before.key !== input.incident.key ? scopeLineOfKey(before.key) : null;
  return {
    joined: members.filter((m) => !previous.includes(m)),
    recovered: left.filter((m) => !input.movedTo.has(m)),
    moved: left.flatMap((m) => {
      const to = input.movedTo.get(m);
      return to ? [{ target: m, to }] : [];
    }),
    codeFrom: before?.code ?? null,
    codeTo: code,
    regionsAdded: regions.filter((r) => !(before?.regions ?? []).includes(r)),
    regionsCleared: (before?.regions ?? []).filter((r) => !regions.includes(r)),
    regroupedFrom,
    absorbed: input.incident.absorbed.filter((a) => failing.length > 0 && a !== input.incident.subject),
  };
}

/** "registry:ghcr.io" → the cause's scope line for that subject. */
export function scopeLineOfKey(key: string): string {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon) as CauseKind;
  const spec = CAUSES[kind];
  return spec ? fill(spec.scopeLine, key.slice(colon + 1)) : key;
}

/**
 * The targets whose results an incident shows: its members that are targets; for a certificate,
 * every target on that registry (the alarm is per host); none for a stopped probe (it lists the
 * silent targets by name only).
 */
export function incidentTargets(
  incident: Pick<Incident, 'cause' | 'subject' | 'members'>,
  alarms: Readonly<Record<string, ActiveAlarm>>,
  targets: ReadonlyMap<string, TargetInfo>,
): string[] {
  if (incident.cause === 'probe') return [];
  if (incident.cause === 'certificate') {
    return [...targets]
      .filter(([, info]) => info.registry === incident.subject)
      .map(([name]) => name)
      .sort();
  }
  const withTarget = new Set(Object.values(alarms).flatMap((a) => (a.target ? [a.member] : [])));
  return incident.members.filter((m) => withTarget.has(m));
}

function probeDetails(
  incident: Incident,
  memberAlarms: readonly [string, ActiveAlarm][],
  states: ReadonlyMap<string, readonly TargetState[]>,
): NonNullable<Alert['probe']> {
  const region = incident.subject;
  const heartbeat = memberAlarms.find(([, a]) => a.kind === 'ProbeSilent')?.[1];
  const lastResultAt =
    [...states.values()]
      .flat()
      .filter((s) => s.region === region)
      .map((s) => s.lastSeen)
      .sort()
      .at(-1) ?? null;
  return {
    region,
    lastResultAt,
    alarmSince: heartbeat?.since ?? incident.openedAt,
    silentTargets: memberAlarms.flatMap(([, a]) => (a.target ? [a.target] : [])).sort(),
  };
}

function describeTarget(
  member: string,
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
  const info = context.targets.get(member);
  const rateLimited =
    code === 'RATE_LIMITED' ||
    code === 'RATE_LIMIT_LOW' ||
    (latest ? alarmKindOf(latest.alarmName)?.spec.kind === 'RateLimitLow' : false);
  const budgets = live
    .filter((s) => s.rateLimitRemaining !== null || s.rateLimitSource !== null)
    .sort((a, b) => a.region.localeCompare(b.region))
    .map(budgetOf);
  const fallback = primary ?? live[0];
  const rateLimits = !rateLimited ? [] : budgets.length > 0 ? budgets : fallback ? [budgetOf(fallback)] : [];
  return {
    target: member,
    ref: states[0]?.ref || null,
    owner: info?.owner ?? null,
    registry: states.find((s) => s.registry)?.registry || info?.registry || member,
    condition: failing.length > 0 ? 'failing' : degraded.length > 0 ? 'degraded' : 'no-data',
    scope,
    since: primary?.since ?? null,
    consecutiveFailures: failing[0]?.consecutiveFailures ?? 0,
    code,
    summary: primary?.summary ?? warning?.summary ?? null,
    evidence: primary?.evidence ?? [],
    nextSteps: primary?.nextSteps ?? [],
    runbook: primary?.runbook ?? (code ? runbookPage(code, context.runbookBaseUrl) : null),
    otherDiagnoses: failing
      .slice(1)
      .filter((s) => s.diagnosisCode !== code)
      .map((s) => `${s.region}: ${s.diagnosisCode ?? 'unknown'}`),
    rateLimits,
    certDaysRemaining:
      primary?.certDaysRemaining ?? live.find((s) => s.certDaysRemaining !== null)?.certDaysRemaining ?? null,
    alarmReason: latest?.reason || null,
    ...(failing[0]?.healthyMirror ? { healthyMirror: failing[0].healthyMirror } : {}),
  };
}

/** Same code, summary, next steps and failing regions: one diagnosis, shown once with its targets. */
export function groupByDiagnosis(targets: readonly TargetAlert[]): DiagnosisGroup[] {
  const groups = new Map<string, DiagnosisGroup>();
  for (const t of targets) {
    const key = JSON.stringify([
      t.code,
      t.summary,
      t.nextSteps,
      t.scope.failing,
      t.scope.degraded,
      t.otherDiagnoses,
    ]);
    const group = groups.get(key);
    if (group) {
      group.targets.push(t);
      continue;
    }
    groups.set(key, {
      code: t.code,
      summary: t.summary,
      scope: t.scope,
      targets: [t],
      evidence: t.evidence,
      nextSteps: t.nextSteps,
      runbook: t.runbook,
      since: t.since,
    });
  }
  return [...groups.values()];
}

function budgetOf(state: TargetState): RateLimitBudget {
  return {
    region: state.region,
    remaining: state.rateLimitRemaining,
    limit: state.rateLimitLimit,
    source: state.rateLimitSource,
  };
}

function runbookPage(page: string, baseUrl: string | undefined): string {
  return runbookUrl(page as Parameters<typeof runbookUrl>[0], baseUrl);
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

/** "in all 3 regions", "in eu-west-1", "in 2 of 3 regions", "only from eu-west-1". */
export function regionPhrase(alert: Pick<Alert, 'cause' | 'regions' | 'subject'>): string {
  if (alert.cause === 'region' || alert.cause === 'probe') {
    return `${alert.cause === 'region' ? 'only from' : 'in'} ${alert.subject}`;
  }
  const failing = alert.regions.failing;
  const total = alert.regions.expected.length;
  if (failing.length === 0) return '';
  if (failing.length === total && total > 1) return `in all ${total} regions`;
  if (failing.length === 1) return `in ${failing[0]}`;
  return `in ${failing.length} of ${total} regions`;
}

function statusOf(alert: Alert): string {
  const status = CAUSES[alert.cause].status;
  const duration = alert.durationMs !== null ? ` ${formatDuration(alert.durationMs)}` : '';
  switch (alert.event) {
    case 'opened':
      return status;
    case 'updated':
      return `UPDATE ${status}`;
    case 'reminder':
      return alert.cause === 'probe' ? `PROBE STILL STOPPED${duration}` : `STILL ${status}${duration}`;
    case 'recovered':
      return alert.cause === 'probe' ? `PROBE RESUMED after${duration}` : `RESOLVED after${duration}`;
    case 'merged':
      return 'MERGED';
  }
}

/** What the title ends with: the registry (or region, or image), and how many targets. */
function subjectOf(alert: Alert, alarmNames: readonly string[]): string {
  const n =
    alert.event === 'recovered' || alert.event === 'merged' ? alert.recovered.length : alert.failingCount;
  const count = n > 0 ? ` (${plural(n, 'target')})` : '';
  switch (alert.cause) {
    case 'registry':
    case 'degraded':
    case 'certificate':
      return `${alert.subject}${count}`;
    case 'target': {
      const registry = alert.registries[0];
      return registry && registry !== alert.subject ? `${registry}: ${alert.subject}` : alert.subject;
    }
    case 'region':
      return `${plural(alert.registries.length, 'registry', 'registries')}${count}`;
    case 'probe': {
      if (alert.status === 'OK') return 'results arrive again';
      const since = alert.probe?.lastResultAt ?? alert.probe?.alarmSince ?? alert.openedAt;
      return `no results since ${formatTime(since)}`;
    }
    case 'alarm':
      return alarmNames[0] ?? alert.subject;
  }
}

/**
 * `<STATUS> <CODE> <scope>: <subject>`, ASCII, at most MAX_TITLE_CHARS: the status, code and scope
 * are never cut; a long registry host (ECR, Artifact Registry, a private host) is, at the end.
 */
function titleOf(alert: Alert, alarmNames: readonly string[]): string {
  const code = alert.cause === 'certificate' ? certPhrase(alert) : alert.code;
  const head = [statusOf(alert), code, alert.cause === 'certificate' ? '' : regionPhrase(alert)]
    .filter(Boolean)
    .join(' ');
  return fitTitle(head, subjectOf(alert, alarmNames));
}

function certPhrase(alert: Alert): string {
  const days = alert.groups
    .flatMap((g) => g.targets.map((t) => t.certDaysRemaining))
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b)[0];
  return days === undefined ? 'CERT_EXPIRING' : `CERT_EXPIRING in ${plural(days, 'day')}`;
}

export function fitTitle(head: string, subject: string, max = MAX_TITLE_CHARS): string {
  const ascii = (text: string) =>
    text
      .replace(/[^\x20-\x7E]/g, '?')
      .replace(/\s+/g, ' ')
      .trim();
  const h = ascii(head);
  const s = ascii(subject);
  const full = s ? `${h}: ${s}` : h;
  if (full.length <= max) return full;
  const room = max - h.length - 2;
  if (room < 8) return h.slice(0, max);
  return `${h}: ${s.slice(0, room - 3)}...`;
}

function headlineOf(alert: Alert): string {
  const c = alert.changes;
  switch (alert.event) {
    case 'opened': {
      if (alert.probe) {
        const silent = alert.probe.silentTargets.length;
        return `No results from ${alert.probe.region}${silent > 0 ? ` for ${plural(silent, 'target')}` : ''} since ${formatTime(alert.probe.lastResultAt ?? alert.probe.alarmSince)}.`;
      }
      if (alert.cause === 'alarm') return 'An alarm registry-canary did not make is in ALARM.';
      const verb = alert.severity === 'warning' ? 'degraded' : 'failing';
      return `${plural(alert.failingCount, 'target')} ${verb}${alert.owners.length > 0 ? `; owner ${alert.owners.join(', ')}` : ''}.`;
    }
    case 'updated': {
      if (!c) return 'Updated.';
      const parts: string[] = [];
      if (c.regroupedFrom) parts.push(`Re-grouped: was "${c.regroupedFrom}"`);
      if (c.absorbed.length > 0) parts.push(`merged in: ${c.absorbed.join(', ')}`);
      if (c.joined.length > 0) parts.push(`${plural(c.joined.length, 'target')} joined (${list(c.joined)})`);
      if (c.recovered.length > 0)
        parts.push(`${plural(c.recovered.length, 'target')} recovered (${list(c.recovered)})`);
      if (c.moved.length > 0) parts.push(`${plural(c.moved.length, 'target')} moved to another incident`);
      if (c.codeFrom !== c.codeTo) parts.push(`diagnosis ${c.codeFrom ?? 'none'} -> ${c.codeTo ?? 'none'}`);
      if (c.regionsAdded.length > 0) parts.push(`now also failing in ${c.regionsAdded.join(', ')}`);
      if (c.regionsCleared.length > 0) parts.push(`no longer failing in ${c.regionsCleared.join(', ')}`);
      return `${parts.join('; ')}. ${plural(alert.failingCount, 'target')} still failing.`;
    }
    case 'reminder': {
      const next = alert.reminder?.nextAt
        ? ` Next reminder ${formatTime(alert.reminder.nextAt)}.`
        : ' Last reminder.';
      return `Still open after ${formatDuration(alert.durationMs ?? 0)}: ${plural(alert.failingCount, 'target')}.${next}`;
    }
    case 'recovered':
      if (alert.cause === 'probe')
        return `The probe in ${alert.subject} sends results again; it was silent for ${formatDuration(alert.durationMs ?? 0)}.`;
      return `${plural(alert.recovered.length, 'target')} recovered (${list(alert.recovered)}) from ${alert.code ?? 'the failure'}; it lasted ${formatDuration(alert.durationMs ?? 0)}.`;
    case 'merged': {
      const into = alert.mergedInto ?? 'another incident.';
      return `Merged into: ${into}${into.endsWith('.') ? '' : '.'} Follow that one; this thread is closed.`;
    }
  }
}

function list(names: readonly string[], shown = 5): string {
  return names.length <= shown
    ? names.join(', ')
    : `${names.slice(0, shown).join(', ')}, +${names.length - shown} more`;
}
