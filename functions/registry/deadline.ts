/**
 * One overall deadline per probe. Every request's signal is tied to it, so a registry that hangs
 * or drip-feeds its body cannot keep the probe past the deadline, however many requests remain.
 */
import { TimeoutError } from './errors.ts';

export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;

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

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
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
