import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuota, parseRateLimit, rateLimitFromHeaders } from '../../../functions/registry/ratelimit.ts';

describe('parseRateLimit', () => {
  it('reads Docker Hub headers', () => {
    expect(
      rateLimitFromHeaders({
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '76;w=21600',
        'docker-ratelimit-source': '203.0.113.9',
      }),
    ).toEqual({ limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.9' });
  });

  it('returns null when no header is present, meaning not limited', () => {
    expect(rateLimitFromHeaders({})).toBeNull();
  });

  it('tolerates empty counts', () => {
    expect(parseRateLimit({ limit: ';w=21600', remaining: '', source: '' })).toEqual({
      limit: null,
      remaining: null,
      windowSeconds: 21600,
      source: null,
    });
  });

  it.each([
    ['200', { count: 200, windowSeconds: null }],
    ['200;w=3600', { count: 200, windowSeconds: 3600 }],
    [' 10 ; W = 60 ', { count: 10, windowSeconds: 60 }],
    ['10, 10;w=1, 50;w=60', { count: 10, windowSeconds: 1 }],
    ['abc;w=x', { count: null, windowSeconds: null }],
    ['-1;w=-5', { count: null, windowSeconds: null }],
    [';;;', { count: null, windowSeconds: null }],
  ])('parses the quota %j', (value, expected) => {
    expect(parseQuota(value)).toEqual(expected);
  });

  it('never throws and yields non-negative integers or null', () => {
    const header = fc.option(fc.string({ maxLength: 40 }), { nil: undefined });
    fc.assert(
      fc.property(header, header, header, (limit, remaining, source) => {
        const result = parseRateLimit({ limit, remaining, source });
        if (result === null) {
          expect([limit, remaining, source].every((v) => v === undefined)).toBe(true);
          return;
        }
        for (const n of [result.limit, result.remaining, result.windowSeconds]) {
          if (n !== null) expect(Number.isInteger(n) && n >= 0).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips count and window', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (count, window) => {
        expect(parseQuota(`${count};w=${window}`)).toEqual({ count, windowSeconds: window });
      }),
    );
  });
});
