import { describe, expect, it } from 'vitest';
import { resultAttributes } from '../../../functions/publish/state-item.ts';
import { failingResult, healthyResult } from './state-fixtures.ts';

describe('resultAttributes', () => {
  it("keeps a degraded result's own next steps and runbook: its first warning's", () => {
    const degraded = healthyResult({
      status: 'degraded',
      warnings: [
        {
          code: 'CERT_EXPIRING',
          summary: 'The certificate expires in 5 day(s).',
          nextSteps: ['openssl s_client -connect registry.example.com:443'],
          runbook: 'https://rb.example/CERT_EXPIRING.md',
        },
        { code: 'SLOW', summary: 'slow', nextSteps: ['curl ...'], runbook: 'https://rb.example/SLOW.md' },
      ],
    });

    expect(resultAttributes(degraded)).toMatchObject({
      nextSteps: ['openssl s_client -connect registry.example.com:443'],
      runbook: 'https://rb.example/CERT_EXPIRING.md',
    });
  });

  it("keeps a failing result's diagnosis steps, not a warning's", () => {
    const failing = failingResult('DNS_FAILURE');
    const attributes = resultAttributes({
      ...failing,
      warnings: [
        { code: 'SLOW', summary: 'slow', nextSteps: ['curl ...'], runbook: 'https://rb.example/SLOW.md' },
      ],
    });

    expect(attributes['runbook']).toBe(failing.diagnosis?.runbook ?? null);
    expect(attributes['nextSteps']).not.toContain('curl ...');
  });
});

describe('resultAttributes with mirrors', () => {
  const mirror = (image: string, status: 'healthy' | 'degraded' | 'failing') => ({
    image,
    registry: image.split('/')[0]!,
    repository: 'library/alpine',
    reference: 'latest',
    status,
    code: status === 'failing' ? ('TIMEOUT' as const) : null,
    summary: null,
    digest: status === 'failing' ? null : 'sha256:aaaa',
    durationMs: 10,
  });

  it('keeps the first passing mirror of a failing target, for the alert', () => {
    const attributes = resultAttributes({
      ...failingResult('TIMEOUT'),
      mirrors: [
        mirror('a.example.com/library/alpine:latest', 'failing'),
        mirror('b.example.com/library/alpine:latest', 'degraded'),
      ],
    });

    expect(attributes['healthyMirror']).toBe('b.example.com/library/alpine:latest');
  });

  it('writes no healthyMirror for a passing target, or when every mirror fails', () => {
    const passing = resultAttributes({
      ...healthyResult(),
      mirrors: [mirror('a.example.com/library/alpine:latest', 'healthy')],
    });
    const allDown = resultAttributes({
      ...failingResult('TIMEOUT'),
      mirrors: [mirror('a.example.com/library/alpine:latest', 'failing')],
    });

    expect(Object.keys(passing)).not.toContain('healthyMirror');
    expect(Object.keys(allDown)).not.toContain('healthyMirror');
  });
});
