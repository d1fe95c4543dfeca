/**
 * The incidents a person would open, as data: what each cause is, how severe, what its title says,
 * and the scope's own first steps (before the probe's registry-specific next steps). The grouping
 * (classify.ts) decides which cause a failing target belongs to; everything that varies by cause
 * lives in these records, so adding one is a record here and a test.
 */
import type { AlarmSeverity } from '../alarm-catalog.ts';

export type CauseKind = 'registry' | 'region' | 'target' | 'probe' | 'certificate' | 'degraded' | 'alarm';

export interface CauseSpec {
  kind: CauseKind;
  severity: AlarmSeverity;
  /** The status word the title opens with while the incident is open. */
  status: string;
  /** One line under the title: what kind of fault this is, with `{subject}` filled in. */
  scopeLine: string;
  /** What to check first for the scope as a whole, `{subject}` filled in; before the probe's next steps. */
  firstSteps: readonly string[];
  /** Runbook page name under the runbook base, when the cause has its own (else the diagnosis code's). */
  runbook: string | null;
}

export const CAUSES = {
  registry: {
    kind: 'registry',
    severity: 'critical',
    status: 'FAILING',
    scopeLine: 'Registry fault: {subject} fails for its targets; other registries are fine.',
    firstSteps: ["Check the registry's status page and recent changes on its side before our config."],
    runbook: null,
  },
  region: {
    kind: 'region',
    severity: 'critical',
    status: 'FAILING',
    scopeLine:
      "Regional fault: every failing registry fails only from {subject}; suspect that region's probe network, not the registries.",
    firstSteps: [
      'Check the NAT gateway and route tables of the probe VPC in {subject} (if the probe runs in a VPC).',
      'Check the HTTPS proxy the probe uses in {subject}, if any, and its logs.',
      'Read the failing runs in the probe log group /registry-canary/probe in {subject} (Logs Insights link below).',
      'Compare with the other regions: the same images pull there, so the registries are up.',
    ],
    runbook: null,
  },
  target: {
    kind: 'target',
    severity: 'critical',
    status: 'FAILING',
    scopeLine: 'Image problem: only {subject} fails; its registry serves the other targets.',
    firstSteps: ['Check that the image reference still exists (repository, tag or digest, platform).'],
    runbook: null,
  },
  probe: {
    kind: 'probe',
    severity: 'critical',
    status: 'PROBE STOPPED',
    scopeLine: 'The probe in {subject} stopped sending results: registries are not being watched from there.',
    firstSteps: [
      "Read the probe's dead-letter queue in {subject}: a failed run's event says why (timeout, throttling, a config error).",
      'Read the log group /registry-canary/probe in {subject} for errors since the last run.',
      'Check its EventBridge Scheduler schedules in {subject} are enabled and can invoke the function.',
    ],
    runbook: 'PROBE_DLQ',
  },
  certificate: {
    kind: 'certificate',
    severity: 'warning',
    status: 'WARNING',
    scopeLine: "Certificate expiring: {subject}'s TLS certificate needs renewing soon; pulls still work.",
    firstSteps: [
      'Renew the certificate of {subject}, or ask its owner to; check its issuer and expiry date.',
    ],
    runbook: 'CERT_EXPIRING',
  },
  degraded: {
    kind: 'degraded',
    severity: 'warning',
    status: 'WARNING',
    scopeLine: '{subject} is degraded for some targets (slow, or low pull budget); pulls still work.',
    firstSteps: [],
    runbook: null,
  },
  alarm: {
    kind: 'alarm',
    severity: 'critical',
    status: 'ALARM',
    scopeLine: 'Alarm {subject} is in ALARM.',
    firstSteps: ["Read the alarm's description and reason below."],
    runbook: null,
  },
} as const satisfies Record<CauseKind, CauseSpec>;

/**
 * Diagnoses about one image rather than a registry: a registry that answers NAME_UNKNOWN for one
 * repository is up. Each such target is its own incident, whatever else fails on its registry.
 */
export const IMAGE_CODES: ReadonlySet<string> = new Set([
  'NAME_UNKNOWN',
  'MANIFEST_UNKNOWN',
  'PLATFORM_MISSING',
  'BLOB_UNKNOWN',
  'DIGEST_MISMATCH',
]);

export function fill(template: string, subject: string): string {
  return template.replaceAll('{subject}', subject);
}

/** `kind:subject`: the key an incident is found by while its cause holds. */
export function causeKey(kind: CauseKind, subject: string): string {
  return `${kind}:${subject}`;
}
