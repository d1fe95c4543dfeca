/** Synthesises a whole app once per test file (bundling included) and hands out its templates. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CanaryConfigInput } from '../../../lib/config/schema.ts';
import { validateConfig } from '../../../lib/config/validate.ts';
import { type CanaryStacks, createCanaryStacks } from '../../../lib/stacks/canary-app.ts';

export interface SynthedApp {
  stacks: CanaryStacks;
  home: Template;
  /** The home stack's nested stacks of target alarms, by shard. */
  targetAlarms: Template[];
  regional: (region: string) => Template;
}

type AlarmResource = { Properties: Record<string, unknown> & { AlarmName?: string } };

/** Every alarm of the home region: the home stack's own and its nested stacks'. */
export function homeAlarms(app: Pick<SynthedApp, 'home' | 'targetAlarms'>): AlarmResource[] {
  return [app.home, ...app.targetAlarms].flatMap(
    (t) => Object.values(t.findResources('AWS::CloudWatch::Alarm')) as AlarmResource[],
  );
}

/** Synth with cdk-nag's AWS Solutions checks, as bin/app.ts does: a finding makes synth throw. */
export function synthApp(input: CanaryConfigInput): SynthedApp {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'canary-cdk-test-')) });
  const stacks = createCanaryStacks(app, validateConfig(input));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
  const templates = new Map(
    [...stacks.regional].map(([region, stack]) => [region, Template.fromStack(stack)]),
  );
  return {
    stacks,
    home: Template.fromStack(stacks.home),
    targetAlarms: [...stacks.home.targetAlarmStacks.values()].map((nested) => Template.fromStack(nested)),
    regional: (region) => {
      const template = templates.get(region);
      if (!template) throw new Error(`no probe stack for ${region}`);
      return template;
    },
  };
}

/** A template as JSON with asset hashes masked, so snapshots change only when the infrastructure does. */
export function maskedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}
