import { describe, expect, it } from 'vitest';
import { ALERT_TOPIC_NAMES, ALERT_TOPICS } from '../../../../functions/publish/notification/alert-topics.ts';
import { readNotifierConfig } from '../../../../functions/publish/notification/notifier-config.ts';

const topicArn = (format: string) => `arn:aws:sns:eu-west-1:123456789012:registry-canary-${format}`;
const required = {
  STATE_TABLE_NAME: 'registry-canary-state',
  ...Object.fromEntries(ALERT_TOPIC_NAMES.map((f) => [ALERT_TOPICS[f].env, topicArn(f)])),
  PROBE_REGIONS: 'eu-west-1, us-east-1',
};

describe('readNotifierConfig', () => {
  it('reads one topic ARN per format', () => {
    expect(readNotifierConfig(required).topicArns).toEqual({
      email: topicArn('email'),
      chat: topicArn('chat'),
      sms: topicArn('sms'),
      https: topicArn('https'),
      payload: topicArn('payload'),
    });
  });

  it.each(ALERT_TOPIC_NAMES)('fails loudly, naming the variable, without the %s topic', (format) => {
    const env = { ...required, [ALERT_TOPICS[format].env]: '' };
    expect(() => readNotifierConfig(env)).toThrow(
      `Environment variable ${ALERT_TOPICS[format].env} is required`,
    );
  });

  it('reads the target registries file the construct ships in the bundle', () => {
    const read: string[] = [];
    const config = readNotifierConfig(
      { ...required, TARGET_REGISTRIES_FILE: 'target-registries.json' },
      (file) => {
        read.push(file);
        return JSON.stringify({ 'hub-alpine': 'registry-1.docker.io', harbor: 'harbor.internal' });
      },
    );

    expect(read).toEqual([expect.stringMatching(/\/target-registries\.json$/)]);
    expect(config.targetRegistries).toEqual(
      new Map([
        ['hub-alpine', 'registry-1.docker.io'],
        ['harbor', 'harbor.internal'],
      ]),
    );
  });

  it('has no target registries without the file, and reads no file', () => {
    const config = readNotifierConfig(required, () => {
      throw new Error('no file should be read');
    });
    expect(config.targetRegistries.size).toBe(0);
    expect(config.probeRegions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('fails at cold start, naming the file, when it is not a map of names to hosts', () => {
    const env = { ...required, TARGET_REGISTRIES_FILE: 'target-registries.json' };
    expect(() => readNotifierConfig(env, () => '["a"]')).toThrow(
      /Invalid target registries file .*target-registries\.json/,
    );
    expect(() => readNotifierConfig(env, () => '{"a": 1}')).toThrow(/Invalid target registries file/);
    expect(() => readNotifierConfig(env, () => '{')).toThrow(/Cannot read the target registries file/);
  });

  it('reads owners from the entries that have one', () => {
    const env = { ...required, TARGET_REGISTRIES_FILE: 'target-registries.json' };
    const config = readNotifierConfig(env, () =>
      JSON.stringify({ a: { registry: 'ghcr.io', owner: 'payments' }, b: 'quay.io' }),
    );
    expect(config.targetRegistries).toEqual(
      new Map([
        ['a', 'ghcr.io'],
        ['b', 'quay.io'],
      ]),
    );
    expect(config.targetOwners).toEqual(new Map([['a', 'payments']]));
    expect(() => readNotifierConfig(env, () => '{"a": {"registry": "ghcr.io", "owner": 7}}')).toThrow(
      /Invalid target registries file/,
    );
    expect(() => readNotifierConfig(env, () => '{"a": {"owner": "x"}}')).toThrow(
      /Invalid target registries file/,
    );
  });
});
