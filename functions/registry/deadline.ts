/**
 * One overall deadline per probe. Every request's signal is tied to it, so a registry that hangs
 * or drip-feeds its body cannot keep the probe past the deadline, however many requests remain.
 * The caller can also end it early (`cancel`): the probe then stops the same way, at once.
 */
import { TimeoutError } from './errors.ts';

/**
 * The hard stop a caller hands down: when everything of a probe, its wind-down included, must be
 * over. The run service passes a target's RunDeadline (functions/run/deadline.ts), derived from the
 * invocation's, which has this shape; the probe's own deadline is derived from it, never longer.
 */
export interface HardStop {
  readonly signal: AbortSignal;
  remainingMs(): number;
}

/** A hard stop `ms` from now, for a probe run on its own (the CLI), with nothing above it. */
export function hardStopIn(ms: number, now: () => number = () => performance.now()): HardStop {
  const at = now() + ms;
  return { signal: AbortSignal.timeout(Math.max(0, ms)), remainingMs: () => at - now() };
}

export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;
  private cancelledByCaller = false;

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.endsAt = now() + timeoutMs;
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.controller.abort(
        new TimeoutError(
          `the probe's overall deadline of ${timeoutMs} ms passed`,
          null,
          'deadline',
          timeoutMs,
        ),
      );
    }, timeoutMs);
    // The deadline must not keep a CLI process alive after the probe has finished.
    this.timer.unref();
  }

  /** Milliseconds left, never negative; 0 once the deadline has passed or was cancelled. */
  remainingMs(): number {
    if (this.signal.aborted) return 0;
    return Math.max(0, this.endsAt - this.now());
  }

  /** True when the deadline was ended by `cancel`, not by time. */
  get cancelled(): boolean {
    return this.cancelledByCaller;
  }

  /**
   * Ends the deadline now, as if its time had run out: every request tied to it is aborted, so its
   * socket is destroyed rather than left to a caller that has stopped waiting.
   */
  cancel(why: string): void {
    if (this.signal.aborted) return;
    clearTimeout(this.timer);
    this.cancelledByCaller = true;
    this.controller.abort(
      new TimeoutError(`the probe was cancelled: ${why}`, null, 'deadline', this.timeoutMs),
    );
  }

  get expired(): boolean {
    return this.signal.aborted;
  }

  /** A signal for one request: aborts at the deadline or after `requestTimeoutMs`, whichever comes first. */
  requestSignal(requestTimeoutMs: number): { signal: AbortSignal; timeoutMs: number } {
    const timeoutMs = Math.max(1, Math.min(requestTimeoutMs, Math.ceil(this.remainingMs())));
    return { signal: AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)]), timeoutMs };
  }

  /** Races `promise` against the deadline, so a step that ignores signals cannot outlive it. */
  async race<T>(promise: Promise<T>): Promise<T> {
    if (this.signal.aborted) throw this.signal.reason;
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.signal.reason);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([promise, aborted]);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
