import type { ProbeResult } from '../../../functions/probe/result.ts';
import type { ProbeRuntimeConfig, ProbeTarget } from '../../../functions/run/probe-config.ts';

export function healthyResult(overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    ref: 'docker.io/library/alpine:latest',
    registry: 'registry-1.docker.io',
    repository: 'library/alpine',
    reference: 'latest',
    status: 'healthy',
    diagnosis: null,
    warnings: [],
    digest: 'sha256:aaaa',
    platforms: ['linux/amd64'],
    rateLimit: { limit: 100, remaining: 15, windowSeconds: 21600, source: '203.0.113.7' },
    tls: {
      subject: 'CN=*.docker.io',
      issuer: 'CN=Amazon',
      validTo: '2027-01-01T00:00:00.000Z',
      daysRemaining: 40,
      protocol: 'TLSv1.3',
    },
    steps: [
      {
        name: 'ping',
        method: 'GET',
        url: 'https://registry-1.docker.io/v2/',
        status: 401,
        host: 'registry-1.docker.io',
        timings: { dnsMs: 3, connectMs: 10, tlsMs: 20, ttfbMs: 30, totalMs: 65 },
        reusedConnection: false,
      },
      {
        name: 'manifest-head',
        method: 'HEAD',
        url: 'https://registry-1.docker.io/v2/library/alpine/manifests/latest',
        status: 200,
        host: 'registry-1.docker.io',
        timings: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 25, totalMs: 26 },
        reusedConnection: true,
      },
    ],
    durationMs: 120,
    ...overrides,
  };
}

export function failingResult(code: 'TIMEOUT' | 'NAME_UNKNOWN' = 'NAME_UNKNOWN'): ProbeResult {
  return healthyResult({
    status: 'failing',
    diagnosis: { code, summary: 'failed', evidence: [], nextSteps: [], runbook: 'https://x/NAME_UNKNOWN.md' },
    rateLimit: null,
    tls: null,
    steps: [],
  });
}

export function target(name: string, overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    name,
    image: `registry.example.com/${name}:1`,
    registry: 'registry.example.com',
    repository: name,
    reference: '1',
    credentials: { type: 'anonymous' },
    platforms: ['linux/amd64'],
    timeoutMs: 1_000,
    slowMs: 5_000,
    certExpiryDays: 14,
    rateLimitRatio: 0.2,
    verifyBlob: false,
    plainHttp: false,
    ...overrides,
  };
}

export function runtimeConfig(
  targets: ProbeTarget[],
  overrides: Partial<ProbeRuntimeConfig> = {},
): ProbeRuntimeConfig {
  return {
    region: 'eu-west-1',
    homeRegion: 'us-east-1',
    concurrency: 4,
    deadlineGraceMs: 200,
    caCertificates: [],
    state: { heartbeatMinutes: 15, ttlDays: 14 },
    targets,
    ...overrides,
  };
}
