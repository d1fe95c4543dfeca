import { describe, expect, it } from 'vitest';
import { scheduledTimeFromEvent } from '../../../functions/handlers/scheduled-time.ts';

const now = new Date('2026-12-02T08:15:42.123Z');

describe('scheduledTimeFromEvent', () => {
  it("reads EventBridge Scheduler's scheduled time from the input, so a late run is stamped on time", () => {
    // The shape the schedule's input template produces for <aws.scheduler.scheduled-time>.
    const event = { scheduledTime: '2026-12-02T08:10:00Z', shard: 1, shards: 3 };
    expect(scheduledTimeFromEvent(event, now).toISOString()).toBe('2026-12-02T08:10:00.000Z');
  });

  it('takes the current minute for an invocation without one (a console test invoke)', () => {
    expect(scheduledTimeFromEvent({}, now).toISOString()).toBe('2026-12-02T08:15:00.000Z');
    expect(scheduledTimeFromEvent(undefined, now).toISOString()).toBe('2026-12-02T08:15:00.000Z');
  });

  it('ignores a scheduled time that is not an ISO date-time', () => {
    expect(scheduledTimeFromEvent({ scheduledTime: 'yesterday' }, now).toISOString()).toBe(
      '2026-12-02T08:15:00.000Z',
    );
  });
});
