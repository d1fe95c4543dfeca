/**
 * Routing by owner and severity, end to end: the notifier runs a morning of incidents (a Docker Hub
 * outage owned by platform and data, an ECR credential failure owned by payments that recovers, an
 * expiring certificate owned by web, a quay.io target nobody owns), and the subscriptions
 * docs/alerts.md shows are evaluated, with the filter semantics the SNS guide documents
 * (filter-policy.ts), on the publishes SNS was handed: each subscription on its format's topic
 * gets exactly the messages meant for it, in its format.
 */
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import type { AlertTopic } from '../../../functions/publish/notification/alert-topics.ts';
import { handleAlarmBatch } from '../../../functions/publish/notification/notifier.ts';
import { certificateSubject } from '../../../lib/constructs/fleet-alarms.ts';
import { acceptsMessage, checkFilterPolicy, type FilterPolicy } from './filter-policy.ts';
import {
  alarm,
  at,
  deps,
  FLEET,
  failing,
  failingAlarm,
  probe,
  publishedAlerts,
  REGIONS,
  result,
  sns,
  TOPICS,
  useNotifierHarness,
} from './harness.ts';

useNotifierHarness();

/** What a subscription on `topic` with `policy` receives of everything published so far. */
function delivered(topic: AlertTopic, policy: FilterPolicy): PublishCommandInput[] {
  return sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.TopicArn === TOPICS[topic])
    .filter((input) => acceptsMessage(policy, input.MessageAttributes));
}

/** The alert a publish carries, read from the payload topic's message of the same alert. */
function describeAll(inputs: PublishCommandInput[], topic: AlertTopic): string[] {
  return inputs.map((input) => {
    const attrs = input.MessageAttributes ?? {};
    return `${attrs['event']?.StringValue} ${attrs['severity']?.StringValue} ${topic}: ${
      topic === 'email' ? input.Subject : (input.Message ?? '').slice(0, 60)
    }`;
  });
}

async function morning() {
  // quay-tool has no owner in this deployment: its alerts are "unowned".
  const owners = new Map(
    Object.entries(FLEET)
      .filter(([t]) => t !== 'quay-tool')
      .map(([t, f]) => [t, f.owner]),
  );
  const run = deps({ targetOwners: owners });
  const hub = ['hub-alpine', 'hub-nginx', 'hub-redis'];
  for (const region of REGIONS) {
    await probe(region, {
      ...Object.fromEntries(hub.map((t) => [t, failing(t, 'REGISTRY_UNAVAILABLE')])),
      'quay-tool': failing('quay-tool', 'TLS_EXPIRED'),
      'private-web': result('private-web', {
        status: 'degraded',
        warnings: [{ code: 'CERT_EXPIRING', summary: 'The certificate expires in 9 days' }],
        tls: {
          subject: 'CN=web',
          issuer: 'CN=internal',
          validTo: '2026-12-01T00:00:00.000Z',
          daysRemaining: 9,
          protocol: 'TLSv1.3',
        },
      }),
    });
  }
  await probe('eu-west-1', { 'ecr-api': failing('ecr-api', 'AUTH_FAILED') });
  await probe('us-east-1', { 'ecr-api': result('ecr-api') });
  await probe('ap-southeast-1', { 'ecr-api': result('ecr-api') });
  await handleAlarmBatch(
    [
      ...hub.map((t) => failingAlarm(t, 'ALARM', 1)),
      failingAlarm('ecr-api', 'ALARM', 1),
      failingAlarm('quay-tool', 'ALARM', 1),
      alarm('CertificateExpiring', certificateSubject('registry.internal.example.com:5000'), 'ALARM', 1),
    ],
    run,
  );
  vi.setSystemTime(at(20));
  await probe('eu-west-1', { 'ecr-api': result('ecr-api') });
  await handleAlarmBatch([failingAlarm('ecr-api', 'OK', 19)], run);
}

describe('routing by owner and severity with subscription filter policies', () => {
  it('gives the payments team every message about its targets, and nothing else, by email', async () => {
    await morning();
    // Every alert went to every topic: five openings and a recovery.
    expect(publishedAlerts()).toHaveLength(5);

    const payments = delivered('email', { owner: ['payments'] });

    // (The recovery's subject is cut at the end, within SNS's "less than 100 characters".)
    expect(describeAll(payments, 'email')).toEqual([
      `opened critical email: FAILING AUTH_FAILED in eu-west-1: ${FLEET['ecr-api']?.registry} (1 target)`,
      `recovered info email: RESOLVED after 18m AUTH_FAILED in eu-west-1: ${FLEET['ecr-api']?.registry} (1 tar...`,
    ]);
    // The plain-text email, not another format's message.
    for (const input of payments) expect(input.Message).toMatch(/^(FAILING|RESOLVED)[^\n]*\n=+\n/);
  });

  it('pages a phone by SMS only for openings and reminders of critical incidents', async () => {
    await morning();

    const pager = delivered('sms', { severity: ['critical'], event: ['opened', 'reminder'] });

    expect(pager.map((p) => p.Message?.split(':')[0]).sort()).toEqual([
      'FAILING AUTH_FAILED in eu-west-1',
      'FAILING REGISTRY_UNAVAILABLE in all 3 regions',
      'FAILING TLS_EXPIRED in all 3 regions',
    ]);
    // Neither the warning nor the recovery reaches the pager.
    for (const p of pager) expect(p.Message).not.toMatch(/WARNING|RESOLVED/);
  });

  it('routes warnings to a chat channel of their own, and unowned targets to a catch-all', async () => {
    await morning();

    const warnings = delivered('chat', { severity: ['warning'] });
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]?.Message ?? '').content.title).toBe(
      ':warning: WARNING CERT_EXPIRING in 9 days: registry.internal.example.com:5000 (1 target)',
    );

    const unowned = delivered('https', { owner: ['unowned'] });
    expect(unowned).toHaveLength(1);
    expect(unowned[0]?.Message).toMatch(/^FAILING TLS_EXPIRED in all 3 regions: quay\.io/);
  });

  it('matches an incident of several owners on any of them (String.Array)', async () => {
    await morning();

    const data = delivered('payload', { owner: ['data'] });

    // The Docker Hub incident's targets are owned by platform and data.
    expect(data).toHaveLength(1);
    expect(JSON.parse(data[0]?.Message ?? '').alert.owners).toEqual(['data', 'platform']);
    expect(delivered('payload', { owner: ['Data'] })).toHaveLength(0); // case-sensitive
  });

  it('evaluates filter policies as the SNS guide documents them', () => {
    const attrs = {
      severity: { DataType: 'String', StringValue: 'critical' },
      owner: { DataType: 'String.Array', StringValue: '["data","platform"]' },
    };
    // Every key must match; within a key, any value; attributes the policy does not name are ignored.
    expect(acceptsMessage({ severity: ['critical', 'warning'] }, attrs)).toBe(true);
    expect(acceptsMessage({ severity: ['critical'], owner: ['platform'] }, attrs)).toBe(true);
    expect(acceptsMessage({ severity: ['critical'], owner: ['payments'] }, attrs)).toBe(false);
    // A key the message lacks: not accepted.
    expect(acceptsMessage({ region: ['eu-west-1'] }, attrs)).toBe(false);
    // At most 5 keys and 150 combinations (subscription-filter-policy-constraints.html).
    expect(() => checkFilterPolicy({ a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'], f: ['1'] })).toThrow(
      /1 to 5 keys/,
    );
    const many = Array.from({ length: 13 }, (_, i) => String(i));
    expect(() => checkFilterPolicy({ a: many, b: many })).toThrow(/150 combinations/);
    // Operators are not modelled here: refused rather than misread.
    expect(() => checkFilterPolicy({ owner: [{ prefix: 'pay' }] as unknown as string[] })).toThrow(
      /exact string/,
    );
  });
});
