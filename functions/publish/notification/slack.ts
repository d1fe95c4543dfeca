/**
 * Renders an alert as a Slack message in Block Kit, for the incoming webhook (and the Slack app).
 * Slack's limits shape it (docs.slack.dev/reference/block-kit/blocks): a header's plain_text at most
 * 150 characters (header block), a section's text at most 3,000 (section block), at most 50 blocks
 * a message; `text` is the notification fallback. An incoming webhook answers "ok" and no message
 * `ts` (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks), so this message says
 * nothing about threads: the webhook cannot thread, and a link to the incident id would lie.
 */
import type { AlarmTransition } from './alarm-event.ts';
import { budgetText } from './chatbot.ts';
import { formatDuration, formatTime, plural } from './format.ts';
import { type Alert, type DiagnosisGroup, ownerText } from './model.ts';
import { SEVERITY_LOOK } from './severity.ts';

export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export const MAX_BLOCKS = 50;
/**
 * All blocks' text together. Not in Slack's block reference: chat.postMessage answers
 * `msg_blocks_too_long` from about 13,200 characters of block text, well under 50 full sections
 * (slackapi/bolt-js#2509, measured by its reporter). 12,000 keeps clear of it.
 */
export const MAX_BLOCKS_TEXT_CHARS = 12_000;
export const MAX_SECTION_CHARS = 3_000;
export const MAX_HEADER_CHARS = 150;
/** Blocks kept back for the trailer: the "+N more" line, recovered targets, links. */
const TRAILER_BLOCKS = 4;
/** Text kept back for the trailer: recovered names (clipped) and the links. */
const TRAILER_TEXT_CHARS = 4_500;
const MAX_RECOVERED_TEXT_CHARS = 1_000;
/** Slack: a context block holds at most 10 elements (docs.slack.dev/reference/block-kit/blocks/context-block). */
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_LINK_CHARS = 1_500;
/** The sections before the diagnoses: what changed, the first steps. */
const MAX_LEAD_SECTION_CHARS = 1_500;
const MAX_NAMES = 15;

export function renderSlack(alert: Alert): SlackMessage {
  const look = SEVERITY_LOOK[alert.messageSeverity];
  const meta = [
    `*${look.word}*`,
    `*Owner* ${mrkdwnEscape(ownerText(alert))}`,
    `*Opened* ${formatTime(alert.openedAt)}`,
  ];
  if (alert.durationMs !== null)
    meta.push(`*${alert.status === 'OK' ? 'Lasted' : 'Open for'}* ${formatDuration(alert.durationMs)}`);
  if (alert.reminder?.nextAt) meta.push(`*Next reminder* ${formatTime(alert.reminder.nextAt)}`);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(alert.title, MAX_HEADER_CHARS), emoji: true } },
    section(
      clip(
        `${look.emoji} *${mrkdwnEscape(alert.scopeLine)}*\n${mrkdwnEscape(alert.headline)}`,
        MAX_LEAD_SECTION_CHARS,
      ),
    ),
    { type: 'context', elements: [{ type: 'mrkdwn', text: meta.join('  ·  ') }] },
  ];
  const changes = changeLines(alert);
  if (changes.length > 0)
    blocks.push(section(clip(`*What changed*\n${changes.join('\n')}`, MAX_LEAD_SECTION_CHARS)));
  if (alert.probe) {
    const p = alert.probe;
    const lines = [
      `*Last result from ${p.region}:* ${p.lastResultAt ? formatTime(p.lastResultAt) : 'none seen'}`,
      `*Alarm since:* ${formatTime(p.alarmSince)}`,
    ];
    if (p.silentTargets.length > 0)
      lines.push(
        `*No results for:* ${plural(p.silentTargets.length, 'target')}: ${mrkdwnEscape(names(p.silentTargets))}`,
      );
    blocks.push(section(lines.join('\n')));
  }
  if (alert.firstSteps.length > 0) {
    const steps = alert.firstSteps.map((s, i) => `${i + 1}. ${mrkdwnEscape(s)}`);
    if (alert.links.probe) {
      steps.push(
        `${link(alert.links.probe.deadLetterQueues, 'Dead-letter queues')}  ·  ${link(alert.links.probe.logGroup, 'Probe logs')}  ·  ${link(alert.links.probe.schedules, 'Schedules')}`,
      );
    }
    blocks.push(section(clip(`*First steps*\n${steps.join('\n')}`, MAX_LEAD_SECTION_CHARS)));
  }

  // Each diagnosis: a divider and a section. Stop while there is room for the trailer.
  let shownTargets = 0;
  const total = alert.groups.reduce((n, g) => n + g.targets.length, 0);
  let textChars = blocks.reduce((n, b) => n + blockText(b).length, 0);
  for (const group of alert.groups) {
    const next = section(groupText(group));
    if (blocks.length + 2 > MAX_BLOCKS - TRAILER_BLOCKS) break;
    if (textChars + blockText(next).length > MAX_BLOCKS_TEXT_CHARS - TRAILER_TEXT_CHARS) break;
    blocks.push({ type: 'divider' }, next);
    textChars += blockText(next).length;
    shownTargets += group.targets.length;
  }
  const more = total - shownTargets + alert.omitted;
  if (more > 0) blocks.push(section(`+${more} more`));
  if (alert.recovered.length + alert.recoveredOmitted > 0) {
    const extra = alert.recoveredOmitted > 0 ? `, +${alert.recoveredOmitted} more` : '';
    blocks.push(
      section(clip(`*Recovered:* ${mrkdwnEscape(names(alert.recovered))}${extra}`, MAX_RECOVERED_TEXT_CHARS)),
    );
  }
  const links = [
    ...alert.links.logs.map((l) => link(l.url, `${l.label} (${l.region})`)),
    ...alert.links.alarms.slice(0, 3).map((a) => link(a.url, 'Alarm')),
    ...(alert.links.dashboard ? [link(alert.links.dashboard, 'Dashboard')] : []),
    ...(alert.links.runbook ? [link(alert.links.runbook, 'Runbook')] : []),
  ];
  // One context element per link (a context holds at most 10): a link is dropped whole, never cut.
  const kept = links.filter((l) => l.length <= MAX_LINK_CHARS).slice(0, MAX_CONTEXT_ELEMENTS);
  if (kept.length > 0)
    blocks.push({ type: 'context', elements: kept.map((text) => ({ type: 'mrkdwn', text })) });
  // The notification fallback: the title, led by the severity unless the title already says it.
  return { text: alert.title.startsWith(look.word) ? alert.title : `${look.word}: ${alert.title}`, blocks };
}

/** The text a block carries (a section's or header's text, a context's elements). */
export function blockText(block: SlackBlock): string {
  const text = (block['text'] as { text?: string } | undefined)?.text ?? '';
  const elements = (block['elements'] as { text?: string }[] | undefined) ?? [];
  return text + elements.map((e) => e.text ?? '').join('');
}

export function changeLines(alert: Alert): string[] {
  const c = alert.changes;
  if (!c) return [];
  const lines: string[] = [];
  if (c.regroupedFrom) lines.push(`Re-grouped; it was: ${mrkdwnEscape(c.regroupedFrom)}`);
  if (c.absorbed.length > 0) lines.push(`Merged in: ${mrkdwnEscape(c.absorbed.join(', '))}`);
  if (c.joined.length > 0) lines.push(`Joined (${c.joined.length}): ${mrkdwnEscape(names(c.joined))}`);
  if (c.recovered.length > 0)
    lines.push(`Recovered (${c.recovered.length}): ${mrkdwnEscape(names(c.recovered))}`);
  for (const m of c.moved.slice(0, 5))
    lines.push(`Moved: ${mrkdwnEscape(m.target)} to ${mrkdwnEscape(m.to)}`);
  if (c.codeFrom !== c.codeTo)
    lines.push(`Diagnosis: \`${c.codeFrom ?? 'none'}\` → \`${c.codeTo ?? 'none'}\``);
  if (c.regionsAdded.length > 0) lines.push(`Now also failing in: ${c.regionsAdded.join(', ')}`);
  if (c.regionsCleared.length > 0) lines.push(`No longer failing in: ${c.regionsCleared.join(', ')}`);
  return lines;
}

function names(list: readonly string[]): string {
  return list.length <= MAX_NAMES
    ? list.join(', ')
    : `${list.slice(0, MAX_NAMES).join(', ')}, +${list.length - MAX_NAMES} more`;
}

/** Only https URLs we built become links; `|` and `>` would end Slack's link syntax early. */
function link(url: string, label: string): string {
  return `<${url.replaceAll('|', '%7C').replaceAll('>', '%3E')}|${label}>`;
}

const STATE_EMOJI: Record<AlarmTransition['newState'], string> = {
  ALARM: ':rotating_light:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
};

/**
 * A plain CloudWatch alarm message, as an alarm that notifies the topic directly sends it: the
 * notifier's own dead-letter alarm, which must not go through the notifier (that is what failed).
 * Minimal on purpose: the state, the alarm, what it means (its description) and the runbook.
 */
export function renderCloudWatchAlarm(alarm: AlarmTransition): SlackMessage {
  const title = `${alarm.newState}: ${alarm.alarmName}`;
  const runbook = /(?:^|\s)Runbook:\s*(https:\/\/\S+)/.exec(alarm.description)?.[1];
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, MAX_HEADER_CHARS), emoji: true } },
  ];
  if (alarm.description)
    blocks.push(section(`${STATE_EMOJI[alarm.newState]} ${mrkdwnEscape(alarm.description)}`));
  if (alarm.reason) blocks.push(section(`*Reason:* ${mrkdwnEscape(alarm.reason)}`));
  const context = [`*Since* ${formatTime(alarm.at)}`];
  // Only an https URL becomes a link: the description is ours, but a link is still worth checking.
  if (runbook) context.push(`<${runbook.replaceAll('|', '%7C').replaceAll('>', '%3E')}|Runbook>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join('  ·  ') }] });
  return { text: title, blocks };
}

function groupText(group: DiagnosisGroup): string {
  const first = group.targets[0];
  const lines = [
    group.targets.length === 1 && first
      ? `*${mrkdwnEscape(first.target)}*${first.ref ? ` \`${mrkdwnEscape(first.ref)}\`` : ''}${first.owner ? ` (owner ${mrkdwnEscape(first.owner)})` : ''}`
      : `*${plural(group.targets.length, 'target')}:* ${mrkdwnEscape(names(group.targets.map((t) => t.target)))}`,
  ];
  lines.push(`*Scope:* ${mrkdwnEscape(group.scope.text)}`);
  if (group.since) lines.push(`*Since:* ${formatTime(group.since)}`);
  if (group.code) {
    lines.push(`*Diagnosis:* \`${group.code}\`${group.summary ? ` — ${mrkdwnEscape(group.summary)}` : ''}`);
  } else if (first?.alarmReason) {
    lines.push(`*Alarm:* ${mrkdwnEscape(first.alarmReason)}`);
  }
  if (first && first.otherDiagnoses.length > 0)
    lines.push(`*Elsewhere:* ${mrkdwnEscape(first.otherDiagnoses.join('; '))}`);
  const budgets = group.targets.flatMap((t) => t.rateLimits);
  if (budgets.length > 0)
    lines.push(`*Rate limit:* ${mrkdwnEscape(budgets.slice(0, 6).map(budgetText).join('; '))}`);
  if (group.evidence.length > 0) {
    lines.push(
      `*Evidence${group.targets.length > 1 ? ` (${mrkdwnEscape(first?.target ?? '')})` : ''}:*`,
      ...group.evidence.slice(0, 5).map((e) => `• \`${mrkdwnEscape(e).replaceAll('`', "'")}\``),
    );
  }
  if (group.nextSteps.length > 0) {
    lines.push('*Next steps:*', ...group.nextSteps.map((s, i) => `${i + 1}. ${mrkdwnEscape(s)}`));
  }
  if (group.runbook) lines.push(link(group.runbook, `Runbook for ${group.code ?? 'this alarm'}`));
  return lines.join('\n');
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, MAX_SECTION_CHARS) } };
}

/** Slack's mrkdwn gives &, < and > meaning; text from registries must not make links or mentions. */
function mrkdwnEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
