import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatTime } from '../../../../functions/publish/notification/format.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [12 * 60_000, '12m'],
    [72 * 60_000, '1h 12m'],
    [2 * 3_600_000, '2h'],
    [51 * 3_600_000, '2d 3h'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('never prints more than two units, nor a negative duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e12 }), (ms) => {
        const text = formatDuration(ms);
        expect(text.split(' ').length).toBeLessThanOrEqual(2);
        expect(text).not.toContain('-');
      }),
    );
  });
});

describe('formatTime', () => {
  it('prints UTC to the minute', () => {
    expect(formatTime('2026-11-22T10:09:59.999Z')).toBe('2026-11-22 10:09 UTC');
  });
});
