import { describe, expect, it } from 'vitest';
import { fleetStatusFrom } from '../../../functions/publish/fleet-status.ts';
import type { TargetState } from '../../../functions/publish/state-item.ts';
import { renderReport, timingChart } from '../../../functions/report/html.ts';
import { type ReportCell, reportFromStatus } from '../../../functions/report/model.ts';

const NOW = new Date('2026-12-02T12:00:00.000Z');

function state(overrides: Partial<TargetState>): TargetState {
  return {
    target: 'hub',
    region: 'eu-west-1',
    registry: 'registry-1.docker.io',
    ref: 'docker.io/library/alpine:latest',
    status: 'healthy',
    diagnosisCode: null,
    summary: null,
    evidence: [],
    nextSteps: [],
    runbook: null,
    warnings: [],
    since: NOW.toISOString(),
    consecutiveFailures: 0,
    rateLimitRemaining: null,
    rateLimitLimit: null,
    rateLimitSource: null,
    certDaysRemaining: null,
    lastSeen: NOW.toISOString(),
    ttl: 0,
    ...overrides,
  };
}

function statusReport(states: TargetState[]) {
  const status = fleetStatusFrom(
    {
      table: 'registry-canary-state',
      region: 'eu-west-1',
      targets: [{ name: 'hub', image: 'alpine', regions: ['eu-west-1', 'us-east-1', 'ap-south-1'] }],
      probeRegions: ['eu-west-1', 'us-east-1', 'ap-south-1'],
      staleAfterMs: 35 * 60_000,
      now: NOW,
    },
    [],
    states,
  );
  return reportFromStatus(status, new Map([['hub', 'alpine']]));
}

describe('the HTML report', () => {
  it('escapes what a registry wrote and links only http(s) runbooks', () => {
    const model = statusReport([
      state({
        status: 'failing',
        diagnosisCode: 'PROTOCOL_ERROR',
        summary: '<script>alert(1)</script>',
        evidence: ['body: <img src=x onerror="fetch(\'//evil\')">'],
        runbook: 'javascript:alert(1)',
      }),
    ]);

    const html = renderReport(model);

    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('body: &lt;img src=x onerror=&quot;fetch(&#39;//evil&#39;)&quot;&gt;');
    expect(html).not.toContain('href="javascript:');
    // The only <script> is the report's own.
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('shows a stale result as silent, a region without one as no result, and names the silent regions', () => {
    const model = statusReport([
      state({ region: 'eu-west-1' }),
      state({ region: 'us-east-1', lastSeen: new Date(NOW.getTime() - 2 * 3_600_000).toISOString() }),
    ]);

    const html = renderReport(model);

    expect(model.cells.map((c) => c.status)).toEqual(['healthy', 'silent', 'no-result']);
    expect(html).toMatch(
      /class="cell silent"[^>]*><span class="code">silent<\/span><span class="age">2 h ago</,
    );
    expect(html).toMatch(
      /class="cell no-result"[^>]*><span class="code">no result<\/span><span class="age"><\/span>/,
    );
    expect(html).toContain('Silent probe regions: us-east-1, ap-south-1');
    expect(html).toContain('No request timings: the state of record keeps only the result');
  });

  it('draws each phase of a request in proportion on one axis, the body as total minus the phases', () => {
    const cell = {
      steps: [
        {
          name: 'token',
          method: 'GET',
          url: 'https://auth.docker.io/token',
          status: 200,
          host: 'auth.docker.io',
          reusedConnection: false,
          timings: { dnsMs: 10, connectMs: 20, tlsMs: 30, ttfbMs: 40, totalMs: 200 },
        },
        {
          name: 'manifest-head',
          method: 'HEAD',
          url: 'https://registry-1.docker.io/v2/x/manifests/latest',
          status: 200,
          host: 'registry-1.docker.io',
          reusedConnection: true,
          timings: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 50, totalMs: 50 },
        },
      ],
    } as unknown as ReportCell;

    const svg = timingChart(cell);

    const widths = [...svg.matchAll(/data-phase="(\w+)"[^>]*width="([\d.]+)"/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    // 480 px for the slowest request (200 ms): 2.4 px per ms.
    expect(widths).toEqual([
      ['dnsMs', 24],
      ['connectMs', 48],
      ['tlsMs', 72],
      ['ttfbMs', 96],
      ['restMs', 240],
      ['ttfbMs', 120],
    ]);
  });
});
