/**
 * The notifier's settings, read once at cold start from its environment (set by the alerting
 * construct). A missing required variable fails loudly, naming it.
 */
import { DEFAULT_HOLD_BACK_MS } from './pending.ts';

export interface NotifierConfig {
  table: string;
  topicArn: string;
  /** The deployment's probe regions, so "2 of 3 regions" counts a region that sent nothing. */
  probeRegions: string[];
  reminderMinutes: number;
  /** An update to an incident notified less than this long ago waits (pending.ts). @default 120 */
  holdBackSeconds: number;
  staleAfterMinutes: number;
  dashboardUrl: string | null;
  runbookBaseUrl: string | undefined;
}

export const NotifierEnv = {
  table: 'STATE_TABLE_NAME',
  topicArn: 'NOTIFICATION_TOPIC_ARN',
  probeRegions: 'PROBE_REGIONS',
  reminderMinutes: 'REMINDER_MINUTES',
  holdBackSeconds: 'UPDATE_HOLD_BACK_SECONDS',
  staleAfterMinutes: 'STALE_AFTER_MINUTES',
  dashboardUrl: 'DASHBOARD_URL',
  runbookBaseUrl: 'RUNBOOK_BASE_URL',
} as const;

export function readNotifierConfig(env: NodeJS.ProcessEnv): NotifierConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`Environment variable ${name} is required`);
    return value;
  };
  const amount = (name: string, fallback: number, unit: 'minutes' | 'seconds'): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`Environment variable ${name} must be a number of ${unit}, got "${raw}"`);
    return value;
  };
  const minutes = (name: string, fallback: number) => amount(name, fallback, 'minutes');
  return {
    table: required(NotifierEnv.table),
    topicArn: required(NotifierEnv.topicArn),
    probeRegions: required(NotifierEnv.probeRegions)
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    reminderMinutes: minutes(NotifierEnv.reminderMinutes, 60),
    holdBackSeconds: amount(NotifierEnv.holdBackSeconds, DEFAULT_HOLD_BACK_MS / 1000, 'seconds'),
    staleAfterMinutes: minutes(NotifierEnv.staleAfterMinutes, 40),
    dashboardUrl: env[NotifierEnv.dashboardUrl] || null,
    runbookBaseUrl: env[NotifierEnv.runbookBaseUrl] || undefined,
  };
}
