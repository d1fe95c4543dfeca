/**
 * The alarms that are about a probe region or a registry host rather than one target
 * (functions/publish/alarm-catalog.ts): a region whose probe stopped (its heartbeat), and a registry
 * whose certificate is about to expire (one alarm per host, however many targets pull from it).
 */
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ALARM_KINDS, type AlarmThresholds, alarmName } from '../../functions/publish/alarm-catalog.ts';
import { type AlarmPolicy, createCanaryAlarm } from './canary-alarm.ts';
import type { CanaryMetrics } from './canary-metrics.ts';

const NO_THRESHOLDS: AlarmThresholds = {
  one: 1,
  outageRegions: 1,
  regions: 1,
  slowMs: 0,
  certExpiryDays: 0,
  rateLimitPercent: 0,
  runsPerPeriod: 1,
  zero: 0,
};

export interface ProbeRegion {
  region: string;
  /** Runs the region finishes per period: one per shard (lib/config/shards.ts). */
  shards: number;
}

export interface FleetAlarmsProps {
  metrics: CanaryMetrics;
  policy: AlarmPolicy;
  regions: readonly ProbeRegion[];
  /** Each registry host whose certificate is watched, with the days of warning its targets ask for (the most). */
  registries: ReadonlyMap<string, { certExpiryDays: number; targets: readonly string[] }>;
  runbookBaseUrl?: string;
  alarmAction: IAlarmAction;
}

export class FleetAlarms extends Construct {
  readonly probeSilent: Alarm[] = [];
  readonly certificates: Alarm[] = [];
  /** Names are known at synth; the alarms' own `alarmName` is a token. */
  readonly probeSilentAlarmNames: string[] = [];
  readonly certificateAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: FleetAlarmsProps) {
    super(scope, id);
    const common = {
      policy: props.policy,
      period: props.metrics.period,
      action: props.alarmAction,
      ...(props.runbookBaseUrl ? { runbookBaseUrl: props.runbookBaseUrl } : {}),
    };
    for (const { region, shards } of props.regions) {
      this.probeSilentAlarmNames.push(alarmName('ProbeSilent', region));
      this.probeSilent.push(
        createCanaryAlarm(this, `ProbeSilent-${region}`, {
          ...common,
          kind: 'ProbeSilent',
          subject: region,
          metric: props.metrics.forAlarm(ALARM_KINDS.ProbeSilent, region),
          thresholds: { ...NO_THRESHOLDS, runsPerPeriod: shards },
          what: (w) =>
            `The probe in ${region} did not report ${shards === 1 ? 'a finished run' : `all ${shards} shards' runs`} ${w}: it stopped running, fails before publishing, or cannot reach the home region. Check its dead-letter queue alarm, its log group /registry-canary/probe and its schedule in ${region}.`,
        }),
      );
    }
    for (const [registry, { certExpiryDays, targets }] of props.registries) {
      const subject = certificateSubject(registry);
      this.certificateAlarmNames.push(alarmName('CertificateExpiring', subject));
      this.certificates.push(
        createCanaryAlarm(this, `CertificateExpiring-${registry}`, {
          ...common,
          kind: 'CertificateExpiring',
          subject,
          metric: props.metrics.forAlarm(ALARM_KINDS.CertificateExpiring, registry),
          thresholds: { ...NO_THRESHOLDS, certExpiryDays },
          what: (w) =>
            `The TLS certificate of ${registry} (${namesOf(targets)}) expires in fewer than ${certExpiryDays} days, seen ${w}.`,
        }),
      );
    }
  }
}

/** A registry host as an alarm name's subject: `host:port` keeps its port as `host_port`, so the name stays one ARN segment. */
export function certificateSubject(registry: string): string {
  return registry.replace(/:/g, '_');
}

/** A few target names, then how many more: the description has a limit, and a registry may serve hundreds. */
export function namesOf(targets: readonly string[], shown = 5): string {
  const noun = targets.length === 1 ? 'target' : 'targets';
  if (targets.length <= shown) return `${noun} ${targets.join(', ')}`;
  return `${noun} ${targets.slice(0, shown).join(', ')} and ${targets.length - shown} more`;
}
