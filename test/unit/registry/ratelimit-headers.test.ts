// Docker Hub's RateLimit-* headers as documented (docker/docs content/manuals/docker-hub/usage/pulls.md,
// "ratelimit-limit: 100;w=21600", "ratelimit-remaining: 76;w=21600", "docker-ratelimit-source")
// and the odd values other registries and proxies send, part by part.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuota, parseRateLimit, rateLimitFromHeaders } from '../../../functions/registry/ratelimit.ts';

describe('parseRateLimit: which header gives what', () => {
  it('reads the window from the remaining header when the limit has none', () => {
    expect(parseRateLimit({ limit: '100', remaining: '7;w=3600' })).toEqual({
      limit: 100,
      remaining: 7,
      windowSeconds: 3600,
      source: null,
    });
  });

  it("prefers the limit header's window", () => {
    expect(parseRateLimit({ limit: '100;w=21600', remaining: '7;w=60' })?.windowSeconds).toBe(21600);
  });

  it('reads a limit alone, a remaining count alone and a source alone', () => {
    expect(parseRateLimit({ limit: '100;w=60' })).toEqual({
      limit: 100,
      remaining: null,
      windowSeconds: 60,
      source: null,
    });
    expect(parseRateLimit({ remaining: '5' })).toEqual({
      limit: null,
      remaining: 5,
      windowSeconds: null,
      source: null,
    });
    expect(parseRateLimit({ source: ' 2001:db8::1 ' })).toEqual({
      limit: null,
      remaining: null,
      windowSeconds: null,
      source: '2001:db8::1',
    });
  });

  it('treats null headers like missing ones', () => {
    expect(parseRateLimit({ limit: null, remaining: null, source: null })).toBeNull();
  });

  it('treats a blank source as none', () => {
    expect(parseRateLimit({ limit: '1', source: '   ' })?.source).toBeNull();
  });

  it('reads the lower-cased header names a response carries, and only those', () => {
    expect(rateLimitFromHeaders({ 'ratelimit-remaining': '3;w=60' })).toEqual({
      limit: null,
      remaining: 3,
      windowSeconds: 60,
      source: null,
    });
    expect(rateLimitFromHeaders({ 'docker-ratelimit-source': '198.51.100.7' })?.source).toBe('198.51.100.7');
    expect(rateLimitFromHeaders({ 'x-ratelimit-limit': '100', 'RateLimit-Limit': '100' })).toBeNull();
  });
});

describe('parseQuota', () => {
  it.each([
    ['100;w', { count: 100, windowSeconds: null }],
    ['100;w=', { count: 100, windowSeconds: null }],
    ['100;=5', { count: 100, windowSeconds: null }],
    ['100;x=5', { count: 100, windowSeconds: null }],
    ['100;w=x;w=60', { count: 100, windowSeconds: 60 }],
    ['100;w=60;w=30', { count: 100, windowSeconds: 60 }],
    ['100;comment="a;b";w=60', { count: 100, windowSeconds: 60 }],
    ['0;w=0', { count: 0, windowSeconds: 0 }],
    ['999999999999999', { count: 999999999999999, windowSeconds: null }],
    ['1000000000000000', { count: null, windowSeconds: null }],
    ['1.5;w=60', { count: null, windowSeconds: 60 }],
    ['1e3', { count: null, windowSeconds: null }],
    ['+5', { count: null, windowSeconds: null }],
    ['', { count: null, windowSeconds: null }],
    [',', { count: null, windowSeconds: null }],
    ['5, x;w=9', { count: 5, windowSeconds: 9 }],
    ['w=60', { count: null, windowSeconds: null }],
  ])('reads %j as %j', (value, expected) => {
    expect(parseQuota(value)).toEqual(expected);
  });

  it('never throws, and any count or window it returns is written in the header (law)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (value) => {
        const { count, windowSeconds } = parseQuota(value);
        for (const n of [count, windowSeconds]) {
          if (n !== null) {
            expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
            expect(value).toContain(String(n));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
