import { describe, expect, it } from 'vitest';
import { formatResult, formatResults, TIMING_LEGEND } from '../../../functions/probe/format.ts';
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

describe('output that fits 100 columns', () => {
  const longHost = 'prod-registry-1-docker-io.s3.dualstack.us-east-1.amazonaws.com';

  function failing(): ProbeResult {
    const base = result([
      { ...step('ping', 200), host: longHost },
      { ...step('manifest-get', 404), host: longHost },
    ]);
    return {
      ...base,
      status: 'failing',
      diagnosis: {
        code: 'MANIFEST_UNKNOWN',
        summary:
          'The tag or digest does not exist in the repository (404 MANIFEST_UNKNOWN), or it was removed by a lifecycle policy.',
        evidence: [
          `GET https://${longHost}/v2/some/deeply/nested/repository/name/manifests/sha256:${'a'.repeat(64)}`,
        ],
        nextSteps: [
          `skopeo inspect --raw --creds "$USER:$TOKEN" --tls-verify=false docker://${longHost}/some/deeply/nested/repository/name:latest`,
          'The tag was deleted, never pushed, or removed by a lifecycle or retention policy of the registry that hosts it.',
        ],
        runbook:
          'https://github.com/registry-canary/registry-canary/blob/main/docs/runbooks/MANIFEST_UNKNOWN.md',
      },
    };
  }

  it('keeps every line within 100 columns but the reference itself and a shell word too long for any line', () => {
    const lines = formatResult(failing()).split('\n').slice(1);

    for (const line of lines) {
      // One word (a docker:// URL) cannot be split without breaking the command it is part of.
      const oneWord = /^ *\S+( \\)?$/.test(line);
      if (!oneWord) expect(line.length, line).toBeLessThanOrEqual(100);
    }
    expect(lines.filter((l) => l.length > 100)).toEqual([
      `      docker://${longHost}/some/deeply/nested/repository/name:latest`,
    ]);
  });

  it('shortens a URL in evidence in the middle, keeping its host and its end', () => {
    const text = formatResult(failing());

    expect(text).toMatch(new RegExp(`- GET https://${longHost.replaceAll('.', '\\.')}/…[^ ]*a{6}$`, 'm'));
  });

  it('wraps a command with shell continuations between words and never inside quotes', () => {
    const lines = formatResult(failing()).split('\n');
    const start = lines.findIndex((l) => l.trimStart().startsWith('skopeo inspect'));

    expect(lines[start]!.endsWith(' \\')).toBe(true);
    // Rejoined the way a shell reads the continuation, it is the command again.
    const joined = [lines[start], lines[start + 1]].map((l) => l!.trim().replace(/ \\$/, '')).join(' ');
    expect(joined).toContain('--creds "$USER:$TOKEN"');
    expect(joined).toBe(failing().diagnosis!.nextSteps[0]);
  });

  it('prints the timing legend once for several results, and a summary line naming the failing ones', () => {
    const text = formatResults([
      failing(),
      { ...failing(), ref: 'ghcr.io/acme/app:v1' },
      result([step('ping', 200)]),
    ]);

    expect(text.split(TIMING_LEGEND)).toHaveLength(2);
    expect(text.split('\n').at(-1)).toBe(
      `3 references: 1 healthy, 0 degraded, 2 failing (registry.example/app:v1, ghcr.io/acme/app:v1)`,
    );
  });

  it('prints no summary line for a single reference', () => {
    expect(formatResults([result([step('ping', 200)])])).not.toMatch(/references:/);
  });
});
