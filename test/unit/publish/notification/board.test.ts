import { describe, expect, it } from 'vitest';
import type { AlarmTransition } from '../../../../functions/publish/notification/alarm-event.ts';
import { applyTransitions, reconcile } from '../../../../functions/publish/notification/board.ts';
import type { Group } from '../../../../functions/publish/notification/classify.ts';
import {
  isDue,
  nextReminderAt,
  onlyLeft,
  reminderDue,
} from '../../../../functions/publish/notification/pending.ts';
import {
  type Board,
  emptyBoard,
  type Incident,
  MAX_BOARD_BYTES,
  toBoard,
  toItem,
} from '../../../../functions/publish/state-incident.ts';

const T0 = new Date('2026-11-22T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function transition(
  name: string,
  target: string,
  newState: 'ALARM' | 'OK',
  minutes: number,
): AlarmTransition {
  return {
    messageId: name,
    alarmName: name,
    alarmArn: null,
    description: '',
    target,
    newState,
    oldState: null,
    reason: '',
    at: at(minutes).toISOString(),
    metricName: null,
    kind: 'FailingInAnyRegion',
    severity: 'critical',
  };
}

const group = (key: string, members: string[], severity: Group['severity'] = 'critical'): Group => ({
  key,
  cause: key.split(':')[0] as Group['cause'],
  subject: key.slice(key.indexOf(':') + 1),
  severity,
  members,
});

/** A board whose incidents were all told what they are now. */
function told(board: Board, minutes: number): Board {
  return {
    ...board,
    incidents: board.incidents.map((i) => ({
      ...i,
      pending: null,
      lastNotifiedAt: at(minutes).toISOString(),
      told: { key: i.key, members: [...i.members], code: null, regions: [], at: at(minutes).toISOString() },
    })),
  };
}

describe('applyTransitions', () => {
  it('adds an ALARM and removes it on OK, remembering when it cleared', () => {
    const raised = applyTransitions(emptyBoard(), [transition('x', 'a', 'ALARM', 0)], at(0));
    expect(Object.keys(raised.board.alarms)).toEqual(['x']);
    const cleared = applyTransitions(raised.board, [transition('x', 'a', 'OK', 5)], at(5));
    expect(cleared.board.alarms).toEqual({});
    expect(cleared.board.cleared['x']).toEqual({ member: 'a', at: at(5).toISOString() });
    expect([...cleared.touched]).toEqual(['a']);
  });

  it('applies a batch in the order the alarms changed, not the order it arrived in', () => {
    const applied = applyTransitions(
      emptyBoard(),
      [transition('x', 'a', 'OK', 5), transition('x', 'a', 'ALARM', 1)],
      at(6),
    );
    expect(applied.board.alarms).toEqual({});
  });
});

describe('reconcile', () => {
  it('opens a new incident for a new group, pending an opening, with the first alarm’s time', () => {
    const { board } = applyTransitions(emptyBoard(), [transition('x', 'a', 'ALARM', 1)], at(2));
    const next = reconcile(board, [group('registry:ghcr.io', ['a'])], new Set(['a']), at(2));
    expect(next.incidents).toHaveLength(1);
    expect(next.incidents[0]).toMatchObject({
      id: `registry-canary/registry:ghcr.io/${at(1).toISOString()}`,
      open: true,
      members: ['a'],
      pending: { event: 'opened' },
    });
  });

  it('re-keys the incident sharing the most members when the picture changes, and merges the others into it', () => {
    let board = reconcile(
      emptyBoard(),
      [group('registry:ghcr.io', ['a', 'b']), group('registry:quay.io', ['c'])],
      new Set(),
      at(0),
    );
    board = told(board, 0);
    const ghcr = board.incidents.find((i) => i.key === 'registry:ghcr.io') as Incident;

    const next = reconcile(board, [group('region:eu-west-1', ['a', 'b', 'c'])], new Set(), at(5));

    const regional = next.incidents.find((i) => i.open) as Incident;
    expect(regional.id).toBe(ghcr.id);
    expect(regional).toMatchObject({
      key: 'region:eu-west-1',
      previousKeys: ['registry:ghcr.io'],
      absorbed: ['quay.io'],
    });
    expect(regional.pending?.event).toBe('updated');
    const quay = next.incidents.find((i) => i.subject === 'quay.io') as Incident;
    expect(quay).toMatchObject({ open: false, mergedInto: ghcr.id, pending: { event: 'merged' } });
  });

  it('does not let a failure take over a warning incident: the failure pages, the warning closes into it', () => {
    const board = told(
      reconcile(emptyBoard(), [group('degraded:ghcr.io', ['a'], 'warning')], new Set(), at(0)),
      0,
    );
    const next = reconcile(board, [group('registry:ghcr.io', ['a'])], new Set(), at(5));
    const open = next.incidents.filter((i) => i.open);
    expect(open.map((i) => [i.key, i.pending?.event])).toEqual([['registry:ghcr.io', 'opened']]);
    expect(next.incidents.find((i) => i.key === 'degraded:ghcr.io')).toMatchObject({
      open: false,
      mergedInto: open[0]?.id,
      pending: { event: 'merged' },
    });
  });

  it('closes an incident whose targets recovered with the time of the last OK', () => {
    let { board } = applyTransitions(emptyBoard(), [transition('x', 'a', 'ALARM', 0)], at(0));
    board = told(reconcile(board, [group('registry:ghcr.io', ['a'])], new Set(['a']), at(0)), 0);
    const cleared = applyTransitions(board, [transition('x', 'a', 'OK', 47)], at(48));
    const next = reconcile(cleared.board, [], cleared.touched, at(48));
    expect(next.incidents[0]).toMatchObject({
      open: false,
      closedAt: at(47).toISOString(),
      pending: { event: 'recovered' },
    });
  });

  it('sends no recovery for an incident that recovered before anyone was told it opened', () => {
    let { board } = applyTransitions(emptyBoard(), [transition('x', 'a', 'ALARM', 0)], at(0));
    // Opened, but its opening is still pending (its publish failed): nobody has heard of it.
    board = reconcile(board, [group('registry:ghcr.io', ['a'])], new Set(['a']), at(0));
    expect(board.incidents[0]).toMatchObject({ told: null, pending: { event: 'opened' } });
    const cleared = applyTransitions(board, [transition('x', 'a', 'OK', 3)], at(4));
    const next = reconcile(cleared.board, [], cleared.touched, at(4));
    expect(next.incidents[0]).toMatchObject({ open: false, pending: null });
  });

  it('sends nothing for an incident merged away before anyone was told of it', () => {
    const board = reconcile(emptyBoard(), [group('registry:quay.io', ['c'])], new Set(), at(0));
    const next = reconcile(board, [group('region:eu-west-1', ['c', 'd'])], new Set(), at(0));
    expect(next.incidents.filter((i) => i.pending).map((i) => i.key)).toEqual(['region:eu-west-1']);
  });
});

describe('when news is due', () => {
  const incident = (over: Partial<Incident>): Incident => ({
    ...(reconcile(emptyBoard(), [group('registry:ghcr.io', ['a', 'b'])], new Set(), at(0))
      .incidents[0] as Incident),
    ...over,
  });
  const toldAB = {
    key: 'registry:ghcr.io',
    members: ['a', 'b'],
    code: null,
    regions: [],
    at: at(0).toISOString(),
  };

  it('sends an opening at once', () => {
    expect(isDue(incident({}), at(0), 120_000)).toBe(true);
  });

  it('holds an update within the window after the last message, and sends it after', () => {
    const i = incident({
      told: toldAB,
      members: ['a', 'b', 'c'],
      lastNotifiedAt: at(0).toISOString(),
      pending: { event: 'updated', since: at(1).toISOString() },
    });
    expect(isDue(i, at(1.9), 120_000)).toBe(false);
    expect(isDue(i, at(2), 120_000)).toBe(true);
  });

  it('holds news that is only targets leaving for the window after it began, so a split recovery ends in one message', () => {
    const i = incident({
      told: toldAB,
      members: ['a'],
      lastNotifiedAt: at(0).toISOString(),
      pending: { event: 'updated', since: at(30).toISOString() },
    });
    expect(onlyLeft(i)).toBe(true);
    expect(isDue(i, at(31), 120_000)).toBe(false);
    expect(isDue(i, at(32), 120_000)).toBe(true);
  });

  it('reminds a critical incident after reminderMinutes, then backs off, and stops at the cap', () => {
    const i = incident({ told: toldAB, reminders: 0 });
    expect(nextReminderAt(i, 60)).toBe(at(60).getTime());
    expect(nextReminderAt({ ...i, reminders: 1, lastRemindedAt: at(60).toISOString() }, 60)).toBe(
      at(180).getTime(),
    );
    // 60 * 2^5 = 1920 min is capped at a day.
    expect(nextReminderAt({ ...i, reminders: 5, lastRemindedAt: at(0).toISOString() }, 60)).toBe(
      at(24 * 60).getTime(),
    );
    expect(nextReminderAt({ ...i, reminders: 8 }, 60)).toBeNull();
    expect(nextReminderAt(i, 0)).toBeNull();
  });

  it('reminds a warning at most daily, whatever reminderMinutes says', () => {
    const i = incident({ told: toldAB, severity: 'warning', pending: null });
    expect(reminderDue(i, at(60), 60)).toBe(false);
    expect(reminderDue(i, at(24 * 60 - 1), 60)).toBe(false);
    expect(reminderDue(i, at(24 * 60), 60)).toBe(true);
  });

  it('never reminds an incident with news pending: the news goes first', () => {
    expect(
      reminderDue(
        incident({ told: toldAB, pending: { event: 'updated', since: at(0).toISOString() } }),
        at(120),
        60,
      ),
    ).toBe(false);
  });
});

describe('the board’s size', () => {
  it('holds a 1,000-target outage (two alarms each, then all cleared) within DynamoDB’s 400 KB item', () => {
    const targets = Array.from(
      { length: 1_000 },
      (_, i) => `team-service-image-${String(i).padStart(4, '0')}`,
    );
    const alarms = targets.flatMap((t) => [
      {
        ...transition(`RegistryCanary-${t}-FailingInAnyRegion`, t, 'ALARM', 0),
        alarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RegistryCanary-${t}-FailingInAnyRegion`,
      },
      {
        ...transition(`RegistryCanary-${t}-FailingInManyRegions`, t, 'ALARM', 0),
        alarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RegistryCanary-${t}-FailingInManyRegions`,
      },
    ]);
    const raised = applyTransitions(emptyBoard(), alarms, at(1));
    const open = told(
      reconcile(
        raised.board,
        [group('registry:123456789012.dkr.ecr.eu-west-1.amazonaws.com', targets)],
        raised.touched,
        at(1),
      ),
      1,
    );
    const bytes = (board: Board) => Buffer.byteLength(JSON.stringify(toItem(board)));

    expect(bytes(open)).toBeLessThan(MAX_BOARD_BYTES);
    // Cleared alarms are remembered for a day: the board right after the recovery is the largest.
    const cleared = applyTransitions(
      open,
      alarms.map((a) => ({ ...a, newState: 'OK' as const, at: at(30).toISOString() })),
      at(31),
    );
    const closed = reconcile(cleared.board, [], cleared.touched, at(31));
    expect(bytes(closed)).toBeLessThan(MAX_BOARD_BYTES);
  });

  it('reads back exactly what it stored, short form or not', () => {
    const { board } = applyTransitions(
      emptyBoard(),
      [
        {
          ...transition('RegistryCanary-a-FailingInAnyRegion', 'a', 'ALARM', 0),
          alarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:RegistryCanary-a-FailingInAnyRegion',
        },
        {
          ...transition('RegistryCanary-eu-west-1-ProbeSilent', 'x', 'ALARM', 1),
          target: null,
          kind: 'ProbeSilent',
          alarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:RegistryCanary-eu-west-1-ProbeSilent',
        },
        {
          ...transition('team-made-alarm', 'b', 'ALARM', 2),
          kind: null,
          alarmArn: 'arn:aws:cloudwatch:us-east-1:1:alarm:team-made-alarm',
        },
        transition('RegistryCanary-c-LatencyDegraded', 'c', 'ALARM', 3),
        transition('RegistryCanary-c-LatencyDegraded', 'c', 'OK', 4),
      ],
      at(5),
    );
    const next = reconcile(board, [group('registry:ghcr.io', ['a'])], new Set(['a']), at(5));
    const stored = JSON.parse(JSON.stringify(toItem(next))) as Record<string, unknown>;
    expect(toBoard(stored)).toEqual(next);
  });
});
