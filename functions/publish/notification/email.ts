/**
 * Renders an alert as plain-text email: the SNS `email` message. Plain text because SNS sends email
 * as text/plain; labels are aligned so the eye finds "Where" and "Since" without reading everything,
 * and every target gets its full evidence (email is where the whole story goes).
 */
import { budgetText } from './chatbot.ts';
import { formatDuration, formatTime, plural } from './format.ts';
import type { Alert, TargetAlert } from './model.ts';

/** SNS email subjects: at most 100 printable ASCII characters, no line breaks. */
export function emailSubject(alert: Alert): string {
  const ascii = alert.title
    .replace(/[^\x20-\x7E]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

export function renderEmail(alert: Alert): string {
  const out: string[] = [alert.title, '='.repeat(Math.min(alert.title.length, 72)), '', alert.headline, ''];
  out.push(field('Status', alert.status));
  out.push(field('Registry', alert.group));
  out.push(field('Opened', formatTime(alert.openedAt)));
  if (alert.durationMs !== null) {
    out.push(field(alert.kind === 'recovered' ? 'Lasted' : 'Open for', formatDuration(alert.durationMs)));
  }
  if (alert.dashboardUrl) out.push(field('Dashboard', alert.dashboardUrl));
  out.push('');

  if (alert.failing.length > 0 || alert.omitted > 0) {
    out.push(`FAILING (${alert.failing.length + alert.omitted})`, '');
    for (const target of alert.failing) out.push(...targetSection(target), '');
    if (alert.omitted > 0) out.push(`+${alert.omitted} more`, '');
  }
  if (alert.recovered.length + alert.recoveredOmitted > 0) {
    out.push(`RECOVERED (${alert.recovered.length + alert.recoveredOmitted})`, '');
    for (const target of alert.recovered)
      out.push(`  - ${target.target}${target.ref ? ` (${target.ref})` : ''}`);
    if (alert.recoveredOmitted > 0) out.push(`  +${alert.recoveredOmitted} more`);
    out.push('');
  }
  out.push('--', `Incident thread: ${alert.threadId}`, `Sent by registry-canary at ${formatTime(alert.at)}`);
  return out.join('\n');
}

function targetSection(target: TargetAlert): string[] {
  const lines = [`* ${target.target}${target.ref ? ` (${target.ref})` : ''}`];
  lines.push(field('Where', target.scope.text, 4));
  if (target.since) {
    const runs =
      target.consecutiveFailures > 0 ? ` (${plural(target.consecutiveFailures, 'failed run')} in a row)` : '';
    lines.push(field('Since', `${formatTime(target.since)}${runs}`, 4));
  }
  if (target.code)
    lines.push(field('Diagnosis', `${target.code}${target.summary ? ` - ${target.summary}` : ''}`, 4));
  if (target.otherDiagnoses.length > 0) lines.push(field('Elsewhere', target.otherDiagnoses.join('; '), 4));
  if (target.alarmReason) lines.push(field('Alarm', target.alarmReason, 4));
  // One line per region, aligned under the first: each region has its own budget and source.
  target.rateLimits.forEach((budget, i) => {
    lines.push(field(i === 0 ? 'Rate limit' : '', budgetText(budget), 4));
  });
  // Never "expires in -3 days": an expired certificate is TLS_EXPIRED, whose summary says so.
  if (target.certDaysRemaining !== null && target.certDaysRemaining >= 0 && target.code === 'CERT_EXPIRING') {
    lines.push(field('Certificate', `expires in ${target.certDaysRemaining} days`, 4));
  }
  if (target.evidence.length > 0) {
    lines.push('    Evidence:');
    for (const line of target.evidence) lines.push(`      - ${line}`);
  }
  if (target.nextSteps.length > 0) {
    lines.push('    Next steps:');
    target.nextSteps.forEach((step, i) => {
      lines.push(`      ${i + 1}. ${step}`);
    });
  }
  if (target.runbook) lines.push(field('Runbook', target.runbook, 4));
  return lines;
}

/** An empty label continues the field above, aligned under its value. */
function field(label: string, value: string, indent = 0): string {
  return `${' '.repeat(indent)}${(label ? `${label}:` : '').padEnd(12)}${value}`;
}
