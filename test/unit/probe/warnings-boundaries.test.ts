import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBE_DEFAULTS } from '../../../functions/probe/options.ts';
import type { ProbeWarning, RateLimit, TlsInfo } from '../../../functions/probe/result.ts';
import { type WarningInputs, warningsFor } from '../../../functions/probe/warnings.ts';

// The defaults the Lambda and the CLI use: warn below 20% of the pull budget, below 14 days of
// certificate life, above 5 s.
const options = {
  rateLimitWarningRatio: PROBE_DEFAULTS.rateLimitWarningRatio,
  certExpiryWarningDays: PROBE_DEFAULTS.certExpiryWarningDays,
  slowThresholdMs: PROBE_DEFAULTS.slowThresholdMs,
};

const dockerHub = (remaining: number | null, limit: number | null = 100): RateLimit => ({
  limit,
  remaining,
  windowSeconds: 21600,
  source: '203.0.113.9',
});

const tls = (daysRemaining: number, subject = 'registry.example.com'): TlsInfo => ({
  subject,
  issuer: 'Example CA',
  validTo: '2026-12-20T00:00:00.000Z',
  daysRemaining,
  protocol: 'TLSv1.3',
});

const healthy: WarningInputs = { rateLimit: dockerHub(76), tls: tls(60), durationMs: 800 };

// What a warning's next steps would name. Passed as a third argument so that these boundary tests
// hold whether or not warningsFor takes it (the dialect work adds next steps to warnings); they
// check code and summary, and match warnings partially for the same reason.
const target = {
  registry: 'registry.example.com',
  repository: 'team/app',
  reference: 'v1',
  plainHttp: false,
};
type WarningsFor = (inputs: WarningInputs, opts: typeof options, t: typeof target) => ProbeWarning[];
const warn = (inputs: WarningInputs, opts: typeof options = options): ProbeWarning[] =>
  (warningsFor as unknown as WarningsFor)(
    inputs,
    { ...opts, runbookBaseUrl: 'https://rb.example' } as typeof options,
    target,
  );

const codes = (inputs: Partial<WarningInputs>) => warn({ ...healthy, ...inputs }).map((w) => w.code);

describe('warningsFor', () => {
  it('uses the documented defaults: 20%, 14 days, 5000 ms', () => {
    expect(options).toEqual({ rateLimitWarningRatio: 0.2, certExpiryWarningDays: 14, slowThresholdMs: 5000 });
  });

  it('gives no warning for a healthy probe', () => {
    expect(warn(healthy)).toEqual([]);
  });

  it('gives no warning when the registry declares no rate limit, no TLS and a quick probe', () => {
    expect(warn({ rateLimit: null, tls: null, durationMs: 0 })).toEqual([]);
  });

  describe('rate limit', () => {
    it('warns below 20% of the budget, with the numbers and the window', () => {
      expect(warn({ ...healthy, rateLimit: dockerHub(19) })).toMatchObject([
        { code: 'RATE_LIMIT_LOW', summary: 'Only 19 of 100 pulls per 6 h remain (below 20%).' },
      ]);
    });

    it('does not warn at exactly 20% of the budget', () => {
      expect(codes({ rateLimit: dockerHub(20) })).toEqual([]);
    });

    it('warns when the budget is spent', () => {
      expect(codes({ rateLimit: dockerHub(0) })).toEqual(['RATE_LIMIT_LOW']);
    });

    it('does not warn when the remaining count is unreadable', () => {
      expect(codes({ rateLimit: dockerHub(null) })).toEqual([]);
    });

    it('does not warn when the limit is unreadable or zero', () => {
      expect(codes({ rateLimit: dockerHub(0, null) })).toEqual([]);
      expect(codes({ rateLimit: dockerHub(0, 0) })).toEqual([]);
    });

    it('follows the configured ratio, and says it', () => {
      const quarter = { ...options, rateLimitWarningRatio: 0.25 };
      const at = (remaining: number) =>
        warn({ ...healthy, rateLimit: { ...dockerHub(remaining, 10), windowSeconds: null } }, quarter);
      expect(at(3)).toEqual([]);
      expect(at(2)).toMatchObject([
        { code: 'RATE_LIMIT_LOW', summary: 'Only 2 of 10 pulls remain (below 25%).' },
      ]);
    });

    it.each([
      [3600, 'per 1 h'],
      [21600, 'per 6 h'],
      [60, 'per 1 min'],
      [5400, 'per 90 min'],
      [90, 'per 90 s'],
      [1, 'per 1 s'],
    ])('writes a window of %i s as "%s"', (windowSeconds, text) => {
      const [warning] = warn({ ...healthy, rateLimit: { ...dockerHub(1), windowSeconds } });
      expect(warning?.summary).toBe(`Only 1 of 100 pulls ${text} remain (below 20%).`);
    });

    it.each([null, 0])('leaves out a window of %j', (windowSeconds) => {
      const [warning] = warn({ ...healthy, rateLimit: { ...dockerHub(1), windowSeconds } });
      expect(warning?.summary).toBe('Only 1 of 100 pulls remain (below 20%).');
    });

    it('warns exactly when remaining < limit × ratio (law)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100_000 }), fc.nat(100_000), (limit, remaining) => {
          const warned = codes({ rateLimit: dockerHub(remaining, limit) }).includes('RATE_LIMIT_LOW');
          expect(warned).toBe(remaining < limit * 0.2);
        }),
      );
    });
  });

  describe('certificate', () => {
    it('warns at 13 days, naming the subject, the days and the date', () => {
      expect(warn({ ...healthy, tls: tls(13) })).toMatchObject([
        {
          code: 'CERT_EXPIRING',
          summary:
            'The certificate for registry.example.com expires in 13 day(s), on 2026-12-20T00:00:00.000Z.',
        },
      ]);
    });

    it('does not warn at 14 days', () => {
      expect(codes({ tls: tls(14) })).toEqual([]);
    });

    it('warns on the last day', () => {
      expect(codes({ tls: tls(0) })).toEqual(['CERT_EXPIRING']);
    });

    it('names the registry when the certificate has no subject', () => {
      const [warning] = warn({ ...healthy, tls: tls(3, '') });
      expect(warning?.summary).toBe(
        'The certificate for the registry expires in 3 day(s), on 2026-12-20T00:00:00.000Z.',
      );
    });

    it('follows the configured number of days', () => {
      const month = { ...options, certExpiryWarningDays: 30 };
      expect(warn({ ...healthy, tls: tls(29) }, month).map((w) => w.code)).toEqual(['CERT_EXPIRING']);
      expect(warn({ ...healthy, tls: tls(30) }, month)).toEqual([]);
    });
  });

  describe('duration', () => {
    it('warns above the threshold, with both numbers', () => {
      expect(warn({ ...healthy, durationMs: 5001 })).toMatchObject([
        { code: 'SLOW', summary: 'The probe took 5001 ms, over the 5000 ms threshold.' },
      ]);
    });

    it('does not warn at exactly the threshold', () => {
      expect(codes({ durationMs: 5000 })).toEqual([]);
    });
  });

  it('gives every warning that applies, in a stable order', () => {
    expect(codes({ rateLimit: dockerHub(1), tls: tls(1), durationMs: 60_000 })).toEqual([
      'RATE_LIMIT_LOW',
      'CERT_EXPIRING',
      'SLOW',
    ]);
  });
});
