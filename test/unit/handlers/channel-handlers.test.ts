/**
 * The Slack app and PagerDuty Lambda wrappers: config read at cold start, failing loudly and naming
 * the variable. Delivery itself is tested end to end in test/integration/notifier/channels.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Slack app handler', () => {
  it('fails at cold start, naming the variable, without the channel id', async () => {
    vi.stubEnv(
      'SLACK_BOT_TOKEN_SECRET_ARN',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bot-AbCdEf',
    );
    vi.stubEnv('STATE_TABLE_NAME', 'registry-canary-state');
    vi.stubEnv('SLACK_CHANNEL_ID', '');
    await expect(import('../../../functions/handlers/slack-app.ts')).rejects.toThrow(
      'Environment variable SLACK_CHANNEL_ID is required',
    );
  });
});

describe('PagerDuty handler', () => {
  it('fails at cold start, naming the variable, without the routing key secret', async () => {
    vi.stubEnv('PAGERDUTY_ROUTING_KEY_SECRET_ARN', '');
    await expect(import('../../../functions/handlers/pagerduty.ts')).rejects.toThrow(
      'Environment variable PAGERDUTY_ROUTING_KEY_SECRET_ARN is required',
    );
  });

  it('reads the severities that page, and refuses one it does not know', async () => {
    vi.stubEnv(
      'PAGERDUTY_ROUTING_KEY_SECRET_ARN',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd-AbCdEf',
    );
    const { parseSeverities } = await import('../../../functions/handlers/pagerduty.ts');
    expect(parseSeverities(undefined)).toEqual(['critical']);
    expect(parseSeverities('critical, warning')).toEqual(['critical', 'warning']);
    expect(() => parseSeverities('critical,info')).toThrow(
      'Environment variable PAGERDUTY_SEVERITIES must list critical and/or warning, got "info"',
    );
  });
});
