/**
 * The run's one deadline: when the invocation must be over, as an instant on the run's clock and
 * as an AbortSignal that fires then. The handler makes it from Lambda's remaining time; every
 * layer below derives its own, earlier, deadline from it (`before` for the probing phase, which
 * leaves the publish reserve; `within` for each target's hard stop) instead of starting a timer of
 * its own, so a cut-short invocation cuts short everything under it through one chain of signals.
 *
 * AbortSignal.timeout and AbortSignal.any are Node's (both since 20.3,
 * https://nodejs.org/api/globals.html#static-method-abortsignaltimeoutdelay,
 * https://nodejs.org/api/globals.html#static-method-abortsignalanysignals). The timeout's timer
 * does not keep the process alive, and a signal aborted by it carries a TimeoutError reason.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RunDeadline {
  readonly signal: AbortSignal;

  private constructor(
    /** Epoch ms on `now`. */
    readonly at: number,
    readonly now: () => number,
    parent?: AbortSignal,
  ) {
    // Node's timers hold at most 2^31-1 ms and turn a larger delay into 1 ms (TimeoutOverflowWarning):
    // clamp, so a far deadline never fires at once.
    const own = AbortSignal.timeout(Math.min(MAX_TIMER_MS, Math.max(0, at - now())));
    this.signal = parent ? AbortSignal.any([parent, own]) : own;
  }

  /** The invocation's deadline, `remainingMs` from now (Lambda's getRemainingTimeInMillis()). */
  static in(remainingMs: number, now: () => number = Date.now): RunDeadline {
    return new RunDeadline(now() + remainingMs, now);
  }

  /** A deadline at an instant on `now`'s clock. */
  static at(at: number, now: () => number = Date.now): RunDeadline {
    return new RunDeadline(at, now);
  }

  remainingMs(): number {
    return this.at - this.now();
  }

  /** `reserveMs` before this one: for the work that must leave time for what comes after it. */
  before(reserveMs: number): RunDeadline {
    return new RunDeadline(this.at - reserveMs, this.now, this.signal);
  }

  /** `ms` from now, but never past this one. */
  within(ms: number): RunDeadline {
    return new RunDeadline(Math.min(this.at, this.now() + ms), this.now, this.signal);
  }
}
