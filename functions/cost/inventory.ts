/**
 * What a config deploys and publishes, counted in billing units, derived from the code's own
 * catalogs rather than from formulas copied out of the constructs:
 *
 * - Alarms: every kind of functions/publish/alarm-catalog.ts, multiplied by its scope (a target, a
 *   registry host, a probe region, the canary itself); the kinds a target gets are the ones
 *   `targetAlarmKinds` gives the CDK app. A kind reads one metric, so it bills one alarm metric (the
 *   heartbeat's FILL expression wraps one metric, and CloudWatch bills an alarm per metric it reads).
 * - Metrics: every metric of functions/publish/metrics-catalog.ts, one series per value of its one
 *   dimension, each sent `always` or only `while-warning`.
 * - KMS keys, dashboards, schedules, functions and secrets: counted from the config the way the
 *   stacks create them (one key per probe stack and one in the home stack, shared by its two topics).
 *
 * test/unit/cost/inventory.test.ts synthesises the CDK app for the default config and the reference
 * fleet, nested stacks included, and checks every count here against the templates.
 */

import { splitReference } from '../../lib/config/image-reference.ts';
import { rateLimitAlarmed, rateLimitReported } from '../../lib/config/rate-limit-alarm.ts';
import type { CanaryConfig, TargetConfig } from '../../lib/config/schema.ts';
import { planShards } from '../../lib/config/shards.ts';
import { targetsForRegion } from '../../lib/config/sizing.ts';
import { targetsOfShard } from '../handlers/shard.ts';
import {
  ALARM_KIND_LIST,
  type AlarmKind,
  type AlarmKindSpec,
  targetAlarmKinds,
} from '../publish/alarm-catalog.ts';
import { Dimension, HomeMetric, type HomeMetricKey, type MetricSpec } from '../publish/metrics-catalog.ts';
import { ALERT_TOPIC_NAMES } from '../publish/notification/alert-topics.ts';

/** One deployed alarm, as CloudWatch bills it. */
export interface AlarmUnit {
  kind: AlarmKind;
  /** The target, registry host or region the alarm is about ('notifier' for the canary's own). */
  subject: string;
  /** Metrics the alarm reads: what a standard alarm is billed by. */
  billedMetrics: number;
  /** A period under 60 s (none of ours: the shortest period is the one-minute schedule). */
  highResolution: boolean;
}

/** One billed custom metric: a catalog metric for one value of its dimension. */
export interface MetricSeries {
  key: HomeMetricKey;
  name: string;
  dimension: MetricSpec['dimension'];
  subject: string;
  sent: MetricSpec['sent'];
}

export interface Inventory {
  alarms: AlarmUnit[];
  metrics: MetricSeries[];
  /** Customer-managed KMS keys: one, in the home stack, shared by the alarm and notification topics. */
  kmsKeys: number;
  /** SNS topics: the alarm topic, and one notification topic per format (alert-topics.ts). */
  topics: number;
  /** The notification topics: each alert is published to every one. */
  alertTopics: number;
  /** CloudWatch dashboards: one, in the home region. */
  dashboards: number;
  /** EventBridge Scheduler schedules: one per shard per probe region. */
  schedules: number;
  /** Shards per probe region (one invocation each per run). */
  shards: ReadonlyMap<string, number>;
  /** Targets probed by each shard of each region, in shard order. */
  shardTargets: ReadonlyMap<string, readonly number[]>;
  /** (target, region) pairs: one result, one log line and one state item each per run. */
  targetRegions: number;
  /** Enabled targets probed from at least one region: the subjects of the per-target metrics. */
  targets: readonly TargetConfig[];
  /** Distinct registry hosts of those targets. */
  registries: readonly string[];
  /** Lambda functions in the home region: the notifier, and the Slack webhook subscriber when configured. */
  homeFunctions: number;
  /** EventBridge rules (the notifier's sweep; scheduled-rule events are not billed). */
  eventRules: number;
  /** Distinct Secrets Manager secrets the config names, and the probe regions reading each. */
  secrets: ReadonlyMap<string, readonly string[]>;
}

/** The registry host a target's image is on, as the probe and the certificate alarms name it. */
export function registryOf(target: Pick<TargetConfig, 'image'>): string {
  return splitReference(target.image).registry;
}

/** Each catalog kind reads exactly one metric (see the module comment). */
function billedMetricsOf(_spec: AlarmKindSpec): number {
  return 1;
}

/**
 * Which subjects of a metric's dimension can ever send it. Keyed by the catalog, so a new metric
 * does not compile until it is costed here.
 */
const METRIC_SUBJECTS: Record<HomeMetricKey, (t: TargetConfig) => boolean> = {
  failing: () => true,
  heartbeat: () => true,
  // The budget exists only where the registry sends RateLimit headers (or the config says it does).
  rateLimitLowPercent: (t) => rateLimitReported(t),
  // The deployed probe always speaks HTTPS, so every registry has a certificate.
  certExpiringDays: () => true,
  slowMs: () => true,
};

function probedTargets(config: CanaryConfig): TargetConfig[] {
  return config.targets.filter((t) =>
    config.probeRegions.some((region) => targetsForRegion(config, region).includes(t)),
  );
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export function alarmUnits(config: CanaryConfig): AlarmUnit[] {
  const targets = config.targets.filter((t) => t.enabled);
  const registries = unique(targets.map(registryOf));
  const units: AlarmUnit[] = [];
  const add = (spec: AlarmKindSpec, subject: string) =>
    units.push({
      kind: spec.kind as AlarmKind,
      subject,
      billedMetrics: billedMetricsOf(spec),
      highResolution: false,
    });
  for (const spec of ALARM_KIND_LIST) {
    switch (spec.scope) {
      case 'target':
        for (const target of targets) {
          const regions = (target.regions ?? config.probeRegions).length;
          if (targetAlarmKinds(regions, rateLimitAlarmed(target)).includes(spec.kind as AlarmKind))
            add(spec, target.name);
        }
        break;
      case 'registry':
        for (const registry of registries) add(spec, registry);
        break;
      case 'region':
        for (const region of config.probeRegions) add(spec, region);
        break;
      case 'canary':
        add(spec, 'notifier');
        break;
    }
  }
  return units;
}

export function metricSeries(config: CanaryConfig): MetricSeries[] {
  const targets = probedTargets(config);
  const series: MetricSeries[] = [];
  for (const [key, spec] of Object.entries(HomeMetric) as [HomeMetricKey, MetricSpec][]) {
    const canSend = METRIC_SUBJECTS[key];
    const subjects =
      spec.dimension === Dimension.target
        ? targets.filter(canSend).map((t) => t.name)
        : spec.dimension === Dimension.registry
          ? unique(targets.filter(canSend).map(registryOf))
          : config.probeRegions;
    for (const subject of subjects)
      series.push({ key, name: spec.name, dimension: spec.dimension, subject, sent: spec.sent });
  }
  return series;
}

/** The secrets a config names: targets' `credentials.secret` and the Slack webhook's, with who reads them. */
function referencedSecrets(config: CanaryConfig): Map<string, string[]> {
  const secrets = new Map<string, string[]>();
  for (const region of config.probeRegions) {
    for (const target of targetsForRegion(config, region)) {
      const credentials = target.credentials;
      if ('secret' in credentials && credentials.secret) {
        const readers = secrets.get(credentials.secret) ?? [];
        if (!readers.includes(region)) readers.push(region);
        secrets.set(credentials.secret, readers);
      }
    }
  }
  // The alert channels' secrets are read by their subscribers in the home region, not by a probe.
  const { slackWebhookSecret, slackApp, pagerDuty } = config.notifications;
  for (const secret of [slackWebhookSecret, slackApp?.botTokenSecret, pagerDuty?.routingKeySecret]) {
    if (secret && !secrets.has(secret)) secrets.set(secret, []);
  }
  return secrets;
}

export function deploymentInventory(config: CanaryConfig): Inventory {
  const targets = probedTargets(config);
  const shards = new Map(config.probeRegions.map((region) => [region, planShards(config, region).shards]));
  const shardTargets = new Map(
    config.probeRegions.map((region) => {
      const regionTargets = targetsForRegion(config, region);
      const count = shards.get(region) ?? 1;
      return [
        region,
        Array.from(
          { length: count },
          (_, shard) => targetsOfShard(regionTargets, { shard, shards: count }).length,
        ),
      ];
    }),
  );
  return {
    alarms: alarmUnits(config),
    metrics: metricSeries(config),
    kmsKeys: 1,
    topics: 1 + ALERT_TOPIC_NAMES.length,
    alertTopics: ALERT_TOPIC_NAMES.length,
    dashboards: 1,
    schedules: [...shards.values()].reduce((sum, n) => sum + n, 0),
    shards,
    shardTargets,
    targetRegions: config.probeRegions.reduce(
      (sum, region) => sum + targetsForRegion(config, region).length,
      0,
    ),
    targets,
    registries: unique(targets.map(registryOf)),
    // The notifier, and one subscriber per alert channel (lib/constructs/alerting.ts).
    homeFunctions: 1 + alertChannelCount(config),
    eventRules: 1,
    secrets: referencedSecrets(config),
  };
}

/** The alert channels with a subscriber function of their own: the Slack webhook, the Slack app, PagerDuty. */
export function alertChannelCount(config: CanaryConfig): number {
  const { slackWebhookSecret, slackApp, pagerDuty } = config.notifications;
  return [slackWebhookSecret, slackApp, pagerDuty].filter(Boolean).length;
}
