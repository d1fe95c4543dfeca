/**
 * The home region: per-target alarms over the home copy of every region's results, the encrypted
 * alarm topic they notify on ALARM and OK, and the dashboard.
 *
 * Other constructs plug in with one line each, fed by the public properties, e.g. the alerts
 * (issue 5): `new Alerting(this, 'Alerting', { alarmTopic: this.alarmTopic, dashboardUrl: this.dashboardUrl, config })`.
 *
 * Why the rate-limit, certificate and latency alarms are here and not in the regional stacks: they
 * need their metrics copied to the home region (one billed metric each per target and region), but
 * every alarm then reaches people through one topic, one notifier and one dashboard, and an alarm
 * can take the worst value over all regions in one metric-math expression. Alarming regionally
 * would need a topic and KMS key per region and a cross-region path to the notifier, for no
 * saving: the alarms would cost the same.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { splitReference } from '../config/image-reference.ts';
import { rateLimitAlarmed, rateLimitReported } from '../config/rate-limit-alarm.ts';
import type { CanaryConfig } from '../config/schema.ts';
import { Alerting } from '../constructs/alerting.ts';
import { CanaryDashboard, type DashboardTarget } from '../constructs/canary-dashboard.ts';
import { CanaryMetrics } from '../constructs/canary-metrics.ts';
import { EncryptedTopic } from '../constructs/encrypted-topic.ts';
import { alarmPeriod, TargetAlarms } from '../constructs/target-alarms.ts';

export interface HomeStackProps extends StackProps {
  config: CanaryConfig;
}

export class HomeStack extends Stack {
  /** Every alarm notifies this topic on ALARM and on OK. */
  readonly alarmTopic: ITopic;
  readonly alarmAction: IAlarmAction;
  readonly alarms: Alarm[] = [];
  readonly dashboardUrl: string;
  readonly dashboardName: string;
  /** Alerts that diagnose: state table, notifier, notification topic (see lib/constructs/alerting.ts). */
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

    const period = alarmPeriod(config.schedule.everyMinutes);
    const dashboardTargets: DashboardTarget[] = [];
    // The notifier groups a target without state (new, or never reached the table) by this.
    const targetRegistries: Record<string, string> = {};
    for (const target of config.targets.filter((t) => t.enabled)) {
      const regions = target.regions ?? config.probeRegions;
      const thresholds = { ...config.defaults, ...target.thresholds };
      const { registry } = splitReference(target.image);
      targetRegistries[target.name] = registry;
      const metrics = new CanaryMetrics(period, regions);
      const alarms = new TargetAlarms(this, `Target-${target.name}`, {
        target: target.name,
        image: target.image,
        owner: target.owner,
        tags: target.tags,
        metrics,
        datapointsToAlarm: config.alarms.datapointsToAlarm,
        evaluationPeriods: config.alarms.evaluationPeriods,
        outageRegions: config.alarms.outageRegions,
        slowMs: thresholds.slowMs,
        certExpiryDays: thresholds.certExpiryDays,
        rateLimitRatio: thresholds.rateLimitRatio,
        rateLimitAlarm: rateLimitAlarmed(target),
        runbookBaseUrl: config.runbookBaseUrl,
        alarmAction: this.alarmAction,
      });
      this.alarms.push(...alarms.alarms);
      // The pull-budget widgets show every budget the probes report, alarmed or not.
      dashboardTargets.push({
        name: target.name,
        registry,
        regions,
        rateLimited: rateLimitReported(target),
        metrics,
      });
    }

    this.dashboardName = `RegistryCanary-${config.homeRegion}`;
    const dashboard = new CanaryDashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      homeRegion: config.homeRegion,
      probeRegions: config.probeRegions,
      targets: dashboardTargets,
      alarms: this.alarms,
      period,
    });
    this.dashboardUrl = dashboard.url;

    this.alerting = new Alerting(this, 'Alerting', {
      alarmTopic: this.alarmTopic,
      probeRegions: config.probeRegions,
      notifications: config.notifications,
      dashboardUrl: this.dashboardUrl,
      runbookBaseUrl: config.runbookBaseUrl,
      probeIntervalMinutes: config.schedule.everyMinutes,
      heartbeatMinutes: config.state.heartbeatMinutes,
      targetRegistries,
      logRetention: config.logRetentionDays as RetentionDays,
    });

    new CfnOutput(this, 'DashboardUrl', { value: this.dashboardUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.alerting.notificationTopic.topicArn });
    new CfnOutput(this, 'StateTableName', { value: this.alerting.stateTable.tableName });
  }
}
