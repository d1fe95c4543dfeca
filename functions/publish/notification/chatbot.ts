/**
 * Renders an alert as an Amazon Q Developer in chat applications (formerly AWS Chatbot) custom
 * notification: the SNS `default` message, which Amazon Q posts to Slack, Teams or Chime.
 * Fields: version "1.0", source "custom" (literally), content {textType "client-markdown", title,
 * description (required), nextSteps, keywords}, metadata {threadId, summary, eventType,
 * relatedResources, additionalContext}. The thread id is the incident's, so the opening, updates,
 * reminders and the recovery land in one thread.
 */
import { formatDuration, formatTime, plural } from './format.ts';
import { type Alert, type RateLimitBudget, recoveredNames, type TargetAlert } from './model.ts';

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

/** Targets shown in full; the rest get one line each. A chat message is read on a phone. */
const DETAILED_TARGETS = 3;
const MAX_NEXT_STEPS = 5;
const MAX_EVIDENCE_IN_CHAT = 5;

const EVENT_TYPES: Record<Alert['kind'], string> = {
  opened: 'RegistryCanaryIncidentOpened',
  updated: 'RegistryCanaryIncidentUpdated',
  reminder: 'RegistryCanaryIncidentReminder',
  recovered: 'RegistryCanaryIncidentRecovered',
};

export function renderChatbot(alert: Alert): ChatbotNotification {
  const nextSteps = alert.kind === 'recovered' ? [] : collectNextSteps(alert.failing);
  return {
    version: '1.0',
    source: 'custom',
    id: `${alert.threadId}/${alert.kind}/${alert.at}`,
    content: {
      textType: 'client-markdown',
      title: `${alert.status === 'OK' ? ':white_check_mark:' : ':rotating_light:'} ${alert.title}`,
      description: describe(alert),
      ...(nextSteps.length > 0 ? { nextSteps } : {}),
      keywords: keywordsOf(alert),
    },
    metadata: {
      threadId: alert.threadId,
      summary: alert.title,
      eventType: EVENT_TYPES[alert.kind],
      relatedResources: alert.alarmArns,
      additionalContext: {
        registry: alert.group,
        status: alert.status,
        openedAt: alert.openedAt,
        failingTargets: String(alert.failing.length + alert.omitted),
        ...(alert.code ? { diagnosis: alert.code } : {}),
        ...(alert.durationMs !== null ? { duration: formatDuration(alert.durationMs) } : {}),
      },
    },
  };
}

function describe(alert: Alert): string {
  const lines: string[] = [alert.headline, ''];
  if (alert.kind === 'recovered') {
    lines.push(`*Opened:* ${formatTime(alert.openedAt)}  *Lasted:* ${formatDuration(alert.durationMs ?? 0)}`);
    if (alert.recovered.length + alert.recoveredOmitted > 0)
      lines.push(`*Recovered:* ${recoveredNames(alert)}`);
  }
  alert.failing.slice(0, DETAILED_TARGETS).forEach((target) => {
    lines.push(...detailed(target), '');
  });
  const rest = alert.failing.slice(DETAILED_TARGETS);
  for (const target of rest) {
    lines.push(`• *${target.target}*: ${target.code ?? 'unknown'} — ${target.scope.text}`);
  }
  if (alert.omitted > 0) lines.push(`+${alert.omitted} more`);
  if (alert.kind !== 'recovered' && alert.recovered.length + alert.recoveredOmitted > 0) {
    lines.push(`*Recovered:* ${recoveredNames(alert)}`);
  }
  if (alert.dashboardUrl) lines.push(`*Dashboard:* ${alert.dashboardUrl}`);
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function detailed(target: TargetAlert): string[] {
  const lines = [
    `*${target.target}*${target.ref ? ` \`${target.ref}\`` : ''}`,
    `*Scope:* ${target.scope.text}`,
  ];
  if (target.since) {
    const runs =
      target.consecutiveFailures > 0 ? `, ${plural(target.consecutiveFailures, 'failed run')} in a row` : '';
    lines.push(`*Since:* ${formatTime(target.since)}${runs}`);
  }
  if (target.code)
    lines.push(`*Diagnosis:* \`${target.code}\`${target.summary ? ` — ${target.summary}` : ''}`);
  else if (target.alarmReason) lines.push(`*Alarm:* ${target.alarmReason}`);
  if (target.otherDiagnoses.length > 0) lines.push(`*Elsewhere:* ${target.otherDiagnoses.join('; ')}`);
  if (target.evidence.length > 0) {
    lines.push('*Evidence:*');
    for (const line of target.evidence.slice(0, MAX_EVIDENCE_IN_CHAT))
      lines.push(`• \`${line.replaceAll('`', "'")}\``);
    if (target.evidence.length > MAX_EVIDENCE_IN_CHAT) {
      lines.push(`+${target.evidence.length - MAX_EVIDENCE_IN_CHAT} more (see the email or logs)`);
    }
  }
  if (target.rateLimits.length > 0)
    lines.push(`*Rate limit:* ${target.rateLimits.map(budgetText).join('; ')}`);
  if (target.runbook) lines.push(`*Runbook:* ${target.runbook}`);
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

function collectNextSteps(targets: readonly TargetAlert[]): string[] {
  const steps: string[] = [];
  for (const target of targets) {
    for (const step of target.nextSteps) if (!steps.includes(step)) steps.push(step);
    if (target.runbook && !steps.some((s) => s.includes(target.runbook ?? ''))) {
      steps.push(`Follow the runbook: ${target.runbook}`);
    }
  }
  return steps.slice(0, MAX_NEXT_STEPS);
}

function keywordsOf(alert: Alert): string[] {
  const words = [alert.status, alert.group];
  if (alert.code) words.push(alert.code);
  const regions = new Set(alert.failing.flatMap((t) => t.scope.failing));
  words.push(...[...regions].sort());
  return [...new Set(words)].slice(0, 10);
}
