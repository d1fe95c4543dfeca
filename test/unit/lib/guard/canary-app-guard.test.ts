/**
 * The guard is part of every canary app: createCanaryStacks registers it, so a stack that breaks an
 * AWS rule fails synth without bin/app.ts or a test having to remember to add it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import defaultConfig from '../../../../config/default.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { createCanaryStacks } from '../../../../lib/stacks/canary-app.ts';

/** Without bundling: the guard reads templates, and bundling three regions' probes is slow. */
function canaryApp() {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'canary-guard-app-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  return {
    app,
    stacks: createCanaryStacks(app, validateConfig({ ...defaultConfig, account: '123456789012' })),
  };
}

describe('createCanaryStacks', () => {
  it('registers the deploy guard, which the default config passes', { timeout: 120_000 }, () => {
    const { app, stacks } = canaryApp();
    app.synth();
    // Three probe stacks, the home stack and its nested alarm stacks.
    expect(stacks.guard.lastRun?.templates).toBe(4 + stacks.home.targetAlarmStacks.size);
    expect(stacks.guard.lastRun?.findings).toBe(0);
  });

  it('passes the guard with mirrors, which add no alarm of their own', { timeout: 120_000 }, () => {
    const alarmCount = (config: typeof defaultConfig) => {
      const app = new App({
        outdir: mkdtempSync(path.join(tmpdir(), 'canary-guard-app-')),
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      const stacks = createCanaryStacks(app, validateConfig({ ...config, account: '123456789012' }));
      app.synth();
      expect(stacks.guard.lastRun?.findings).toBe(0);
      return [stacks.home, ...stacks.home.targetAlarmStacks.values()].reduce(
        (n, stack) =>
          n + Object.keys(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).length,
        0,
      );
    };
    const mirrored = {
      ...defaultConfig,
      targets: defaultConfig.targets.map((t) => ({
        ...t,
        mirrors: [
          { image: 'proxy.example.com/library/alpine' },
          { image: 'cache.example.com/hub/library/alpine' },
        ],
      })),
    };

    expect(alarmCount(mirrored)).toBe(alarmCount(defaultConfig));
  });

  it('fails synth when a stack of the app breaks an AWS rule', { timeout: 120_000 }, () => {
    const { app, stacks } = canaryApp();
    new CfnAlarm(stacks.home, 'HalfMinuteAndABit', {
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      threshold: 0,
      namespace: 'RegistryCanary',
      metricName: 'Failing',
      statistic: 'Maximum',
      period: 45,
    });
    expect(() => app.synth()).toThrow(
      /RegistryCanary-Home\/HalfMinuteAndABit[\s\S]*RegistryCanary-DeployGuard::CW-AlarmPeriod/,
    );
  });
});
