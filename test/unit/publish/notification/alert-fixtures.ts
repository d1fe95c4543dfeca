/** Alert models for renderer tests, built the way the notifier builds them. */
import type { Alert, TargetAlert } from '../../../../functions/publish/notification/model.ts';

export function targetAlert(name: string, overrides: Partial<TargetAlert> = {}): TargetAlert {
  return {
    target: name,
    ref: `docker.io/library/${name}:latest`,
    condition: 'failing',
    scope: {
      expected: ['eu-west-1', 'us-east-1'],
      failing: ['eu-west-1', 'us-east-1'],
      degraded: [],
      healthy: [],
      silent: [],
      text: 'failing in all 2 regions: eu-west-1, us-east-1',
    },
    since: '2026-11-22T10:00:00.000Z',
    consecutiveFailures: 3,
    code: 'RATE_LIMITED',
    summary: 'Docker Hub refused the pull: the anonymous pull budget is spent.',
    evidence: ['GET https://registry-1.docker.io/v2/library/alpine/manifests/latest -> 429'],
    nextSteps: ['Authenticate pulls with a Docker Hub account'],
    runbook: 'https://example.com/runbooks/RATE_LIMITED.md',
    otherDiagnoses: [],
    rateLimits: [{ region: 'eu-west-1', remaining: 0, limit: 100, source: '203.0.113.7' }],
    certDaysRemaining: 98,
    alarms: [`${name}-failing`],
    alarmReason: 'Threshold Crossed: 2 out of the last 3 datapoints were less than the threshold (1.0).',
    ...overrides,
  };
}

export function alert(failing: TargetAlert[], overrides: Partial<Alert> = {}): Alert {
  return {
    kind: 'opened',
    group: 'registry-1.docker.io',
    threadId: 'registry-canary/registry-1.docker.io/2026-11-22T10:00:00.000Z',
    title: `ALARM registry-1.docker.io: ${failing.length} targets failing in all 2 regions (RATE_LIMITED)`,
    status: 'ALARM',
    headline: `${failing.length} targets of registry-1.docker.io failing in all 2 regions.`,
    openedAt: '2026-11-22T10:00:00.000Z',
    at: '2026-11-22T10:05:00.000Z',
    durationMs: null,
    code: 'RATE_LIMITED',
    failing,
    recovered: [],
    omitted: 0,
    recoveredOmitted: 0,
    dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards',
    alarmArns: [],
    ...overrides,
  };
}
