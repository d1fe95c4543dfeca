/**
 * Renders an alert as a Slack incoming-webhook message in Block Kit, for teams that use a webhook
 * rather than Amazon Q Developer. Slack's limits shape it: a header of at most 150 characters, a
 * section of at most 3,000, at most 50 blocks; `text` is the fallback for notifications.
 */
import type { AlarmTransition } from './alarm-event.ts';
import { budgetText } from './chatbot.ts';
import { formatDuration, formatTime } from './format.ts';
import { type Alert, recoveredNames, type TargetAlert } from './model.ts';

export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const MAX_BLOCKS = 50;
const MAX_SECTION_CHARS = 3_000;
const MAX_HEADER_CHARS = 150;
/** Blocks kept back for the trailer: the "+N more" line, recovered targets, links. */
const TRAILER_BLOCKS = 4;

export function renderSlack(alert: Alert): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(alert.title, MAX_HEADER_CHARS), emoji: true } },
    section(
      `${alert.status === 'OK' ? ':white_check_mark:' : ':rotating_light:'} ${mrkdwnEscape(alert.headline)}`,
    ),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `*Opened* ${formatTime(alert.openedAt)}` },
        ...(alert.durationMs !== null
          ? [
              {
                type: 'mrkdwn',
                text: `*${alert.kind === 'recovered' ? 'Lasted' : 'Open for'}* ${formatDuration(alert.durationMs)}`,
              },
            ]
          : []),
      ],
    },
  ];

  // Each failing target: a divider and a section. Stop while there is room for the trailer.
  let shown = 0;
  for (const target of alert.failing) {
    if (blocks.length + 2 > MAX_BLOCKS - TRAILER_BLOCKS) break;
    blocks.push({ type: 'divider' }, section(targetText(target)));
    shown += 1;
  }
  const more = alert.failing.length - shown + alert.omitted;
  if (more > 0) blocks.push(section(`+${more} more`));
  if (alert.recovered.length + alert.recoveredOmitted > 0) {
    blocks.push(section(`*Recovered:* ${mrkdwnEscape(recoveredNames(alert))}`));
  }
  const links = [
    ...(alert.dashboardUrl ? [`<${alert.dashboardUrl}|Dashboard>`] : []),
    `Thread ${mrkdwnEscape(alert.threadId)}`,
  ];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join('  ·  ') }] });
  return { text: alert.title, blocks };
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

function targetText(target: TargetAlert): string {
  const lines = [`*${mrkdwnEscape(target.target)}*${target.ref ? ` \`${mrkdwnEscape(target.ref)}\`` : ''}`];
  lines.push(`*Scope:* ${mrkdwnEscape(target.scope.text)}`);
  if (target.since) lines.push(`*Since:* ${formatTime(target.since)}`);
  if (target.code) {
    lines.push(
      `*Diagnosis:* \`${target.code}\`${target.summary ? ` — ${mrkdwnEscape(target.summary)}` : ''}`,
    );
  } else if (target.alarmReason) {
    lines.push(`*Alarm:* ${mrkdwnEscape(target.alarmReason)}`);
  }
  if (target.otherDiagnoses.length > 0)
    lines.push(`*Elsewhere:* ${mrkdwnEscape(target.otherDiagnoses.join('; '))}`);
  if (target.rateLimits.length > 0)
    lines.push(`*Rate limit:* ${mrkdwnEscape(target.rateLimits.map(budgetText).join('; '))}`);
  if (target.evidence.length > 0) {
    lines.push(
      '*Evidence:*',
      ...target.evidence.slice(0, 5).map((e) => `• \`${mrkdwnEscape(e).replaceAll('`', "'")}\``),
    );
  }
  if (target.nextSteps.length > 0) {
    lines.push('*Next steps:*', ...target.nextSteps.map((s, i) => `${i + 1}. ${mrkdwnEscape(s)}`));
  }
  if (target.runbook) lines.push(`<${target.runbook}|Runbook for ${target.code ?? 'this alarm'}>`);
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
