/**
 * The whole of each warning, next steps and runbook included, for the targets whose commands
 * differ: a registry on its own port, an IPv6 registry, a plain-HTTP registry, a digest reference,
 * a run with and without its own command and flags. The steps are pasted into a shell as they
 * are, so they are pinned in full: a command that names the wrong host, port or reference sends
 * the reader to the wrong place.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimit, TlsInfo } from '../../../functions/probe/result.ts';
import { type WarningTarget, warningsFor } from '../../../functions/probe/warnings.ts';

const options = {
  rateLimitWarningRatio: 0.2,
  certExpiryWarningDays: 14,
  slowThresholdMs: 5_000,
  runbookBaseUrl: 'https://rb.example/runbooks/',
};

const tls = (daysRemaining: number): TlsInfo => ({
  subject: 'CN=registry.example.com',
  issuer: 'CN=Example CA',
  validTo: '2027-01-01T00:00:00.000Z',
  daysRemaining,
  protocol: 'TLSv1.3',
});

const budget = (remaining: number, rest: Partial<RateLimit> = {}): RateLimit => ({
  limit: 100,
  remaining,
  windowSeconds: 21_600,
  source: '203.0.113.7',
  ...rest,
});

const https: WarningTarget = {
  registry: 'registry.example.com',
  repository: 'team/app',
  reference: 'v1',
  plainHttp: false,
};

const renew =
  'Renew the certificate on the registry or its load balancer before that date (or check why automatic renewal did not run).';
const compare =
  "Compare the phases: slow DNS or connect points at the network or resolver, a slow ttfb at the registry or its token service; check the registry's status page.";
const authenticate =
  'Authenticate the pulls (an account has a larger budget than an anonymous address), or pull through a mirror or pull-through cache.';
const curlTimes = (base: string) =>
  `curl -sS -o /dev/null -w 'dns %{time_namelookup}s connect %{time_connect}s tls %{time_appconnect}s ttfb %{time_starttransfer}s total %{time_total}s\\n' ${base}/v2/`;

describe('warningsFor: the whole warning', () => {
  it('CERT_EXPIRING: s_client on port 443 when the registry names no port, and the runbook', () => {
    expect(warningsFor({ rateLimit: null, tls: tls(13), durationMs: 10 }, options, https)).toEqual([
      {
        code: 'CERT_EXPIRING',
        summary:
          'The certificate for CN=registry.example.com expires in 13 day(s), on 2027-01-01T00:00:00.000Z.',
        nextSteps: [
          'openssl s_client -connect registry.example.com:443 -servername registry.example.com </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate',
          renew,
        ],
        // The base URL's trailing slash is not doubled.
        runbook: 'https://rb.example/runbooks/CERT_EXPIRING.md',
      },
    ]);
  });

  it('CERT_EXPIRING: the registry port goes to -connect and never into -servername', () => {
    const [warning] = warningsFor({ rateLimit: null, tls: tls(3), durationMs: 10 }, options, {
      ...https,
      registry: 'registry.example.com:5443',
    });
    expect(warning?.nextSteps?.[0]).toBe(
      'openssl s_client -connect registry.example.com:5443 -servername registry.example.com </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate',
    );
  });

  it('CERT_EXPIRING: an IPv6 registry keeps its brackets for -connect and drops them for -servername', () => {
    const steps = (registry: string) =>
      warningsFor({ rateLimit: null, tls: tls(3), durationMs: 10 }, options, { ...https, registry })[0]
        ?.nextSteps?.[0];
    // Only the last ":digits" is the port: the address's own "::1" is not.
    expect(steps('[2001:db8::1]:5443')).toBe(
      'openssl s_client -connect [2001:db8::1]:5443 -servername 2001:db8::1 </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate',
    );
    expect(steps('[2001:db8::1]')).toBe(
      'openssl s_client -connect [2001:db8::1]:443 -servername 2001:db8::1 </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate',
    );
  });

  it('CERT_EXPIRING: none for an expired certificate (the probe fails TLS_EXPIRED), one from 0 up to 13 days', () => {
    const codes = (days: number) =>
      warningsFor({ rateLimit: null, tls: tls(days), durationMs: 10 }, options, https).map((w) => w.code);
    expect(codes(-1)).toEqual([]);
    expect(codes(-400)).toEqual([]);
    expect(codes(0)).toEqual(['CERT_EXPIRING']);
    expect(codes(13)).toEqual(['CERT_EXPIRING']);
    expect(codes(14)).toEqual([]);
  });

  it('SLOW: repeats the probe with the default command and no flags, and times the phases over HTTPS', () => {
    expect(warningsFor({ rateLimit: null, tls: null, durationMs: 5_001 }, options, https)).toEqual([
      {
        code: 'SLOW',
        summary: 'The probe took 5001 ms, over the 5000 ms threshold.',
        nextSteps: [
          'registry-canary probe registry.example.com/team/app:v1   # the STEP table shows which phase is slow',
          curlTimes('https://registry.example.com'),
          compare,
        ],
        runbook: 'https://rb.example/runbooks/SLOW.md',
      },
    ]);
  });

  it('SLOW: a plain-HTTP registry on a port is timed over http://, and a digest reference is written with @', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const [warning] = warningsFor({ rateLimit: null, tls: null, durationMs: 9_000 }, options, {
      registry: 'registry.local:5000',
      repository: 'team/app',
      reference: digest,
      plainHttp: true,
      invocation: { command: 'npx registry-canary', flags: ['--plain-http', '--ca-file ca.pem'] },
    });
    expect(warning?.nextSteps).toEqual([
      `npx registry-canary probe registry.local:5000/team/app@${digest} --plain-http --ca-file ca.pem   # the STEP table shows which phase is slow`,
      curlTimes('http://registry.local:5000'),
      compare,
    ]);
  });

  it('RATE_LIMIT_LOW: the budget again, where it is counted, and how to get a larger one', () => {
    expect(warningsFor({ rateLimit: budget(19), tls: null, durationMs: 10 }, options, https)).toEqual([
      {
        code: 'RATE_LIMIT_LOW',
        summary: 'Only 19 of 100 pulls per 6 h remain (below 20%).',
        nextSteps: [
          "registry-canary probe registry.example.com/team/app:v1 --json | jq '.[0].rateLimit'   # the budget again (the probe's HEAD spends no pull)",
          'The budget is counted for 203.0.113.7: every pull from that address or account spends it.',
          authenticate,
        ],
        runbook: 'https://rb.example/runbooks/RATE_LIMIT_LOW.md',
      },
    ]);
  });

  it('RATE_LIMIT_LOW: says nothing of where the budget is counted when the registry does not say', () => {
    const [warning] = warningsFor(
      { rateLimit: budget(0, { source: null, windowSeconds: null }), tls: null, durationMs: 10 },
      options,
      { ...https, invocation: { command: 'npx registry-canary', flags: ['--auth ecr'] } },
    );
    expect(warning?.summary).toBe('Only 0 of 100 pulls remain (below 20%).');
    expect(warning?.nextSteps).toEqual([
      "npx registry-canary probe registry.example.com/team/app:v1 --auth ecr --json | jq '.[0].rateLimit'   # the budget again (the probe's HEAD spends no pull)",
      authenticate,
    ]);
  });

  it('RATE_LIMIT_LOW: names the window in minutes or seconds when it is not whole hours', () => {
    const summary = (windowSeconds: number) =>
      warningsFor({ rateLimit: budget(1, { windowSeconds }), tls: null, durationMs: 10 }, options, https)[0]
        ?.summary;
    expect(summary(3_600)).toBe('Only 1 of 100 pulls per 1 h remain (below 20%).');
    expect(summary(600)).toBe('Only 1 of 100 pulls per 10 min remain (below 20%).');
    expect(summary(90)).toBe('Only 1 of 100 pulls per 90 s remain (below 20%).');
  });

  it('gives all three warnings together, each with its own runbook', () => {
    const warnings = warningsFor({ rateLimit: budget(1), tls: tls(1), durationMs: 60_000 }, options, https);
    expect(warnings.map((w) => [w.code, w.runbook])).toEqual([
      ['RATE_LIMIT_LOW', 'https://rb.example/runbooks/RATE_LIMIT_LOW.md'],
      ['CERT_EXPIRING', 'https://rb.example/runbooks/CERT_EXPIRING.md'],
      ['SLOW', 'https://rb.example/runbooks/SLOW.md'],
    ]);
  });
});
