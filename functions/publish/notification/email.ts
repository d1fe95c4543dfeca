/**
 * Renders an alert as plain-text email: the SNS `email` message. Plain text because SNS sends email
 * as text/plain; labels are aligned so the eye finds "Where" and "Since" without reading everything,
 * and each diagnosis gets its full evidence once, with the targets that share it (email is where the
 * whole story goes).
 */
import { budgetText } from './chatbot.ts';
import { formatDuration, formatTime, plural } from './format.ts';
import { type Alert, type DiagnosisGroup, MAX_TITLE_CHARS, ownerText } from './model.ts';
import { SEVERITY_LOOK } from './severity.ts';

/**
 * SNS email subjects: "must be UTF-8 text with no line breaks or control characters, and less than
 * 100 characters long" (SNS Publish API, `Subject`; https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
 * Printable ASCII, because some mail clients still mangle the rest; titles already are (model.ts).
 */
export const MAX_EMAIL_SUBJECT_CHARS = MAX_TITLE_CHARS;

export function emailSubject(alert: Alert): string {
  const ascii = alert.title
    .replace(/[^\x20-\x7E]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length > MAX_EMAIL_SUBJECT_CHARS ? `${ascii.slice(0, MAX_EMAIL_SUBJECT_CHARS - 3)}...` : ascii;
}

export function renderEmail(alert: Alert): string {
  const out: string[] = [alert.title, '='.repeat(Math.min(alert.title.length, 72)), ''];
  out.push(alert.scopeLine, alert.headline, '');
  out.push(field('Severity', SEVERITY_LOOK[alert.messageSeverity].word));
  out.push(field('Owner', ownerText(alert)));
  if (alert.registries.length > 0)
    out.push(field(alert.registries.length === 1 ? 'Registry' : 'Registries', alert.registries.join(', ')));
  out.push(field('Opened', formatTime(alert.openedAt)));
  if (alert.durationMs !== null) {
    const closed = alert.status === 'OK';
    out.push(field(closed ? 'Lasted' : 'Open for', formatDuration(alert.durationMs)));
  }
  if (alert.reminder) {
    out.push(
      field(
        'Reminder',
        `${alert.reminder.count}${alert.reminder.max ? ` of at most ${alert.reminder.max}` : ''}${alert.reminder.nextAt ? `; next ${formatTime(alert.reminder.nextAt)}` : '; the last one'}`,
      ),
    );
  }
  out.push('');

  const c = alert.changes;
  if (c) {
    out.push('WHAT CHANGED', '');
    if (c.regroupedFrom) out.push(`  ~ re-grouped; it was: ${c.regroupedFrom}`);
    if (c.absorbed.length > 0) out.push(`  ~ merged in: ${c.absorbed.join(', ')}`);
    if (c.joined.length > 0) out.push(`  + joined (${c.joined.length}): ${c.joined.join(', ')}`);
    if (c.recovered.length > 0) out.push(`  - recovered (${c.recovered.length}): ${c.recovered.join(', ')}`);
    for (const m of c.moved) out.push(`  > ${m.target} moved to: ${m.to}`);
    if (c.codeFrom !== c.codeTo) out.push(`  ~ diagnosis: ${c.codeFrom ?? 'none'} -> ${c.codeTo ?? 'none'}`);
    if (c.regionsAdded.length > 0) out.push(`  + now also failing in: ${c.regionsAdded.join(', ')}`);
    if (c.regionsCleared.length > 0) out.push(`  - no longer failing in: ${c.regionsCleared.join(', ')}`);
    out.push('');
  }

  if (alert.probe) {
    const p = alert.probe;
    out.push('PROBE', '');
    out.push(field('Region', p.region, 2));
    out.push(field('Last result', p.lastResultAt ? formatTime(p.lastResultAt) : 'none seen', 2));
    out.push(field('Alarm since', formatTime(p.alarmSince), 2));
    if (p.silentTargets.length > 0)
      out.push(
        field('No results', `${plural(p.silentTargets.length, 'target')}: ${p.silentTargets.join(', ')}`, 2),
      );
    out.push('');
  }

  if (alert.firstSteps.length > 0) {
    out.push('FIRST STEPS', '');
    alert.firstSteps.forEach((step, i) => {
      out.push(`  ${i + 1}. ${step}`);
    });
    if (alert.links.probe) {
      out.push(`     Dead-letter queues: ${alert.links.probe.deadLetterQueues}`);
      out.push(`     Log group:          ${alert.links.probe.logGroup}`);
      out.push(`     Schedules:          ${alert.links.probe.schedules}`);
    }
    out.push('');
  }

  const shown = alert.groups.reduce((n, g) => n + g.targets.length, 0);
  if (shown + alert.omitted > 0) {
    out.push(
      `${alert.cause === 'certificate' || alert.severity === 'warning' ? 'AFFECTED' : 'FAILING'} (${shown + alert.omitted})`,
      '',
    );
    for (const group of alert.groups) out.push(...groupSection(group), '');
    if (alert.omitted > 0) out.push(`+${alert.omitted} more`, '');
  }
  if (alert.recovered.length + alert.recoveredOmitted > 0) {
    out.push(`RECOVERED (${alert.recovered.length + alert.recoveredOmitted})`, '');
    out.push(
      `  ${alert.recovered.join(', ')}${alert.recoveredOmitted > 0 ? `, +${alert.recoveredOmitted} more` : ''}`,
      '',
    );
  }

  out.push('LINKS', '');
  for (const l of alert.links.logs) out.push(field(`${l.label} (${l.region})`, l.url, 2, 26));
  for (const a of alert.links.alarms) out.push(field(`Alarm ${a.name}`, a.url, 2, 26));
  if (alert.links.dashboard) out.push(field('Dashboard', alert.links.dashboard, 2, 26));
  if (alert.links.runbook) out.push(field('Runbook', alert.links.runbook, 2, 26));
  out.push('', '--', `Incident: ${alert.incidentId}`, `Sent by registry-canary at ${formatTime(alert.at)}`);
  return out.join('\n');
}

function groupSection(group: DiagnosisGroup): string[] {
  const names = group.targets.map(
    (t) =>
      `${t.target}${t.ref ? ` (${t.ref}${t.owner ? `, owner ${t.owner}` : ''})` : t.owner ? ` (owner ${t.owner})` : ''}`,
  );
  const lines = [`* ${group.code ?? 'no diagnosis yet'}: ${plural(group.targets.length, 'target')}`];
  for (const name of names) lines.push(`    - ${name}`);
  lines.push(field('Where', group.scope.text || 'no recent probe results', 4));
  const first = group.targets[0];
  if (group.since) {
    const runs =
      first && first.consecutiveFailures > 0
        ? ` (${plural(first.consecutiveFailures, 'failed run')} in a row)`
        : '';
    lines.push(field('Since', `${formatTime(group.since)}${runs}`, 4));
  }
  if (group.summary)
    lines.push(field('Diagnosis', `${group.code ?? ''}${group.code ? ' - ' : ''}${group.summary}`, 4));
  if (first && first.otherDiagnoses.length > 0)
    lines.push(field('Elsewhere', first.otherDiagnoses.join('; '), 4));
  if (!group.code && first?.alarmReason) lines.push(field('Alarm', first.alarmReason, 4));
  for (const t of group.targets) {
    t.rateLimits.forEach((budget, i) => {
      lines.push(
        field(
          i === 0 ? (group.targets.length > 1 ? `Budget ${t.target}` : 'Rate limit') : '',
          budgetText(budget),
          4,
        ),
      );
    });
  }
  const days = first?.certDaysRemaining;
  // Never "expires in -3 days": an expired certificate is TLS_EXPIRED, whose summary says so.
  if (days !== null && days !== undefined && days >= 0 && group.code === 'CERT_EXPIRING') {
    lines.push(field('Certificate', `expires in ${plural(days, 'day')}`, 4));
  }
  if (group.evidence.length > 0) {
    lines.push(`    Evidence${group.targets.length > 1 ? ` (${first?.target})` : ''}:`);
    for (const line of group.evidence) lines.push(`      - ${line}`);
  }
  if (group.nextSteps.length > 0) {
    lines.push('    Next steps:');
    group.nextSteps.forEach((step, i) => {
      lines.push(`      ${i + 1}. ${step}`);
    });
  }
  if (group.runbook) lines.push(field('Runbook', group.runbook, 4));
  return lines;
}

/** An empty label continues the field above, aligned under its value. */
function field(label: string, value: string, indent = 0, width = 12): string {
  const text = label ? `${label}:` : '';
  return `${' '.repeat(indent)}${text.length >= width ? `${text} ` : text.padEnd(width)}${value}`;
}
