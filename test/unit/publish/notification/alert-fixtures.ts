/** Alert models for renderer tests, shaped the way the notifier builds them. */
import {
  type Alert,
  groupByDiagnosis,
  type TargetAlert,
} from '../../../../functions/publish/notification/model.ts';

export function targetAlert(name: string, overrides: Partial<TargetAlert> = {}): TargetAlert {
  return {
    target: name,
    ref: `docker.io/library/${name}:latest`,
    owner: 'platform',
    registry: 'registry-1.docker.io',
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
    alarmReason: 'Threshold Crossed: 2 out of the last 3 datapoints were less than the threshold (1.0).',
    ...overrides,
  };
}

export function alert(failing: TargetAlert[], overrides: Partial<Alert> = {}): Alert {
  return {
    event: 'opened',
    incidentId: 'registry-canary/registry:registry-1.docker.io/2026-11-22T10:00:00.000Z',
    cause: 'registry',
    severity: 'critical',
    messageSeverity: 'critical',
    status: 'ALARM',
    title: `FAILING RATE_LIMITED in all 2 regions: registry-1.docker.io (${failing.length} targets)`,
    scopeLine: 'Registry fault: registry-1.docker.io fails for its targets; other registries are fine.',
    headline: `${failing.length} targets failing; owner platform.`,
    subject: 'registry-1.docker.io',
    registries: ['registry-1.docker.io'],
    regions: { failing: ['eu-west-1', 'us-east-1'], expected: ['eu-west-1', 'us-east-1'] },
    code: 'RATE_LIMITED',
    owners: ['platform'],
    openedAt: '2026-11-22T10:00:00.000Z',
    at: '2026-11-22T10:05:00.000Z',
    durationMs: null,
    failingCount: failing.length,
    groups: groupByDiagnosis(failing),
    omitted: 0,
    recovered: [],
    recoveredOmitted: 0,
    changes: null,
    firstSteps: [],
    links: {
      logs: [],
      alarms: [],
      dashboard: 'https://console.aws.amazon.com/cloudwatch/home#dashboards',
      runbook: 'https://example.com/runbooks/RATE_LIMITED.md',
      probe: null,
    },
    reminder: null,
    probe: null,
    mergedInto: null,
    alarmArns: [],
    ...overrides,
  };
}

/** `count` targets, each with its own diagnosis (its own summary), so none are grouped. */
export function distinctTargets(
  count: number,
  build: (i: number) => Partial<TargetAlert> = () => ({}),
): TargetAlert[] {
  return Array.from({ length: count }, (_, i) =>
    targetAlert(`image-${String(i).padStart(3, '0')}`, { summary: `diagnosis ${i}`, ...build(i) }),
  );
}
