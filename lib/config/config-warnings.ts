/**
 * Config choices that deploy but are probably mistakes: the app turns each into a CDK warning at
 * synth (lib/stacks/canary-app.ts), which `cdk synth` and `cdk deploy` print with the construct path.
 * Problems that cannot deploy are refused by validateConfig instead.
 */
import type { CanaryConfig } from './schema.ts';

export interface ConfigWarning {
  /** A stable id, for Annotations' addWarningV2 (and acknowledgement in code). */
  id: string;
  message: string;
}

export const NO_ALARM_RECIPIENTS = 'registry-canary:noAlarmRecipients';

export function configWarnings(config: CanaryConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const { emails, amazonQ, slackWebhookSecret, slackApp, pagerDuty, subscribedElsewhere } =
    config.notifications;
  if (
    emails.length === 0 &&
    !amazonQ &&
    !slackWebhookSecret &&
    !slackApp &&
    !pagerDuty &&
    !subscribedElsewhere
  ) {
    warnings.push({
      id: NO_ALARM_RECIPIENTS,
      message:
        'Alarms notify nobody: notifications has no emails, amazonQ, slackWebhookSecret, slackApp or pagerDuty, so alerts reach only the dashboard. Add one of them, or set notifications.subscribedElsewhere: true if the alarm topic is subscribed outside this app.',
    });
  }
  return warnings;
}
