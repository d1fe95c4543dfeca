import { describe, expect, it } from 'vitest';
import { alarmName } from '../../../../functions/publish/alarm-catalog.ts';
import { classify, hostOfSubject } from '../../../../functions/publish/notification/classify.ts';
import type { ActiveAlarm } from '../../../../functions/publish/state-incident.ts';
import type { TargetState } from '../../../../functions/publish/state-item.ts';

const NOW = new Date('2026-11-22T10:30:00.000Z');
const REGIONS = ['ap-southeast-1', 'eu-west-1', 'us-east-1'];

function state(
  target: string,
  registry: string,
  region: string,
  status: TargetState['status'],
  code: string | null = null,
): TargetState {
  return {
    target,
    region,
    registry,
    ref: `${registry}/${target}:1`,
    status,
    diagnosisCode: status === 'failing' ? (code ?? 'TIMEOUT') : null,
    summary: null,
    evidence: [],
    nextSteps: [],
    runbook: null,
    warnings: [],
    since: '2026-11-22T10:00:00.000Z',
    consecutiveFailures: 1,
    rateLimitRemaining: null,
    rateLimitLimit: null,
    rateLimitSource: null,
    certDaysRemaining: null,
    lastSeen: '2026-11-22T10:25:00.000Z',
    ttl: 0,
  };
}

/** A target failing (with `code`) in `failingIn`, healthy elsewhere. */
function fleet(entries: [target: string, registry: string, failingIn: string[], code?: string][]) {
  const states = new Map<string, TargetState[]>();
  const alarms: Record<string, ActiveAlarm> = {};
  for (const [target, registry, failingIn, code] of entries) {
    states.set(
      target,
      REGIONS.map((r) =>
        state(target, registry, r, failingIn.includes(r) ? 'failing' : 'healthy', code ?? null),
      ),
    );
    const name = alarmName('FailingInAnyRegion', target);
    alarms[name] = {
      member: target,
      target,
      kind: 'FailingInAnyRegion',
      subject: target,
      since: NOW.toISOString(),
      arn: null,
    };
  }
  return { states, alarms };
}

const input = (f: ReturnType<typeof fleet>, previousKeys = new Map<string, string>()) => ({
  alarms: f.alarms,
  states: f.states,
  targetRegistries: new Map<string, string>(),
  expectedRegions: REGIONS,
  now: NOW,
  staleAfterMs: 40 * 60_000,
  previousKeys,
});

describe('classify', () => {
  it('groups targets of one registry failing in several regions as one registry incident', () => {
    const groups = classify(
      input(
        fleet([
          ['a', 'ghcr.io', REGIONS],
          ['b', 'ghcr.io', ['eu-west-1', 'us-east-1']],
        ]),
      ),
    );
    expect(groups.map((g) => [g.key, g.members])).toEqual([['registry:ghcr.io', ['a', 'b']]]);
  });

  it('calls two registries failing only from one region a regional fault', () => {
    const groups = classify(
      input(
        fleet([
          ['a', 'ghcr.io', ['eu-west-1']],
          ['b', 'quay.io', ['eu-west-1']],
        ]),
      ),
    );
    expect(groups.map((g) => [g.key, g.members, g.severity])).toEqual([
      ['region:eu-west-1', ['a', 'b'], 'critical'],
    ]);
  });

  it('does not call one registry failing from one region a regional fault (it may be that registry’s edge)', () => {
    const groups = classify(
      input(
        fleet([
          ['a', 'ghcr.io', ['eu-west-1']],
          ['b', 'ghcr.io', ['eu-west-1']],
        ]),
      ),
    );
    expect(groups.map((g) => g.key)).toEqual(['registry:ghcr.io']);
  });

  it('keeps a target in its regional incident while it still fails only there, after the other registry recovered', () => {
    const groups = classify(
      input(fleet([['a', 'ghcr.io', ['eu-west-1']]]), new Map([['a', 'region:eu-west-1']])),
    );
    expect(groups.map((g) => g.key)).toEqual(['region:eu-west-1']);
  });

  it('never calls anything regional in a single-region deployment', () => {
    const f = fleet([
      ['a', 'ghcr.io', ['eu-west-1']],
      ['b', 'quay.io', ['eu-west-1']],
    ]);
    const groups = classify({ ...input(f), expectedRegions: ['eu-west-1'] });
    expect(groups.map((g) => g.key)).toEqual(['registry:ghcr.io', 'registry:quay.io']);
  });

  it('makes an image problem its own incident, apart from its registry’s other failures', () => {
    const groups = classify(
      input(
        fleet([
          ['gone', 'ghcr.io', REGIONS, 'NAME_UNKNOWN'],
          ['b', 'ghcr.io', REGIONS, 'REGISTRY_UNAVAILABLE'],
        ]),
      ),
    );
    expect(groups.map((g) => [g.key, g.members])).toEqual([
      ['registry:ghcr.io', ['b']],
      ['target:gone', ['gone']],
    ]);
  });

  it('puts the targets a stopped probe left without results into the probe’s incident, once for the region', () => {
    const f = fleet([]);
    for (const [t, r] of [
      ['a', 'ghcr.io'],
      ['b', 'quay.io'],
    ] as const) {
      f.states.set(t, [
        state(t, r, 'ap-southeast-1', 'healthy'),
        { ...state(t, r, 'eu-west-1', 'healthy'), lastSeen: '2026-11-22T09:00:00.000Z' },
        state(t, r, 'us-east-1', 'healthy'),
      ]);
      f.alarms[alarmName('TargetSilent', t)] = {
        member: t,
        target: t,
        kind: 'TargetSilent',
        subject: t,
        since: NOW.toISOString(),
        arn: null,
      };
    }
    const probe = alarmName('ProbeSilent', 'eu-west-1');
    f.alarms[probe] = {
      member: probe,
      target: null,
      kind: 'ProbeSilent',
      subject: 'eu-west-1',
      since: NOW.toISOString(),
      arn: null,
    };

    const groups = classify(input(f));

    expect(groups.map((g) => [g.key, g.members])).toEqual([['probe:eu-west-1', [probe, 'a', 'b'].sort()]]);
  });

  it('keeps a target silent from a region whose probe runs as a warning of its own', () => {
    const f = fleet([]);
    f.states.set('a', [
      state('a', 'ghcr.io', 'ap-southeast-1', 'healthy'),
      state('a', 'ghcr.io', 'us-east-1', 'healthy'),
    ]);
    f.alarms[alarmName('TargetSilent', 'a')] = {
      member: 'a',
      target: 'a',
      kind: 'TargetSilent',
      subject: 'a',
      since: NOW.toISOString(),
      arn: null,
    };
    const probe = alarmName('ProbeSilent', 'us-east-1');
    f.alarms[probe] = {
      member: probe,
      target: null,
      kind: 'ProbeSilent',
      subject: 'us-east-1',
      since: NOW.toISOString(),
      arn: null,
    };

    const groups = classify(input(f));

    expect(groups.find((g) => g.members.includes('a'))).toMatchObject({
      key: 'degraded:ghcr.io',
      severity: 'warning',
    });
  });

  it('files a certificate alarm under its registry host, port restored', () => {
    const name = alarmName('CertificateExpiring', 'registry.example.com_5000');
    const groups = classify(
      input({
        states: new Map(),
        alarms: {
          [name]: {
            member: name,
            target: null,
            kind: 'CertificateExpiring',
            subject: 'registry.example.com_5000',
            since: NOW.toISOString(),
            arn: null,
          },
        },
      }),
    );
    expect(groups.map((g) => [g.key, g.severity])).toEqual([
      ['certificate:registry.example.com:5000', 'warning'],
    ]);
    expect(hostOfSubject('host_name_5000')).toBe('host_name:5000');
  });

  it('files a failing target only under its failure, not also under its warnings', () => {
    const f = fleet([['a', 'ghcr.io', REGIONS]]);
    f.alarms[alarmName('LatencyDegraded', 'a')] = {
      member: 'a',
      target: 'a',
      kind: 'LatencyDegraded',
      subject: 'a',
      since: NOW.toISOString(),
      arn: null,
    };
    expect(classify(input(f)).map((g) => g.key)).toEqual(['registry:ghcr.io']);
  });
});
