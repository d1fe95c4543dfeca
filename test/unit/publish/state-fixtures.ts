/** Probe results for state and notification tests. */
import type { DiagnosisCode } from '../../../functions/probe/codes.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';

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
    rateLimit: { limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7' },
    tls: {
      subject: 'CN=*.docker.io',
      issuer: 'CN=Amazon RSA 2048 M02',
      validTo: '2027-03-01T00:00:00.000Z',
      daysRemaining: 98,
      protocol: 'TLSv1.3',
    },
    steps: [],
    durationMs: 412.4,
    ...overrides,
  };
}

export function failingResult(
  code: DiagnosisCode = 'RATE_LIMITED',
  overrides: Partial<ProbeResult> = {},
): ProbeResult {
  return healthyResult({
    status: 'failing',
    diagnosis: {
      code,
      summary: `${code}: the registry refused the manifest request`,
      evidence: [
        'GET https://registry-1.docker.io/v2/library/alpine/manifests/latest -> 429',
        'ratelimit-remaining: 0;w=21600',
      ],
      nextSteps: ['Authenticate pulls with a Docker Hub account', 'Use a pull-through cache'],
      runbook: `https://example.com/runbooks/${code}.md`,
    },
    rateLimit: { limit: 100, remaining: 0, windowSeconds: 21600, source: '203.0.113.7' },
    ...overrides,
  });
}
