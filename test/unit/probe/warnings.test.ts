import { describe, expect, it } from 'vitest';
import { warningsFor } from '../../../functions/probe/warnings.ts';

const options = {
  rateLimitWarningRatio: 0.2,
  certExpiryWarningDays: 14,
  slowThresholdMs: 5_000,
  runbookBaseUrl: 'https://rb.example/runbooks',
};
const target = {
  registry: 'registry.example.com',
  repository: 'team/app',
  reference: 'v1',
  plainHttp: false,
  invocation: { command: 'npx registry-canary', flags: ['--platform linux/arm64'] },
};
const tls = (daysRemaining: number) => ({
  subject: 'CN=registry.example.com',
  issuer: 'CN=CA',
  validTo: '2027-01-01T00:00:00.000Z',
  daysRemaining,
  protocol: 'TLSv1.3',
});

describe('warningsFor', () => {
  it('warns of a certificate expiring within the threshold, with its steps and runbook', () => {
    const [warning] = warningsFor({ rateLimit: null, tls: tls(5), durationMs: 10 }, options, target);

    expect(warning).toMatchObject({
      code: 'CERT_EXPIRING',
      summary: expect.stringContaining('expires in 5 day(s)'),
      runbook: 'https://rb.example/runbooks/CERT_EXPIRING.md',
    });
    expect(warning?.nextSteps?.[0]).toContain('openssl s_client -connect registry.example.com:443');
  });

  it('warns on the last day (0 days left), not after it', () => {
    expect(warningsFor({ rateLimit: null, tls: tls(0), durationMs: 10 }, options, target)).toHaveLength(1);
    expect(warningsFor({ rateLimit: null, tls: tls(-1), durationMs: 10 }, options, target)).toEqual([]);
  });

  it('gives an expired certificate no "expires in -1036 days" warning (the probe fails TLS_EXPIRED)', () => {
    expect(warningsFor({ rateLimit: null, tls: tls(-1036), durationMs: 10 }, options, target)).toEqual([]);
  });

  it('repeats the run with its own command and flags in the SLOW steps', () => {
    const [warning] = warningsFor({ rateLimit: null, tls: null, durationMs: 6_000 }, options, target);

    expect(warning?.code).toBe('SLOW');
    expect(warning?.runbook).toBe('https://rb.example/runbooks/SLOW.md');
    expect(warning?.nextSteps?.[0]).toBe(
      'npx registry-canary probe registry.example.com/team/app:v1 --platform linux/arm64   # the STEP table shows which phase is slow',
    );
  });

  it('names where a low pull budget is counted', () => {
    const [warning] = warningsFor(
      {
        rateLimit: { limit: 100, remaining: 5, windowSeconds: 21_600, source: '203.0.113.7' },
        tls: null,
        durationMs: 10,
      },
      options,
      target,
    );

    expect(warning?.code).toBe('RATE_LIMIT_LOW');
    expect(warning?.runbook).toBe('https://rb.example/runbooks/RATE_LIMIT_LOW.md');
    expect(warning?.nextSteps?.join('\n')).toContain('counted for 203.0.113.7');
  });
});
