/**
 * Renders an alert as an Amazon Q Developer in chat applications (formerly AWS Chatbot) custom
 * notification: the message of the chat topic (alert-topics.ts), which Amazon Q reads from the
 * message body and posts to Slack, Teams or Chime.
 * Fields: version "1.0", source "custom" (literally), content {textType "client-markdown", title,
 * description (required), nextSteps, keywords}, metadata {threadId, summary, eventType,
 * relatedResources, additionalContext}. The thread id is the incident's id, which survives
 * re-grouping, so the opening, updates, reminders and the recovery land in one thread, when the
 * channel allows it: "To thread notifications, your channel preferences must allow sending
 * notification updates in a thread" (`@Amazon Q preferences` in the channel;
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html).
 */
import { formatDuration, formatTime, plural } from './format.ts';
import { type Alert, type DiagnosisGroup, ownerText, type RateLimitBudget } from './model.ts';
import { SEVERITY_LOOK } from './severity.ts';

export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/** Diagnoses shown in full; the rest get one line each. A chat message is read on a phone. */
const DETAILED_GROUPS = 3;
const MAX_NEXT_STEPS = 6;
const MAX_EVIDENCE_IN_CHAT = 5;
const MAX_NAMES_IN_CHAT = 10;

const EVENT_TYPES: Record<Alert['event'], string> = {
  opened: 'RegistryCanaryIncidentOpened',
  updated: 'RegistryCanaryIncidentUpdated',
  reminder: 'RegistryCanaryIncidentReminder',
  recovered: 'RegistryCanaryIncidentRecovered',
  merged: 'RegistryCanaryIncidentMerged',
};

export function renderChatbot(alert: Alert): ChatbotNotification {
  const nextSteps = alert.status === 'OK' ? [] : collectNextSteps(alert);
  return {
    version: '1.0',
    source: 'custom',
    id: `${alert.incidentId}/${alert.event}/${alert.at}`,
    content: {
      textType: 'client-markdown',
      title: `${SEVERITY_LOOK[alert.messageSeverity].emoji} ${alert.title}`,
      description: describe(alert),
      ...(nextSteps.length > 0 ? { nextSteps } : {}),
      keywords: keywordsOf(alert),
    },
    metadata: {
      threadId: alert.incidentId,
      summary: alert.title,
      eventType: EVENT_TYPES[alert.event],
      relatedResources: alert.alarmArns,
      additionalContext: {
        severity: alert.messageSeverity,
        cause: alert.cause,
        status: alert.status,
        openedAt: alert.openedAt,
        failingTargets: String(alert.failingCount),
        ...(alert.owners.length > 0 ? { owner: alert.owners.join(', ') } : {}),
        ...(alert.registries.length > 0 ? { registry: alert.registries.join(', ') } : {}),
        ...(alert.code ? { diagnosis: alert.code } : {}),
        ...(alert.durationMs !== null ? { duration: formatDuration(alert.durationMs) } : {}),
      },
    },
  };
}

function describe(alert: Alert): string {
  const lines: string[] = [`*${alert.scopeLine}*`, alert.headline];
  const meta = [`*Severity:* ${SEVERITY_LOOK[alert.messageSeverity].word}`];
  meta.push(`*Owner:* ${ownerText(alert)}`);
  meta.push(`*Opened:* ${formatTime(alert.openedAt)}`);
  if (alert.durationMs !== null)
    meta.push(`*${alert.status === 'OK' ? 'Lasted' : 'Open for'}:* ${formatDuration(alert.durationMs)}`);
  lines.push(meta.join('  '), '');
  if (alert.probe) {
    const p = alert.probe;
    lines.push(
      `*Last result from ${p.region}:* ${p.lastResultAt ? formatTime(p.lastResultAt) : 'none seen'}  *Alarm since:* ${formatTime(p.alarmSince)}`,
    );
    if (p.silentTargets.length > 0)
      lines.push(`*No results for:* ${plural(p.silentTargets.length, 'target')}: ${names(p.silentTargets)}`);
    lines.push('');
  }
  alert.groups.slice(0, DETAILED_GROUPS).forEach((group) => {
    lines.push(...detailed(group), '');
  });
  for (const group of alert.groups.slice(DETAILED_GROUPS)) {
    lines.push(
      `• *${group.code ?? 'unknown'}* (${plural(group.targets.length, 'target')}): ${names(group.targets.map((t) => t.target))} — ${group.scope.text}`,
    );
  }
  if (alert.omitted > 0) lines.push(`+${alert.omitted} more`);
  if (alert.recovered.length + alert.recoveredOmitted > 0) {
    lines.push(
      `*Recovered:* ${alert.recovered.join(', ')}${alert.recoveredOmitted > 0 ? `, +${alert.recoveredOmitted} more` : ''}`,
    );
  }
  lines.push('', ...linkLines(alert));
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function linkLines(alert: Alert): string[] {
  const lines: string[] = [];
  for (const l of alert.links.logs) lines.push(`*${l.label} (${l.region}):* ${l.url}`);
  if (alert.links.probe) {
    lines.push(`*Dead-letter queues:* ${alert.links.probe.deadLetterQueues}`);
    lines.push(`*Probe logs:* ${alert.links.probe.logGroup}`);
    lines.push(`*Schedules:* ${alert.links.probe.schedules}`);
  }
  for (const a of alert.links.alarms) lines.push(`*Alarm:* ${a.url}`);
  if (alert.links.dashboard) lines.push(`*Dashboard:* ${alert.links.dashboard}`);
  if (alert.links.runbook) lines.push(`*Runbook:* ${alert.links.runbook}`);
  return lines;
}

function names(list: readonly string[]): string {
  return list.length <= MAX_NAMES_IN_CHAT
    ? list.join(', ')
    : `${list.slice(0, MAX_NAMES_IN_CHAT).join(', ')}, +${list.length - MAX_NAMES_IN_CHAT} more`;
}

function detailed(group: DiagnosisGroup): string[] {
  const first = group.targets[0];
  const lines = [
    group.targets.length === 1 && first
      ? `*${first.target}*${first.ref ? ` \`${first.ref}\`` : ''}`
      : `*${plural(group.targets.length, 'target')}:* ${names(group.targets.map((t) => t.target))}`,
    `*Scope:* ${group.scope.text}`,
  ];
  if (group.since) {
    const runs =
      first && first.consecutiveFailures > 0
        ? `, ${plural(first.consecutiveFailures, 'failed run')} in a row`
        : '';
    lines.push(`*Since:* ${formatTime(group.since)}${runs}`);
  }
  if (group.code) lines.push(`*Diagnosis:* \`${group.code}\`${group.summary ? ` — ${group.summary}` : ''}`);
  else if (first?.alarmReason) lines.push(`*Alarm:* ${first.alarmReason}`);
  if (first && first.otherDiagnoses.length > 0) lines.push(`*Elsewhere:* ${first.otherDiagnoses.join('; ')}`);
  if (group.evidence.length > 0) {
    lines.push(`*Evidence${group.targets.length > 1 ? ` (${first?.target})` : ''}:*`);
    for (const line of group.evidence.slice(0, MAX_EVIDENCE_IN_CHAT))
      lines.push(`• \`${line.replaceAll('`', "'")}\``);
    if (group.evidence.length > MAX_EVIDENCE_IN_CHAT) {
      lines.push(`+${group.evidence.length - MAX_EVIDENCE_IN_CHAT} more (see the email or logs)`);
    }
  }
  const budgets = group.targets.flatMap((t) => t.rateLimits);
  if (budgets.length > 0) lines.push(`*Rate limit:* ${budgets.slice(0, 6).map(budgetText).join('; ')}`);
  if (group.runbook) lines.push(`*Runbook:* ${group.runbook}`);
  return lines;
}

/** One region's budget: "eu-west-1: 3 of 100 pulls left, counted against 203.0.113.7". */
export function budgetText(budget: RateLimitBudget): string {
  const left =
    budget.remaining !== null && budget.limit !== null
      ? `${budget.remaining} of ${budget.limit} pulls left`
      : budget.remaining !== null
        ? `${budget.remaining} pulls left`
        : 'budget unknown';
  return `${budget.region}: ${budget.source ? `${left}, counted against ${budget.source}` : left}`;
}

/** The scope's first steps, then each diagnosis' pasteable next steps, once each, then its runbook. */
export function collectNextSteps(alert: Alert, max = MAX_NEXT_STEPS): string[] {
  const steps: string[] = [...alert.firstSteps];
  for (const group of alert.groups) {
    for (const step of group.nextSteps) if (!steps.includes(step)) steps.push(step);
  }
  const runbook = alert.links.runbook;
  const kept = steps.slice(0, runbook ? max - 1 : max);
  if (runbook) kept.push(`Follow the runbook: ${runbook}`);
  return kept;
}

function keywordsOf(alert: Alert): string[] {
  const words = [SEVERITY_LOOK[alert.messageSeverity].word, alert.status];
  if (alert.code) words.push(alert.code);
  words.push(...alert.regions.failing, ...alert.registries, ...alert.owners);
  return [...new Set(words)].slice(0, 10);
}
