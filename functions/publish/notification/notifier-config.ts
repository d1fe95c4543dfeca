/**
 * The notifier's settings, read once at cold start from its environment (set by the alerting
 * construct). A missing required variable fails loudly, naming it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALERT_TOPIC_NAMES, ALERT_TOPICS, type AlertTopic, type AlertTopicArns } from './alert-topics.ts';
import { DEFAULT_HOLD_BACK_MS } from './pending.ts';

/**
 * Target → registry host (and owner), written at synth into the notifier's bundle: a file, not a
 * variable, because Lambda caps the whole environment at 4 KB and a fleet's names would pass it.
 * Each value is the host, or `{ "registry": host, "owner": team }`.
 */
export const TARGET_REGISTRIES_FILE_NAME = 'target-registries.json';

export interface NotifierConfig {
  table: string;
  /** Each format's notification topic (alert-topics.ts): every one is required. */
  topicArns: AlertTopicArns;
  /** The deployment's probe regions, so "2 of 3 regions" counts a region that sent nothing. */
  probeRegions: string[];
  reminderMinutes: number;
  /** An update to an incident notified less than this long ago waits (pending.ts). @default 120 */
  holdBackSeconds: number;
  staleAfterMinutes: number;
  dashboardUrl: string | null;
  runbookBaseUrl: string | undefined;
  /** Each target's registry host, known at synth: groups a target the state table has no row for. */
  targetRegistries: Map<string, string>;
  /** Each target's owner, known at synth: named in its alerts and in the `owner` message attribute. */
  targetOwners: Map<string, string>;
}

export const NotifierEnv = {
  table: 'STATE_TABLE_NAME',
  probeRegions: 'PROBE_REGIONS',
  reminderMinutes: 'REMINDER_MINUTES',
  holdBackSeconds: 'UPDATE_HOLD_BACK_SECONDS',
  staleAfterMinutes: 'STALE_AFTER_MINUTES',
  dashboardUrl: 'DASHBOARD_URL',
  runbookBaseUrl: 'RUNBOOK_BASE_URL',
  targetRegistriesFile: 'TARGET_REGISTRIES_FILE',
} as const;

export function readNotifierConfig(
  env: NodeJS.ProcessEnv,
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): NotifierConfig {
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
    topicArns: Object.fromEntries(
      ALERT_TOPIC_NAMES.map((format) => [format, required(ALERT_TOPICS[format].env)]),
    ) as Record<AlertTopic, string>,
    probeRegions: required(NotifierEnv.probeRegions)
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    reminderMinutes: minutes(NotifierEnv.reminderMinutes, 60),
    holdBackSeconds: amount(NotifierEnv.holdBackSeconds, DEFAULT_HOLD_BACK_MS / 1000, 'seconds'),
    staleAfterMinutes: minutes(NotifierEnv.staleAfterMinutes, 40),
    dashboardUrl: env[NotifierEnv.dashboardUrl] || null,
    runbookBaseUrl: env[NotifierEnv.runbookBaseUrl] || undefined,
    ...readTargetRegistries(env[NotifierEnv.targetRegistriesFile], readFile),
  };
}

/** Without the file every target is grouped by its state alone; a file that is there must be valid. */
function readTargetRegistries(
  name: string | undefined,
  readFile: (file: string) => string,
): { targetRegistries: Map<string, string>; targetOwners: Map<string, string> } {
  const targetRegistries = new Map<string, string>();
  const targetOwners = new Map<string, string>();
  if (!name) return { targetRegistries, targetOwners };
  const file = path.resolve(name);
  let raw: unknown;
  try {
    raw = JSON.parse(readFile(file));
  } catch (error) {
    throw new Error(`Cannot read the target registries file ${file}`, { cause: error });
  }
  const invalid = () =>
    new Error(
      `Invalid target registries file ${file}: expected an object of target name to registry host, or to { "registry": host, "owner": team }`,
    );
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid();
  for (const [target, value] of Object.entries(raw)) {
    if (typeof value === 'string' && value !== '') {
      targetRegistries.set(target, value);
      continue;
    }
    const entry = value as { registry?: unknown; owner?: unknown } | null;
    if (!entry || typeof entry !== 'object' || typeof entry.registry !== 'string' || entry.registry === '')
      throw invalid();
    if (entry.owner !== undefined && (typeof entry.owner !== 'string' || entry.owner === '')) throw invalid();
    targetRegistries.set(target, entry.registry);
    if (typeof entry.owner === 'string') targetOwners.set(target, entry.owner);
  }
  return { targetRegistries, targetOwners };
}
