/**
 * The PagerDuty channel (delivery.ts), Events API v2: an incident's opening, updates and reminders
 * are `trigger` events and its recovery (or merge into another incident) a `resolve`, all with the
 * incident's id as `dedup_key`. PagerDuty applies later events with the same key to the open
 * alert, so an update or a reminder adds to the page instead of paging again, and a re-grouped
 * incident keeps its page (the id survives re-grouping).
 *
 * PagerDuty's rules (Events API v2, PagerDuty/developer-docs docs/events-API-v2/02-Trigger-Events.md
 * and 01-Overview.md): POST https://events.pagerduty.com/v2/enqueue; `routing_key` (the 32-character
 * integration key) and `event_action` (trigger, acknowledge, resolve) required; `dedup_key` at most
 * 255 characters; `payload.summary` (at most 1024 characters), `payload.source` and
 * `payload.severity` (critical, error, warning, info) required for a trigger; a resolve needs only
 * the key and the action, and is dropped unless sent with the trigger's routing key; payloads at
 * most 512 KB; 202 accepted, 400 not to be retried, 429 and 5xx to be retried.
 *
 * The routing key is a credential: it lives in Secrets Manager and goes only into the request body.
 */
import { createHash } from 'node:crypto';
import type { SNSEventRecord } from 'aws-lambda';
import type { AlarmTransition } from './alarm-event.ts';
import {
  type AlertChannel,
  DeliveryError,
  type DeliveryLogger,
  deliverAll,
  type HttpDeps,
  postJson,
  requireHttps,
} from './delivery.ts';
import type { Alert } from './model.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const MAX_DEDUP_KEY_CHARS = 255;
export const MAX_SUMMARY_CHARS = 1_024;
export const MAX_EVENT_BYTES = 512 * 1024;
/** Diagnoses and names in custom_details: enough for triage; the links lead to the rest. */
const MAX_DETAIL_GROUPS = 10;
const MAX_DETAIL_NAMES = 25;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
  client?: string;
  client_url?: string;
}

export interface PagerDutyDeps extends HttpDeps {
  /** The Events API v2 integration (routing) key, from Secrets Manager. */
  routingKey: () => Promise<string>;
  /** The incident severities that page; the others are not sent. @default ['critical'] */
  severities?: readonly ('critical' | 'warning')[];
  /** @default PAGERDUTY_EVENTS_URL (tests point it at loopback) */
  url?: string;
  logger: DeliveryLogger;
}

/** A dedup key within PagerDuty's 255 characters: the incident id, or a prefix and its hash. */
export function dedupKeyOf(id: string): string {
  if (id.length <= MAX_DEDUP_KEY_CHARS) return id;
  const hash = createHash('sha256').update(id).digest('hex');
  return `${id.slice(0, MAX_DEDUP_KEY_CHARS - hash.length - 1)}#${hash}`;
}

/** The event for an alert, without the routing key; null when its severity does not page here. */
export function pagerDutyEventOf(
  alert: Alert,
  severities: readonly ('critical' | 'warning')[] = ['critical'],
): Omit<PagerDutyEvent, 'routing_key'> | null {
  if (!severities.includes(alert.severity)) return null;
  const dedup_key = dedupKeyOf(alert.incidentId);
  if (alert.status === 'OK') return { event_action: 'resolve', dedup_key };
  const event: Omit<PagerDutyEvent, 'routing_key'> = {
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: clip(`${alert.title} | ${alert.scopeLine}`, MAX_SUMMARY_CHARS),
      source:
        `registry-canary: ${alert.registries.length > 0 ? alert.registries.join(', ') : alert.subject}`.slice(
          0,
          255,
        ),
      // Our critical is PagerDuty's critical, our warning its warning (info never triggers: it resolves).
      severity: alert.severity === 'critical' ? 'critical' : 'warning',
      timestamp: alert.at,
      component: (alert.registries.join(', ') || alert.subject).slice(0, 255),
      group: alert.owners.join(', ') || 'unowned',
      class: alert.code ?? alert.cause,
      custom_details: details(alert, MAX_DETAIL_GROUPS),
    },
    links: linksOf(alert),
    client: 'registry-canary',
    ...(alert.links.dashboard ? { client_url: alert.links.dashboard } : {}),
  };
  // The 512 KB limit: drop the diagnoses' detail (the links keep the way to it) if a burst is that large.
  if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES - 1_024 && event.payload) {
    event.payload.custom_details = details(alert, 0);
  }
  return event;
}

function details(alert: Alert, groups: number): Record<string, unknown> {
  const names = (list: readonly string[]) =>
    list.length <= MAX_DETAIL_NAMES
      ? list
      : [...list.slice(0, MAX_DETAIL_NAMES), `+${list.length - MAX_DETAIL_NAMES} more`];
  return {
    scope: alert.scopeLine,
    headline: alert.headline,
    event: alert.event,
    owner: alert.owners,
    registries: alert.registries,
    failing_regions: alert.regions.failing,
    failing_targets: alert.failingCount,
    first_steps: alert.firstSteps,
    ...(alert.changes ? { changes: alert.changes } : {}),
    ...(alert.probe ? { probe: alert.probe } : {}),
    diagnoses: alert.groups.slice(0, groups).map((g) => ({
      code: g.code,
      summary: g.summary,
      targets: names(g.targets.map((t) => t.target)),
      where: g.scope.text,
      evidence: g.evidence.slice(0, 5),
      next_steps: g.nextSteps,
      runbook: g.runbook,
    })),
    ...(alert.groups.length > groups ? { more_diagnoses: alert.groups.length - groups } : {}),
    // Failing targets not named here (left out of the SNS message, or past the groups shown): the links have them.
    targets_not_listed: Math.max(
      0,
      alert.failingCount -
        alert.groups.slice(0, groups).reduce((n, g) => n + Math.min(g.targets.length, MAX_DETAIL_NAMES), 0),
    ),
  };
}

function linksOf(alert: Alert): { href: string; text: string }[] {
  return [
    ...(alert.links.runbook ? [{ href: alert.links.runbook, text: 'Runbook' }] : []),
    ...alert.links.logs.slice(0, 3).map((l) => ({ href: l.url, text: `${l.label} (${l.region})` })),
    ...(alert.links.probe
      ? [
          { href: alert.links.probe.deadLetterQueues, text: 'Probe dead-letter queues' },
          { href: alert.links.probe.logGroup, text: 'Probe logs' },
          { href: alert.links.probe.schedules, text: 'Probe schedules' },
        ]
      : []),
    ...alert.links.alarms.slice(0, 2).map((a) => ({ href: a.url, text: `Alarm ${a.name}` })),
    ...(alert.links.dashboard ? [{ href: alert.links.dashboard, text: 'Dashboard' }] : []),
  ];
}

/** The notifier's own dead-letter alarm (a plain CloudWatch alarm): it pages, and resolves on OK. */
export function pagerDutyAlarmEventOf(alarm: AlarmTransition): Omit<PagerDutyEvent, 'routing_key'> | null {
  const dedup_key = dedupKeyOf(`registry-canary/alarm/${alarm.alarmName}`);
  if (alarm.newState === 'OK') return { event_action: 'resolve', dedup_key };
  if (alarm.newState !== 'ALARM') return null;
  return {
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: clip(`ALARM: ${alarm.alarmName} | ${alarm.description}`, MAX_SUMMARY_CHARS),
      source: 'registry-canary',
      severity: 'critical',
      timestamp: alarm.at,
      class: alarm.kind ?? 'alarm',
      custom_details: { reason: alarm.reason, description: alarm.description },
    },
    client: 'registry-canary',
  };
}

export function pagerDutyChannel(
  deps: Omit<PagerDutyDeps, 'logger'>,
): AlertChannel<Omit<PagerDutyEvent, 'routing_key'>> {
  return {
    name: 'pagerduty',
    render: (item) =>
      item.alert ? pagerDutyEventOf(item.alert, deps.severities) : pagerDutyAlarmEventOf(item.alarm),
    send: (event) => sendEvent(event, deps),
  };
}

export async function deliverToPagerDuty(
  records: readonly SNSEventRecord[],
  deps: PagerDutyDeps,
): Promise<number> {
  return deliverAll(records, pagerDutyChannel(deps), deps.logger);
}

async function sendEvent(
  event: Omit<PagerDutyEvent, 'routing_key'>,
  deps: Omit<PagerDutyDeps, 'logger'>,
): Promise<void> {
  const service = 'PagerDuty Events API';
  const url = requireHttps(service, deps.url ?? PAGERDUTY_EVENTS_URL);
  const routingKey = parseRoutingKey(await deps.routingKey());
  const reply = await postJson(service, url, { routing_key: routingKey, ...event }, {}, deps);
  if (reply.status === 202) return;
  // PagerDuty's answer names the problem ("Event object is invalid", errors: [...]); it never echoes the key.
  const reason = reply.body.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no reason given';
  throw new DeliveryError(service, reply.status, reason, reply.status === 429 || reply.status >= 500);
}

/** The secret holds the key, bare or as JSON {"routingKey": "..."}; 32 characters (PagerDuty's docs). */
export function parseRoutingKey(secret: string): string {
  let candidate = secret.trim();
  if (candidate.startsWith('{')) {
    try {
      const json = JSON.parse(candidate) as Record<string, unknown>;
      candidate = String(json['routingKey'] ?? json['routing_key'] ?? json['integrationKey'] ?? '');
    } catch {
      throw new DeliveryError(
        'PagerDuty Events API',
        null,
        'the secret is neither a key nor JSON with "routingKey"',
        false,
      );
    }
  }
  if (!/^[A-Za-z0-9]{32}$/.test(candidate)) {
    throw new DeliveryError(
      'PagerDuty Events API',
      null,
      'the secret does not hold a 32-character integration key',
      false,
    );
  }
  return candidate;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
