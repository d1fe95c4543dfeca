import { describe, expect, it } from 'vitest';
import { RunDeadline } from '../../../functions/run/deadline.ts';

describe('RunDeadline', () => {
  it('derives earlier deadlines on the same clock: before() leaves a reserve, within() never passes the parent', () => {
    let clock = 1_000;
    const invocation = RunDeadline.in(30_000, () => clock);
    expect(invocation.at).toBe(31_000);

    const probing = invocation.before(15_000);
    expect(probing.at).toBe(16_000);
    expect(probing.within(5_000).at).toBe(6_000);
    clock = 14_000;
    expect(probing.remainingMs()).toBe(2_000);
    // A target's hard stop is cut at the end of probing, not at its own timeout.
    expect(probing.within(5_000).at).toBe(16_000);
  });

  it("aborts every derived signal when the invocation's does, and only the derived one at its own time", async () => {
    const invocation = RunDeadline.in(60_000);
    const target = invocation.before(1_000).within(30);
    const sibling = invocation.before(1_000).within(50_000);

    await new Promise((resolve) => target.signal.addEventListener('abort', resolve, { once: true }));
    expect(target.signal.reason).toMatchObject({ name: 'TimeoutError' });
    expect(sibling.signal.aborted).toBe(false);
    expect(invocation.signal.aborted).toBe(false);
  });

  it("aborts a derived deadline when the parent's signal fires, even if its own time is far off", async () => {
    let clock = 0;
    const invocation = RunDeadline.in(40, () => clock);
    // Seen from a clock 60 s behind, the child's own timer is a minute away: only the parent can end it.
    clock = -60_000;
    const hardStop = invocation.within(120_000);
    await new Promise((resolve) => hardStop.signal.addEventListener('abort', resolve, { once: true }));
    expect(invocation.signal.aborted).toBe(true);
    expect(hardStop.signal.reason).toBe(invocation.signal.reason);
  });
});

describe('RunDeadline far away', () => {
  it('does not fire at once for a deadline past what a Node timer holds (2^31-1 ms)', async () => {
    const far = RunDeadline.in(2 ** 31 + 1_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(far.signal.aborted).toBe(false);
  });
});
