import { describe, expect, it } from 'vitest';
import { parseAlarmRecords } from '../../../../functions/publish/notification/alarm-event.ts';
import { alarmRecord } from './alarm-fixtures.ts';

const NOW = new Date('2026-11-22T12:00:00.000Z');

describe('parseAlarmRecords', () => {
  it('reads the target from the Target dimension of a single-metric alarm in an SNS envelope', () => {
    const { transitions, unreadable } = parseAlarmRecords(
      [
        alarmRecord({
          alarmName: 'hub-failing',
          target: 'hub-alpine',
          state: 'ALARM',
          at: '2026-11-22T10:00:00.000Z',
        }),
      ],
      NOW,
    );
    expect(unreadable).toEqual([]);
    expect(transitions).toEqual([
      expect.objectContaining({
        alarmName: 'hub-failing',
        alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:hub-failing',
        target: 'hub-alpine',
        newState: 'ALARM',
        oldState: 'OK',
        at: '2026-11-22T10:00:00.000Z',
        metricName: 'Success',
      }),
    ]);
  });

  it('reads the target from the metrics of a metric-math alarm', () => {
    const { transitions } = parseAlarmRecords(
      [
        alarmRecord({
          alarmName: 'outage',
          target: 'ghcr-x',
          state: 'ALARM',
          at: '2026-11-22T10:00:00.000Z',
          metricMath: true,
        }),
      ],
      NOW,
    );
    expect(transitions[0]?.target).toBe('ghcr-x');
  });

  it('falls back to a "Target: name" line in the description, and accepts raw message delivery', () => {
    const { transitions } = parseAlarmRecords(
      [
        alarmRecord(
          {
            alarmName: 'composite',
            state: 'OK',
            at: '2026-11-22T10:00:00.000Z',
            description: 'Registry-wide outage.\nTarget: quay-x\nRunbook: https://example.com',
          },
          true,
        ),
      ],
      NOW,
    );
    expect(transitions[0]).toMatchObject({ target: 'quay-x', newState: 'OK' });
  });

  it('keeps an alarm that names no target, with a null target', () => {
    const { transitions } = parseAlarmRecords(
      [
        alarmRecord({
          alarmName: 'probe-dlq',
          state: 'ALARM',
          at: '2026-11-22T10:00:00.000Z',
          description: 'DLQ',
        }),
      ],
      NOW,
    );
    expect(transitions[0]).toMatchObject({ alarmName: 'probe-dlq', target: null });
  });

  it('orders transitions by when the alarm changed, not by delivery order', () => {
    const { transitions } = parseAlarmRecords(
      [
        alarmRecord({ alarmName: 'a', target: 't', state: 'OK', at: '2026-11-22T10:05:00.000Z' }),
        alarmRecord({ alarmName: 'a', target: 't', state: 'ALARM', at: '2026-11-22T10:00:00.000Z' }),
      ],
      NOW,
    );
    expect(transitions.map((t) => t.newState)).toEqual(['ALARM', 'OK']);
  });

  it('reports bodies that are not alarm state changes as unreadable', () => {
    const good = alarmRecord({ alarmName: 'a', target: 't', state: 'ALARM', at: '2026-11-22T10:00:00.000Z' });
    const { transitions, unreadable } = parseAlarmRecords(
      [
        { ...good, messageId: 'not-json', body: '<html>' },
        { ...good, messageId: 'not-alarm', body: JSON.stringify({ hello: 'world' }) },
      ],
      NOW,
    );
    expect(transitions).toEqual([]);
    expect(unreadable.map((u) => u.messageId)).toEqual(['not-json', 'not-alarm']);
  });
});
