/**
 * The home region: every alarm, the encrypted alarm topic they notify on ALARM and OK, the
 * dashboard, and the alerts (state table, notifier, a notification topic per format).
 *
 * Why every alarm is here and not in the probe regions: each region sends its results to the home
 * region's metrics (functions/publish/metrics-catalog.ts), where samples from every region aggregate
 * into one series per target, so a target's alarms cost the same however many regions probe it,
 * and every alarm reaches people through one topic, one notifier and one dashboard. Alarming
 * regionally would need a topic and KMS key per region and a cross-region path to the notifier.
 *
 * The targets' alarms live in nested stacks, a fixed number of them, chosen by a hash of the target
 * name (alarm-shards.ts), so a fleet of any size stays within CloudFormation's 500 resources per
 * template and adding a target never recreates another's alarms. The regions' and registries'
 * alarms (a few dozen at most) stay in this stack.
 */
import { CfnOutput, Duration, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { alarmName } from '../../functions/publish/alarm-catalog.ts';
import { ALERT_TOPIC_NAMES, ALERT_TOPICS } from '../../functions/publish/notification/alert-topics.ts';
import { splitReference } from '../config/image-reference.ts';
import { rateLimitAlarmed } from '../config/rate-limit-alarm.ts';
import type { CanaryConfig, TargetConfig } from '../config/schema.ts';
import { planShards } from '../config/shards.ts';
import { Alerting } from '../constructs/alerting.ts';
import { CanaryDashboard } from '../constructs/canary-dashboard.ts';
import { CanaryMetrics } from '../constructs/canary-metrics.ts';
import { EncryptedTopic } from '../constructs/encrypted-topic.ts';
import { FleetAlarms } from '../constructs/fleet-alarms.ts';
import { PROBE_LOG_GROUP_NAME } from '../constructs/scheduled-probe.ts';
import { TargetAlarms } from '../constructs/target-alarms.ts';
import { alarmShards } from './alarm-shards.ts';

export interface HomeStackProps extends StackProps {
  config: CanaryConfig;
}

/** The registry host a target's image is on, as the probe talks to it (docker.io -> registry-1.docker.io). */
function registryOf(target: TargetConfig): string {
  return splitReference(target.image).registry;
}

export class HomeStack extends Stack {
  /** Every alarm notifies this topic on ALARM and on OK. */
  readonly alarmTopic: ITopic;
  readonly alarmAction: IAlarmAction;
  /** The nested stacks holding the targets' alarms, by shard (only shards with targets). */
  readonly targetAlarmStacks = new Map<number, NestedStack>();
  readonly fleetAlarms: FleetAlarms;
  readonly dashboardUrl: string;
  readonly dashboardName: string;
  /** Alerts that diagnose: state table, notifier, notification topics (see lib/constructs/alerting.ts). */
  readonly alerting: Alerting;

  constructor(scope: Construct, id: string, props: HomeStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      env: { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.homeRegion },
      description: `registry-canary alarms and dashboard for ${config.probeRegions.length} probe regions`,
    });

    // Internal: people get the enriched alerts from the Alerting construct's topic, not raw alarms.
    const topic = new EncryptedTopic(this, 'Alarms', { displayName: 'registry-canary alarms' });
    this.alarmTopic = topic.topic;
    this.alarmAction = topic.alarmAction;

    const metrics = new CanaryMetrics(alarmPeriod(config.schedule.everyMinutes));
    const policy = {
      datapointsToAlarm: config.alarms.datapointsToAlarm,
      evaluationPeriods: config.alarms.evaluationPeriods,
    };
    const targets = config.targets.filter((t) => t.enabled);

    for (const [shard, shardTargets] of alarmShards(targets)) {
      const nested = new NestedStack(this, `TargetAlarms${shard}`, {
        description: `registry-canary: alarms of ${shardTargets.length} targets (shard ${shard})`,
      });
      for (const target of shardTargets) {
        const thresholds = { ...config.defaults, ...target.thresholds };
        new TargetAlarms(nested, `Target-${target.name}`, {
          target: target.name,
          image: target.image,
          ...(target.owner ? { owner: target.owner } : {}),
          tags: target.tags,
          metrics,
          regions: target.regions ?? config.probeRegions,
          policy,
          ...(config.alarms.outageRegions ? { outageRegions: config.alarms.outageRegions } : {}),
          slowMs: thresholds.slowMs,
          rateLimitRatio: thresholds.rateLimitRatio,
          rateLimitAlarm: rateLimitAlarmed(target),
          ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
          alarmAction: this.alarmAction,
        });
      }
      this.targetAlarmStacks.set(shard, nested);
    }

    // One certificate alarm per registry host, warning as early as its most cautious target asks.
    // A plain-HTTP registry has no certificate; its metric never arrives and its alarm stays OK.
    const registries = new Map<string, { certExpiryDays: number; targets: string[] }>();
    for (const target of targets) {
      const registry = registryOf(target);
      const days = target.thresholds?.certExpiryDays ?? config.defaults.certExpiryDays;
      const entry = registries.get(registry) ?? { certExpiryDays: 0, targets: [] };
      registries.set(registry, {
        certExpiryDays: Math.max(entry.certExpiryDays, days),
        targets: [...entry.targets, target.name],
      });
    }
    this.fleetAlarms = new FleetAlarms(this, 'FleetAlarms', {
      metrics,
      policy,
      regions: config.probeRegions.map((region) => ({ region, shards: planShards(config, region).shards })),
      registries,
      ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
      alarmAction: this.alarmAction,
    });

    this.dashboardName = `RegistryCanary-${config.homeRegion}`;
    const dashboard = new CanaryDashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      homeRegion: config.homeRegion,
      probeRegions: config.probeRegions,
      metrics,
      alarmNames: {
        probeSilent: this.fleetAlarms.probeSilentAlarmNames,
        targets: targets.map((t) => alarmName('FailingInAnyRegion', t.name)),
        certificates: this.fleetAlarms.certificateAlarmNames,
      },
      probeLogGroupName: PROBE_LOG_GROUP_NAME,
    });
    // The dashboard names alarms of the nested stacks: create it after them.
    for (const nested of this.targetAlarmStacks.values()) dashboard.node.addDependency(nested);
    this.dashboardUrl = dashboard.url;

    this.alerting = new Alerting(this, 'Alerting', {
      alarmTopic: this.alarmTopic,
      topicKey: topic.key,
      probeRegions: config.probeRegions,
      notifications: config.notifications,
      dashboardUrl: this.dashboardUrl,
      ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
      probeIntervalMinutes: config.schedule.everyMinutes,
      heartbeatMinutes: config.state.heartbeatMinutes,
      targetRegistries: Object.fromEntries(targets.map((t) => [t.name, registryOf(t)])),
      targetOwners: Object.fromEntries(targets.flatMap((t) => (t.owner ? [[t.name, t.owner]] : []))),
      logRetention: config.logRetentionDays as RetentionDays,
    });

    new CfnOutput(this, 'DashboardUrl', { value: this.dashboardUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    // One topic per format: subscribe to the one whose format you read (docs/alerts.md, routing).
    for (const format of ALERT_TOPIC_NAMES) {
      new CfnOutput(this, ALERT_TOPICS[format].output, {
        value: this.alerting.notificationTopics[format].topicArn,
        description: `registry-canary alerts for ${ALERT_TOPICS[format].readers}`,
      });
    }
    new CfnOutput(this, 'StateTableName', { value: this.alerting.stateTable.tableName });
  }
}

/** The alarm period equals the schedule: one datapoint per run. */
export function alarmPeriod(everyMinutes: number): Duration {
  return Duration.minutes(everyMinutes);
}
