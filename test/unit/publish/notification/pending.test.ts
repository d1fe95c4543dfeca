import { describe, expect, it } from 'vitest';
import {
  type AlarmTransition,
  alarmKindFields,
} from '../../../../functions/publish/notification/alarm-event.ts';
import { applyTransitions } from '../../../../functions/publish/notification/incident.ts';
import { decide, mergePending } from '../../../../functions/publish/notification/pending.ts';
import type { Incident } from '../../../../functions/publish/state-incident.ts';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const HOLD_BACK_MS = 120_000;

function transition(
  alarmName: string,
  target: string,
  newState: 'ALARM' | 'OK',
  seconds: number,
): AlarmTransition {
  return {
    messageId: `${alarmName}-${seconds}`,
    alarmName,
    alarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`,
    description: '',
    target,
    newState,
    oldState: null,
    reason: `${alarmName} went ${newState}`,
    at: at(seconds).toISOString(),
    metricName: null,
    ...alarmKindFields(alarmName),
  };
}

/** Applies a batch and decides, the way the notifier does; returns what it would store and send. */
function batch(current: Incident | null, transitions: AlarmTransition[], seconds: number) {
  const now = at(seconds);
  return decide(
    current,
    applyTransitions(current, 'ghcr.io', transitions, now),
    transitions,
    now,
    HOLD_BACK_MS,
  );
}

const opened = batch(null, [transition('a-failing', 'a', 'ALARM', 0)], 0).store;

describe('decide', () => {
  it('sends an opening at once and records it as notified', () => {
    const first = batch(null, [transition('a-failing', 'a', 'ALARM', 0)], 0);
    expect(first.send?.event).toBe('opened');
    expect(first.store).toMatchObject({ pending: null, lastNotifiedAt: at(0).toISOString() });
  });

  it('holds back an update to an incident notified seconds ago, without moving lastNotifiedAt', () => {
    const second = batch(opened, [transition('b-failing', 'b', 'ALARM', 5)], 5);
    expect(second.send).toBeNull();
    expect(second.changed).toBe(true);
    expect(second.store).toMatchObject({
      alarms: { a: ['a-failing'], b: ['b-failing'] },
      lastNotifiedAt: at(0).toISOString(),
      pending: { event: 'updated', joined: ['b'], raised: ['b-failing'] },
    });
  });

  it('sends the held-back update once the window has passed, with nothing new to apply', () => {
    const held = batch(opened, [transition('b-failing', 'b', 'ALARM', 5)], 5).store;
    expect(batch(held, [], 119).send).toBeNull();
    expect(batch(held, [], 119).changed).toBe(false);
    const later = batch(held, [], 120);
    expect(later.send).toMatchObject({ event: 'updated', joined: ['b'] });
    expect(later.message?.transitions.map((t) => t.alarmArn)).toEqual([
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:b-failing',
    ]);
    expect(later.store.pending).toBeNull();
  });

  it('never holds back a recovery, and folds the pending update into it', () => {
    const held = batch(opened, [transition('b-failing', 'b', 'ALARM', 5)], 5).store;
    const closed = batch(
      held,
      [transition('a-failing', 'a', 'OK', 10), transition('b-failing', 'b', 'OK', 10)],
      10,
    );
    expect(closed.send).toMatchObject({ event: 'recovered', recovered: ['a', 'b'], joined: [] });
    expect(closed.store).toMatchObject({ open: false, pending: null });
  });
});

describe('mergePending', () => {
  const base = {
    joined: [],
    recovered: [],
    raised: [],
    transitions: [],
    since: at(0).toISOString(),
  };

  it('keeps an unsent opening an opening, naming the targets that joined since', () => {
    const merged = mergePending(
      { ...base, event: 'opened', joined: ['a'] },
      { ...base, event: 'updated', joined: ['b'] },
      { a: ['a-failing'], b: ['b-failing'] },
    );
    expect(merged).toMatchObject({ event: 'opened', joined: ['a', 'b'] });
  });

  it('reports a target that joined and left again as recovered only', () => {
    const merged = mergePending(
      { ...base, event: 'updated', joined: ['b'] },
      { ...base, event: 'updated', recovered: ['b'] },
      { a: ['a-failing'] },
    );
    expect(merged).toMatchObject({ event: 'updated', joined: [], recovered: ['b'] });
  });
});
