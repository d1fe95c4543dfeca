import { describe, expect, it } from 'vitest';
import { formatResult } from '../../../functions/probe/format.ts';
import type { ProbeResult, ProbeStep } from '../../../functions/probe/result.ts';

function step(name: ProbeStep['name'], status: number | null): ProbeStep {
  return {
    name,
    method: name === 'ping' ? 'GET' : 'HEAD',
    url: `https://registry.example/v2/${name === 'ping' ? '' : 'app/manifests/v1'}`,
    status,
    host: 'registry.example',
    timings: { dnsMs: 1, connectMs: 1, tlsMs: 1, ttfbMs: 1, totalMs: 4 },
    reusedConnection: false,
  };
}

function result(steps: ProbeStep[], rateLimit: ProbeResult['rateLimit'] = null): ProbeResult {
  return {
    ref: 'registry.example/app:v1',
    registry: 'registry.example',
    repository: 'app',
    reference: 'v1',
    status: 'healthy',
    diagnosis: null,
    warnings: [],
    digest: null,
    platforms: [],
    rateLimit,
    tls: null,
    steps,
    durationMs: 10,
  };
}

const rateLimitLine = (text: string) => text.split('\n').find((l) => l.trim().startsWith('rate limit'));

describe('formatResult rate-limit line', () => {
  it('says "not limited" only when a manifest response carried no rate-limit headers', () => {
    const text = formatResult(result([step('ping', 401), step('manifest-head', 200)]));
    expect(rateLimitLine(text)).toContain('none declared (not limited)');
  });

  it('does not claim "not limited" when the probe never reached a manifest', () => {
    const text = formatResult(result([step('ping', null)]));
    expect(rateLimitLine(text)).toContain('not read (no manifest response)');
    expect(text).not.toContain('not limited');
  });

  it('prints the remaining budget, window and source when the registry announced one', () => {
    const text = formatResult(
      result([step('manifest-head', 200)], {
        limit: 100,
        remaining: 76,
        windowSeconds: 21600,
        source: '203.0.113.7',
      }),
    );
    expect(rateLimitLine(text)).toContain('76 of 100 remaining per 21600 s (source 203.0.113.7)');
  });
});
