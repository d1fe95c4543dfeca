import { describe, expect, it } from 'vitest';
import {
  ALARM_KIND_LIST,
  ALARM_KINDS,
  type AlarmKind,
  alarmKindOf,
  alarmName,
  windowOf,
} from '../../../functions/publish/alarm-catalog.ts';

describe('the alarm catalog', () => {
  it('never treats missing data as breaching: no alarm may fire before its first datapoint', () => {
    for (const spec of ALARM_KIND_LIST) expect(['notBreaching', 'ignore']).toContain(spec.missingData);
  });

  it('fills missing periods only for the heartbeat, which keeps its state while it has no data at all', () => {
    const filled = ALARM_KIND_LIST.filter((s) => s.fillMissingWith !== undefined).map((s) => s.kind);
    expect(filled).toEqual(['ProbeSilent']);
    expect(ALARM_KINDS.ProbeSilent).toMatchObject({ missingData: 'ignore', fillMissingWith: 0 });
  });

  it('has no kind whose name ends another kind, so a name has one kind', () => {
    for (const a of ALARM_KIND_LIST) {
      for (const b of ALARM_KIND_LIST) {
        if (a !== b) expect(a.kind.endsWith(b.kind)).toBe(false);
      }
    }
  });

  it('keys every record by its own kind', () => {
    for (const [key, spec] of Object.entries(ALARM_KINDS)) expect(spec.kind).toBe(key);
  });
});

describe('alarmKindOf', () => {
  it('reads back the kind and subject of every name alarmName makes', () => {
    for (const kind of Object.keys(ALARM_KINDS) as AlarmKind[]) {
      const parsed = alarmKindOf(alarmName(kind, 'my-target.v2'));
      expect(parsed?.spec.kind).toBe(kind);
      expect(parsed?.subject).toBe('my-target.v2');
    }
  });

  it('keeps a subject that itself contains a kind name', () => {
    expect(alarmKindOf('RegistryCanary-TargetSilent-x-FailingInAnyRegion')).toMatchObject({
      spec: { kind: 'FailingInAnyRegion' },
      subject: 'TargetSilent-x',
    });
  });

  it('is null for a name the canary did not make', () => {
    expect(alarmKindOf('Other-hub-FailingInAnyRegion')).toBeNull();
    expect(alarmKindOf('RegistryCanary-hub-Unknown')).toBeNull();
    expect(alarmKindOf('RegistryCanary--FailingInAnyRegion'.slice(0, 15))).toBeNull();
  });

  it('is null when the subject would be empty', () => {
    expect(alarmKindOf('RegistryCanary--TargetSilent')).toBeNull();
  });
});

describe('windowOf', () => {
  const policy = { datapointsToAlarm: 1, evaluationPeriods: 1 };

  it("follows the config's M of N for 'policy' kinds", () => {
    expect(windowOf(ALARM_KINDS.FailingInAnyRegion, { datapointsToAlarm: 3, evaluationPeriods: 5 })).toEqual({
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });
  });

  it("raises M to 2 and N to M + 1 for 'at-least-2' kinds, and keeps a stricter policy as it is", () => {
    expect(windowOf(ALARM_KINDS.ProbeSilent, policy)).toEqual({ datapointsToAlarm: 2, evaluationPeriods: 3 });
    expect(windowOf(ALARM_KINDS.ProbeSilent, { datapointsToAlarm: 2, evaluationPeriods: 2 })).toEqual({
      datapointsToAlarm: 2,
      evaluationPeriods: 3,
    });
    expect(windowOf(ALARM_KINDS.ProbeSilent, { datapointsToAlarm: 3, evaluationPeriods: 5 })).toEqual({
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });
  });

  it("is 1 of 1 for 'single' kinds whatever the policy", () => {
    expect(windowOf(ALARM_KINDS.CertificateExpiring, { datapointsToAlarm: 3, evaluationPeriods: 5 })).toEqual(
      {
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
    );
  });
});
