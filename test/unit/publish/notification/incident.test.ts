import { describe, expect, it } from 'vitest';
import {
  type AlarmTransition,
  alarmKindFields,
} from '../../../../functions/publish/notification/alarm-event.ts';
import { applyTransitions, reminderDue } from '../../../../functions/publish/notification/incident.ts';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function transition(
  alarmName: string,
  target: string | null,
  newState: 'ALARM' | 'OK',
  minutes: number,
): AlarmTransition {
  return {
    messageId: `${alarmName}-${minutes}`,
    alarmName,
    alarmArn: null,
    description: '',
    target,
    newState,
    oldState: null,
    reason: '',
    at: iso(minutes),
    metricName: null,
    ...alarmKindFields(alarmName),
  };
}

describe('applyTransitions', () => {
  it('opens an incident with a thread id on the first alarm of a registry', () => {
    const change = applyTransitions(null, 'ghcr.io', [transition('a-failing', 'a', 'ALARM', 1)], at(2));
    expect(change.event).toBe('opened');
    expect(change.incident).toMatchObject({
      open: true,
      openedAt: iso(1),
      threadId: `registry-canary/ghcr.io/${iso(1)}`,
      alarms: { a: ['a-failing'] },
      affected: ['a'],
    });
  });

  it('says nothing for an OK of an alarm that never opened an incident', () => {
    const change = applyTransitions(null, 'ghcr.io', [transition('a-failing', 'a', 'OK', 1)], at(2));
    expect(change.event).toBe('none');
  });

  it('sends one recovered message for an incident that opened and closed inside one batch', () => {
    const change = applyTransitions(
      null,
      'ghcr.io',
      [transition('a-failing', 'a', 'ALARM', 1), transition('a-failing', 'a', 'OK', 2)],
      at(2),
    );
    expect(change.event).toBe('recovered');
    expect(change.incident).toMatchObject({ open: false, openedAt: iso(1), closedAt: iso(2) });
  });

  it('updates when a target joins or raises another alarm, and is silent when one of two alarms clears', () => {
    const opened = applyTransitions(null, 'g', [transition('a-failing', 'a', 'ALARM', 0)], at(0)).incident;
    const joined = applyTransitions(opened, 'g', [transition('b-failing', 'b', 'ALARM', 5)], at(5));
    expect(joined).toMatchObject({ event: 'updated', joined: ['b'] });
    const escalated = applyTransitions(
      joined.incident,
      'g',
      [transition('a-outage', 'a', 'ALARM', 6)],
      at(6),
    );
    expect(escalated).toMatchObject({ event: 'updated', joined: [], raised: ['a-outage'] });
    const partial = applyTransitions(escalated.incident, 'g', [transition('a-outage', 'a', 'OK', 7)], at(7));
    expect(partial.event).toBe('none');
    expect(partial.incident.alarms).toEqual({ a: ['a-failing'], b: ['b-failing'] });
  });

  it('recovers when the last target clears, keeping every affected target', () => {
    const opened = applyTransitions(
      null,
      'g',
      [transition('a-failing', 'a', 'ALARM', 0), transition('b-failing', 'b', 'ALARM', 0)],
      at(0),
    ).incident;
    const partly = applyTransitions(opened, 'g', [transition('a-failing', 'a', 'OK', 30)], at(30));
    expect(partly).toMatchObject({ event: 'updated', recovered: ['a'] });
    const closed = applyTransitions(partly.incident, 'g', [transition('b-failing', 'b', 'OK', 95)], at(96));
    expect(closed.event).toBe('recovered');
    expect(closed.incident).toMatchObject({
      open: false,
      closedAt: iso(95),
      affected: ['a', 'b'],
      alarms: {},
    });
  });

  it('counts an alarm without a target under its own name', () => {
    const change = applyTransitions(null, 'probe-dlq', [transition('probe-dlq', null, 'ALARM', 0)], at(0));
    expect(change.incident.alarms).toEqual({ 'probe-dlq': ['probe-dlq'] });
  });
});

describe('reminderDue', () => {
  const open = applyTransitions(null, 'g', [transition('a-failing', 'a', 'ALARM', 0)], at(0)).incident;

  it('is not due before the reminder period has passed since the opening', () => {
    expect(reminderDue(open, at(59), 60)).toBeNull();
  });

  it('is due after the period, and then again one period after the last reminder', () => {
    const first = reminderDue(open, at(60), 60);
    expect(first?.incident.lastRemindedAt).toBe(iso(60));
    expect(reminderDue(first!.incident, at(119), 60)).toBeNull();
    expect(reminderDue(first!.incident, at(120), 60)?.event).toBe('reminder');
  });

  it('never reminds about a closed incident or when reminders are off', () => {
    expect(reminderDue({ ...open, open: false }, at(600), 60)).toBeNull();
    expect(reminderDue(open, at(600), 0)).toBeNull();
  });
});
