/**
 * Groups the alarms in ALARM into the incidents a person would open, from the alarms' kinds (the
 * alarm catalog) and every region's latest result (the state table). Pure.
 *
 *   1. A region whose probe stopped (ProbeSilent) is one incident, `probe:<region>`; a target that
 *      only misses results from such a region (TargetSilent) belongs to it, not to an alert of its own.
 *   2. A target that fails in exactly one region, when targets of two or more registries fail only
 *      from that same region, is part of a regional fault, `region:<region>`: the probe's network
 *      there, not the registries. Once so grouped it stays while it still fails only there, so a
 *      regional incident does not fall apart when the first registry recovers.
 *   3. Otherwise a target whose diagnosis is about its image (NAME_UNKNOWN, ...) is its own
 *      incident, `target:<name>`; the rest fail with their registry, `registry:<host>` (one registry
 *      from one or several regions: an outage, a credential problem).
 *   4. Warnings (slow, low pull budget, a target some live region sent nothing for) are
 *      `degraded:<host>`; an expiring certificate `certificate:<host>`; an alarm we did not make, or
 *      that names no target, `alarm:<name>`.
 * A target with a failing alarm is only in its failing incident, whatever warnings it also has.
 */

import type { AlarmSeverity } from '../alarm-catalog.ts';
import type { ActiveAlarm } from '../state-incident.ts';
import type { TargetState } from '../state-item.ts';
import { CAUSES, type CauseKind, causeKey, IMAGE_CODES } from './causes.ts';
import { describeScope } from './scope.ts';

export interface Group {
  key: string;
  cause: CauseKind;
  subject: string;
  severity: AlarmSeverity;
  members: string[];
}

export interface ClassifyInput {
  alarms: Readonly<Record<string, ActiveAlarm>>;
  states: ReadonlyMap<string, readonly TargetState[]>;
  /** Each target's registry host from synth, for a target with no state row yet. */
  targetRegistries: ReadonlyMap<string, string>;
  expectedRegions: readonly string[];
  now: Date;
  staleAfterMs: number;
  /** The key each member's open incident has now: keeps a regional fault together (rule 2). */
  previousKeys: ReadonlyMap<string, string>;
}

export function classify(input: ClassifyInput): Group[] {
  const groups = new Map<string, Group>();
  const add = (kind: CauseKind, subject: string, member: string) => {
    const key = causeKey(kind, subject);
    const group = groups.get(key) ?? {
      key,
      cause: kind,
      subject,
      severity: CAUSES[kind].severity,
      members: [],
    };
    if (!group.members.includes(member)) group.members.push(member);
    groups.set(key, group);
  };

  const byMember = new Map<string, ActiveAlarm[]>();
  for (const alarm of Object.values(input.alarms)) {
    byMember.set(alarm.member, [...(byMember.get(alarm.member) ?? []), alarm]);
  }
  const stoppedRegions = new Set(
    Object.values(input.alarms).flatMap((a) => (a.kind === 'ProbeSilent' && a.subject ? [a.subject] : [])),
  );

  const failingTargets: { target: string; registry: string; regions: string[]; code: string | null }[] = [];
  for (const [member, alarms] of byMember) {
    const target = alarms.find((a) => a.target)?.target ?? null;
    if (!target) {
      // Alarms about a region, a registry or the canary: their kind says which incident.
      for (const alarm of alarms) {
        if (alarm.kind === 'ProbeSilent' && alarm.subject) add('probe', alarm.subject, member);
        else if (alarm.kind === 'CertificateExpiring' && alarm.subject)
          add('certificate', hostOfSubject(alarm.subject), member);
        else add('alarm', member, member);
      }
      continue;
    }
    const states = input.states.get(target) ?? [];
    const registry = registryOf(target, states, input.targetRegistries);
    const kinds = new Set(alarms.map((a) => a.kind));
    // An alarm with a target that the catalog does not know is read as failing: never dropped.
    const critical = kinds.has('FailingInAnyRegion') || kinds.has('FailingInManyRegions') || kinds.has(null);
    if (critical) {
      const scope = describeScope(states, input.expectedRegions, input.now, input.staleAfterMs);
      const primary = states
        .filter((s) => scope.failing.includes(s.region))
        .sort((a, b) => a.since.localeCompare(b.since))[0];
      failingTargets.push({ target, registry, regions: scope.failing, code: primary?.diagnosisCode ?? null });
      continue;
    }
    if (kinds.has('TargetSilent') && stoppedRegions.size > 0) {
      const scope = describeScope(states, input.expectedRegions, input.now, input.staleAfterMs);
      const stopped = scope.silent.filter((r) => stoppedRegions.has(r));
      // Silent only where the probe stopped: the probe's incident says it, once for every target.
      if (stopped.length > 0 && scope.silent.every((r) => stoppedRegions.has(r))) {
        add('probe', stopped[0] as string, target);
        continue;
      }
    }
    add('degraded', registry, target);
  }

  // Rule 2: regional faults, before the registries take what is left.
  const multiRegion = input.expectedRegions.length > 1;
  const regional = new Map<string, Set<string>>();
  if (multiRegion) {
    const onlyIn = new Map<string, typeof failingTargets>();
    for (const t of failingTargets) {
      if (t.regions.length !== 1) continue;
      const region = t.regions[0] as string;
      onlyIn.set(region, [...(onlyIn.get(region) ?? []), t]);
    }
    for (const [region, targets] of onlyIn) {
      const registries = new Set(targets.map((t) => t.registry));
      const key = causeKey('region', region);
      for (const t of targets) {
        if (registries.size >= 2 || input.previousKeys.get(t.target) === key) {
          regional.set(t.target, new Set([region]));
        }
      }
    }
  }
  for (const t of failingTargets) {
    const region = regional.get(t.target);
    if (region) add('region', [...region][0] as string, t.target);
    else if (t.code && IMAGE_CODES.has(t.code)) add('target', t.target, t.target);
    else add('registry', t.registry, t.target);
  }

  for (const group of groups.values()) group.members.sort();
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export function registryOf(
  target: string,
  states: readonly TargetState[],
  targetRegistries: ReadonlyMap<string, string>,
): string {
  return states.find((s) => s.registry)?.registry || targetRegistries.get(target) || target;
}

/** The certificate alarm's subject is the host with its port's ':' as '_' (fleet-alarms.ts). */
export function hostOfSubject(subject: string): string {
  return subject.replace(/_(\d+)$/, ':$1');
}
