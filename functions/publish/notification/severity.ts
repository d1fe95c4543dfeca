/**
 * Severities as data: how each looks, and how often an open incident of that severity is reminded.
 * Critical is failing (pulls break), warning is degraded (slow, low pull budget, a certificate that
 * expires soon), info is news that needs no action (a recovery, an incident merged into another).
 *
 * Reminders back off: a critical incident is reminded after `reminderMinutes`, then after twice
 * that, four times, ... up to a day between reminders, and at most MAX_CRITICAL_REMINDERS times (an
 * outage nobody fixes in a week is not news any more; its thread and the dashboard still say it).
 * A warning is reminded at most daily, for a week.
 */
import type { AlarmSeverity } from '../alarm-catalog.ts';

export type MessageSeverity = AlarmSeverity | 'info';

export interface ReminderPolicy {
  /** Minutes from the opening to the first reminder. */
  firstAfterMinutes: number;
  /** Each interval is this many times the last. */
  backoff: number;
  maxIntervalMinutes: number;
  maxReminders: number;
}

export interface SeverityLook {
  /** Slack / Amazon Q emoji shortcode. */
  emoji: string;
  /** Slack attachment-free colour cue in text: the word a phone notification shows first. */
  word: string;
}

export const SEVERITY_LOOK: Record<MessageSeverity, SeverityLook> = {
  critical: { emoji: ':rotating_light:', word: 'CRITICAL' },
  warning: { emoji: ':warning:', word: 'WARNING' },
  info: { emoji: ':white_check_mark:', word: 'INFO' },
};

const DAY_MINUTES = 24 * 60;
export const MAX_CRITICAL_REMINDERS = 8;
export const MAX_WARNING_REMINDERS = 7;

/** The reminder policy of a severity; null when reminders are off (`reminderMinutes` 0). */
export function reminderPolicy(severity: AlarmSeverity, reminderMinutes: number): ReminderPolicy | null {
  if (reminderMinutes <= 0) return null;
  if (severity === 'critical') {
    return {
      firstAfterMinutes: reminderMinutes,
      backoff: 2,
      maxIntervalMinutes: Math.max(DAY_MINUTES, reminderMinutes),
      maxReminders: MAX_CRITICAL_REMINDERS,
    };
  }
  // Warnings: at most daily, whatever reminderMinutes says.
  const daily = Math.max(DAY_MINUTES, reminderMinutes);
  return {
    firstAfterMinutes: daily,
    backoff: 1,
    maxIntervalMinutes: daily,
    maxReminders: MAX_WARNING_REMINDERS,
  };
}

/** Minutes between reminder `n` (0-based: 0 is the first, counted from the opening) and the one before. */
export function reminderIntervalMinutes(policy: ReminderPolicy, n: number): number {
  return Math.min(policy.firstAfterMinutes * policy.backoff ** n, policy.maxIntervalMinutes);
}
