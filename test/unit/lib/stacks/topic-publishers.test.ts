/**
 * Every alarm action, every SNS publisher and every SNS-to-SQS delivery of the synthesized app,
 * checked against the topic, key and queue policies that AWS would evaluate (publish-permissions.ts).
 * Without the topic policy's allow for CloudWatch, no alarm could notify anyone on a real account.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import defaultConfig from '../../../../config/default.ts';
import type { CanaryConfigInput } from '../../../../lib/config/schema.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { allowCanaryAlarmsToPublish, EncryptedTopic } from '../../../../lib/constructs/encrypted-topic.ts';
import { createCanaryStacks } from '../../../../lib/stacks/canary-app.ts';
import { assemblyTemplates, publishFindings, type SynthedTemplate } from './publish-permissions.ts';

const ACCOUNT = '111111111111';

function synthTemplates(build: (app: App) => void): SynthedTemplate[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'canary-publishers-'));
  // As the CDK CLI does: nested stacks then name their template file in their metadata.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  build(app);
  const assembly = app.synth();
  return assemblyTemplates(
    outdir,
    assembly.stacks.map((s) => ({
      name: s.stackName,
      account: s.environment.account,
      region: s.environment.region,
      templateFile: s.templateFile,
    })),
  );
}

function appOf(input: CanaryConfigInput) {
  return synthTemplates((app) => createCanaryStacks(app, validateConfig({ ...input, account: ACCOUNT })));
}

describe('the alert path of the deployed stacks', () => {
  let templates: SynthedTemplate[];

  beforeAll(() => {
    templates = appOf({
      ...(defaultConfig as CanaryConfigInput),
      notifications: { emails: ['oncall@example.com'], slackWebhookSecret: 'slack-webhook' },
    });
  }, 240_000);

  it('walks the alarms of every stack, the nested alarm stacks included', () => {
    const alarms = templates.flatMap((t) =>
      Object.values((t.template['Resources'] as Record<string, { Type: string }>) ?? {}).filter(
        (r) => r.Type === 'AWS::CloudWatch::Alarm',
      ),
    );
    expect(templates.some((t) => t.name.includes('/TargetAlarms'))).toBe(true);
    // 7 targets with 3-5 alarms each, 3 regions' heartbeats, certificates, 3 probe and 1 notifier dead-letter alarms.
    expect(alarms.length).toBeGreaterThan(30);
  });

  it('lets every alarm publish to its topic, every publisher publish, and every topic deliver to its queue', () => {
    expect(publishFindings(templates)).toEqual([]);
  });
});

describe('publishFindings', () => {
  function alarmTo(build: (stack: Stack) => { topic: Topic; name?: string }) {
    return synthTemplates((app) => {
      const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      const { topic, name } = build(stack);
      const alarm = new Alarm(stack, 'A', {
        alarmName: name ?? 'RegistryCanary-x-FailingInAnyRegion',
        metric: new Metric({ namespace: 'N', metricName: 'M' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      alarm.addAlarmAction(new SnsAction(topic));
    });
  }

  it('finds an alarm whose topic policy holds only the SSL deny (the bug that reached real accounts)', () => {
    const templates = alarmTo((stack) => ({
      topic: new Topic(stack, 'T', {
        masterKey: new EncryptedTopic(stack, 'K', { displayName: 'k' }).key,
        enforceSSL: true,
      }),
    }));
    expect(publishFindings(templates)).toEqual([
      expect.objectContaining({ problem: expect.stringContaining('does not let CloudWatch publish (none)') }),
    ]);
  });

  it('finds an alarm the topic policy does not name (another prefix)', () => {
    const templates = alarmTo((stack) => ({
      topic: new EncryptedTopic(stack, 'E', { displayName: 'e' }).topic,
      name: 'Someone-else-alarm',
    }));
    expect(publishFindings(templates).map((f) => f.problem)).toEqual([
      expect.stringContaining('does not let CloudWatch publish (none)'),
    ]);
  });

  it('finds a key policy that does not let CloudWatch encrypt for the topic', () => {
    const templates = alarmTo((stack) => {
      const topic = new Topic(stack, 'T', { masterKey: new Key(stack, 'Plain'), enforceSSL: true });
      allowCanaryAlarmsToPublish(topic);
      return { topic };
    });
    expect(publishFindings(templates).map((f) => f.problem)).toEqual([
      expect.stringContaining('does not allow CloudWatch kms:GenerateDataKey'),
      expect.stringContaining('does not allow CloudWatch kms:Decrypt'),
    ]);
  });

  it('passes an alarm on a topic built by EncryptedTopic', () => {
    const templates = alarmTo((stack) => ({
      topic: new EncryptedTopic(stack, 'E', { displayName: 'e' }).topic,
    }));
    expect(publishFindings(templates)).toEqual([]);
  });
});
