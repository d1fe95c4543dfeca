/**
 * When the run that an invocation belongs to was scheduled. EventBridge Scheduler substitutes
 * `<aws.scheduler.scheduled-time>` in a target's input with the scheduled time of that invocation,
 * e.g. "2026-12-02T08:15:00Z" (Amazon EventBridge Scheduler User Guide, "Adding context attributes
 * to your target": aws.scheduler.scheduled-time), so every shard of a run, and a run that starts
 * late, stamp their metrics with the same time (functions/publish/metrics.ts).
 */
import * as z from 'zod/mini';

/** The input field the schedule puts the scheduled time in (lib/constructs/scheduled-probe.ts). */
export const SCHEDULED_TIME_FIELD = 'scheduledTime';

const eventSchema = z.object({ [SCHEDULED_TIME_FIELD]: z.iso.datetime({ offset: true }) });

/**
 * The event's scheduled time, or, for an invocation without one (a test invoke from the console, an
 * old schedule), the current minute: the same period the run would have been scheduled in.
 */
export function scheduledTimeFromEvent(event: unknown, now: Date): Date {
  const parsed = eventSchema.safeParse(event);
  if (parsed.success) return new Date(parsed.data[SCHEDULED_TIME_FIELD]);
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}
