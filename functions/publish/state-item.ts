/**
 * The shape of the state of record in DynamoDB: one item per target and probe region (pk target,
 * sk region), plus one item per open or recently closed incident (pk INCIDENT_PK, sk registry).
 * The regional probes write the first kind; the notifier reads them and owns the second kind.
 */
import type { ProbeResult, ProbeStatus } from '../probe/result.ts';

/**
 * A healthy, unchanged item is rewritten after this long, so the notifier can tell a live region
 * from a silent one. The default of the config's `state.heartbeatMinutes`, which feeds both the
 * probe (state.ts) and the notifier's "no recent result" age (lib/constructs/alerting.ts).
 */
export const DEFAULT_HEARTBEAT_MINUTES = 15;
/**
 * How old a region's latest result may be before that region counts as silent ("no recent
 * result"): two heartbeats (a healthy result is rewritten only that often, at most once a run)
 * plus one probe interval. The notifier's threshold (lib/constructs/alerting.ts) and
 * `registry-canary status` both read it here, so they agree on what silent means.
 */
export function staleAfterMinutes(heartbeatMinutes: number, probeIntervalMinutes: number): number {
  return 2 * Math.max(heartbeatMinutes, probeIntervalMinutes) + probeIntervalMinutes;
}

/** Items expire this long after their last write: the default of the config's `state.ttlDays`. */
export const DEFAULT_TTL_DAYS = 14;

/** Partition key of incident items. Target names may not start with '#', so it never collides. */
export const INCIDENT_PK = '#incident';

/** Cap evidence so one noisy diagnosis cannot push an item (or an alert) past its size limit. */
const MAX_EVIDENCE_LINES = 12;
const MAX_LINE_CHARS = 500;

/** The latest result of one target in one region, as stored. */
export interface TargetState {
  /** Target name (the `Target` dimension of the alarms). */
  target: string;
  region: string;
  registry: string;
  ref: string;
  status: ProbeStatus;
  /** Diagnosis code, or null when the probe was healthy or only degraded. */
  diagnosisCode: string | null;
  summary: string | null;
  evidence: string[];
  nextSteps: string[];
  runbook: string | null;
  warnings: { code: string; summary: string }[];
  /** ISO 8601: when the current status began. Preserved while the status is unchanged. */
  since: string;
  /** Probe runs in a row that ended failing; 0 while healthy or degraded. */
  consecutiveFailures: number;
  rateLimitRemaining: number | null;
  rateLimitLimit: number | null;
  /** The IP or account the registry counted the pull against (docker-ratelimit-source). */
  rateLimitSource: string | null;
  certDaysRemaining: number | null;
  /**
   * The first mirror (config order) that passed while the target failed, so the alert can say
   * first to switch to it; absent when the target passed, has no mirrors, or none passed.
   */
  healthyMirror?: string;
  /** ISO 8601: when this region last wrote the item. */
  lastSeen: string;
  /** Epoch seconds: DynamoDB deletes the item after this, so removed targets clean themselves up. */
  ttl: number;
}

/** The attributes one probe result sets, apart from the keys and the bookkeeping (since, counters, ttl). */
export function resultAttributes(result: ProbeResult): Record<string, unknown> {
  const diagnosis = result.diagnosis;
  const healthyMirror = diagnosis ? result.mirrors?.find((m) => m.status !== 'failing')?.image : undefined;
  return {
    // Only when there is one: items of targets without mirrors are written exactly as before.
    ...(healthyMirror ? { healthyMirror } : {}),
    registry: result.registry,
    ref: result.ref,
    status: result.status,
    diagnosisCode: diagnosis?.code ?? null,
    summary: diagnosis?.summary ?? result.warnings[0]?.summary ?? null,
    evidence: capLines(diagnosis?.evidence ?? []),
    // A degraded result's own steps and runbook are those of its first warning.
    nextSteps: capLines(diagnosis?.nextSteps ?? result.warnings[0]?.nextSteps ?? []),
    runbook: diagnosis?.runbook ?? result.warnings[0]?.runbook ?? null,
    warnings: result.warnings.map((w) => ({ code: w.code, summary: truncate(w.summary) })),
    rateLimitRemaining: result.rateLimit?.remaining ?? null,
    rateLimitLimit: result.rateLimit?.limit ?? null,
    rateLimitSource: result.rateLimit?.source ?? null,
    certDaysRemaining: result.tls?.daysRemaining ?? null,
    durationMs: Math.round(result.durationMs),
  };
}

/** Reads a stored item back, tolerating items written by older versions (missing attributes). */
export function toTargetState(item: Record<string, unknown>): TargetState {
  const str = (k: string): string | null => (typeof item[k] === 'string' ? (item[k] as string) : null);
  const num = (k: string): number | null => (typeof item[k] === 'number' ? (item[k] as number) : null);
  const list = (k: string): string[] =>
    Array.isArray(item[k]) ? (item[k] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  const warnings = Array.isArray(item['warnings'])
    ? (item['warnings'] as unknown[]).flatMap((w) =>
        w && typeof w === 'object' && typeof (w as { code?: unknown }).code === 'string'
          ? [
              {
                code: String((w as { code: string }).code),
                summary: String((w as { summary?: unknown }).summary ?? ''),
              },
            ]
          : [],
      )
    : [];
  const status = str('status');
  return {
    target: str('pk') ?? '',
    region: str('sk') ?? '',
    registry: str('registry') ?? '',
    ref: str('ref') ?? '',
    status: status === 'healthy' || status === 'degraded' || status === 'failing' ? status : 'failing',
    diagnosisCode: str('diagnosisCode'),
    summary: str('summary'),
    evidence: list('evidence'),
    nextSteps: list('nextSteps'),
    runbook: str('runbook'),
    warnings,
    since: str('since') ?? str('lastSeen') ?? '',
    consecutiveFailures: num('consecutiveFailures') ?? 0,
    rateLimitRemaining: num('rateLimitRemaining'),
    rateLimitLimit: num('rateLimitLimit'),
    rateLimitSource: str('rateLimitSource'),
    certDaysRemaining: num('certDaysRemaining'),
    ...(str('healthyMirror') ? { healthyMirror: str('healthyMirror')! } : {}),
    lastSeen: str('lastSeen') ?? '',
    ttl: num('ttl') ?? 0,
  };
}

function capLines(lines: string[]): string[] {
  const kept = lines.slice(0, MAX_EVIDENCE_LINES).map(truncate);
  if (lines.length > MAX_EVIDENCE_LINES) kept.push(`+${lines.length - MAX_EVIDENCE_LINES} more`);
  return kept;
}

function truncate(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line;
}
