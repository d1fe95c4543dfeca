import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configWarnings, NO_ALARM_RECIPIENTS } from '../../../../lib/config/config-warnings.ts';
import type { CanaryConfigInput } from '../../../../lib/config/schema.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { createCanaryStacks } from '../../../../lib/stacks/canary-app.ts';

const base: CanaryConfigInput = {
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1'],
  targets: [{ name: 'hub', image: 'alpine' }],
};

function warningIds(notifications: CanaryConfigInput['notifications']): string[] {
  return configWarnings(validateConfig({ ...base, notifications })).map((w) => w.id);
}

describe('configWarnings: alarms that notify nobody', () => {
  it('warns when there are no emails, no amazonQ and no slackWebhookSecret, and says what to add', () => {
    const [warning, ...others] = configWarnings(validateConfig(base));

    expect(others).toEqual([]);
    expect(warning).toEqual({
      id: NO_ALARM_RECIPIENTS,
      message: expect.stringMatching(/^Alarms notify nobody/),
    });
    for (const field of [
      'emails',
      'amazonQ',
      'slackWebhookSecret',
      'slackApp',
      'pagerDuty',
      'notifications.subscribedElsewhere',
    ]) {
      expect(warning!.message).toContain(field);
    }
    expect(warningIds({ emails: [] })).toEqual([NO_ALARM_RECIPIENTS]);
  });

  it.each([
    ['an email', { emails: ['oncall@example.com'] }],
    ['Amazon Q in Slack', { amazonQ: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' } }],
    ['a Slack webhook', { slackWebhookSecret: 'registry-canary/slack' }],
    ['a Slack app', { slackApp: { botTokenSecret: 'registry-canary/slack-bot', channelId: 'C0123ABCD' } }],
    ['PagerDuty', { pagerDuty: { routingKeySecret: 'registry-canary/pagerduty' } }],
    ['a topic subscribed outside the app', { subscribedElsewhere: true }],
  ])('does not warn with %s', (_, notifications) => {
    expect(warningIds(notifications)).toEqual([]);
  });

  it('puts the warning on the home stack, where cdk synth prints it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { home, regional } = createCanaryStacks(app, validateConfig(base));

    Annotations.fromStack(home).hasWarning('*', Match.stringLikeRegexp('^Alarms notify nobody'));
    Annotations.fromStack(regional.get('eu-west-1')!).hasNoWarning(
      '*',
      Match.stringLikeRegexp('notify nobody'),
    );
  }, 60_000);

  it('puts no warning on a home stack whose alarms reach someone', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { home } = createCanaryStacks(
      app,
      validateConfig({ ...base, notifications: { emails: ['a@example.com'] } }),
    );

    Annotations.fromStack(home).hasNoWarning('*', Match.anyValue());
  }, 60_000);
});
