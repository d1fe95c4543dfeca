/**
 * Pull rate limits from the RateLimit-* headers Docker Hub sends on manifest requests:
 *   ratelimit-limit: 100;w=21600   ratelimit-remaining: 76;w=21600   docker-ratelimit-source: 1.2.3.4
 * Values can be empty (`;w=21600`) or odd, and have crashed other parsers, so this never throws:
 * a part it cannot read is null. No headers at all means the registry does not limit this client.
 * The limits have changed several times since 2020, so they are always read, never assumed.
 */
import type { RateLimit } from './types.ts';

export interface RateLimitHeaders {
  limit?: string | null;
  remaining?: string | null;
  source?: string | null;
}

interface Quota {
  count: number | null;
  windowSeconds: number | null;
}

/** The rate limit the headers describe, or null when none of them is present (not limited). */
export function parseRateLimit(headers: RateLimitHeaders): RateLimit | null {
  const present = (v: string | null | undefined): v is string => typeof v === 'string';
  if (!present(headers.limit) && !present(headers.remaining) && !present(headers.source)) return null;
  const limit = present(headers.limit) ? parseQuota(headers.limit) : { count: null, windowSeconds: null };
  const remaining = present(headers.remaining)
    ? parseQuota(headers.remaining)
    : { count: null, windowSeconds: null };
  const source = present(headers.source) ? headers.source.trim() : '';
  return {
    limit: limit.count,
    remaining: remaining.count,
    windowSeconds: limit.windowSeconds ?? remaining.windowSeconds,
    source: source === '' ? null : source,
  };
}

/** Reads the rate limit from a header map with lower-cased names. */
export function rateLimitFromHeaders(headers: Record<string, string | undefined>): RateLimit | null {
  return parseRateLimit({
    limit: headers['ratelimit-limit'] ?? null,
    remaining: headers['ratelimit-remaining'] ?? null,
    source: headers['docker-ratelimit-source'] ?? null,
  });
}

/**
 * `100;w=21600` -> 100 per 21600 s. Also tolerates the IETF draft's list form (`100, 100;w=21600`):
 * the first item gives the count, the first `w=` gives the window.
 */
export function parseQuota(value: string): Quota {
  const items = value.split(',');
  const first = items[0] ?? '';
  const count = nonNegativeInteger(first.split(';')[0] ?? '');
  let windowSeconds: number | null = null;
  for (const item of items) {
    for (const param of item.split(';').slice(1)) {
      const [name, raw] = param.split('=', 2).map((s) => s.trim());
      if (name?.toLowerCase() === 'w' && raw !== undefined) {
        windowSeconds = nonNegativeInteger(raw);
        if (windowSeconds !== null) return { count, windowSeconds };
      }
    }
  }
  return { count, windowSeconds };
}

function nonNegativeInteger(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,15}$/.test(trimmed)) return null;
  return Number(trimmed);
}
