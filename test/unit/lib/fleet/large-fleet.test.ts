/**
 * Issue 9's fleet: 1,000 targets on 20 registries in 5 probe regions every minute must synthesize
 * offline within CloudFormation's and CloudWatch's limits, and adding a target must not move or
 * rename any other target's resources.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../lib/config/validate.ts';
import { MAX_ALARMS_PER_STATUS_WIDGET } from '../../../../lib/constructs/canary-dashboard.ts';
import { GUARD_RULES } from '../../../../lib/guard/catalog.ts';
import { type CanaryStacks, createCanaryStacks } from '../../../../lib/stacks/canary-app.ts';
import { LARGE_FLEET_REGIONS, largeFleet } from './large-fleet.ts';

/** No bundling: the limits are about templates, and bundling five regions' probes takes a minute. */
function build(targets: number, outdir?: string): { app: App; stacks: CanaryStacks } {
  const app = new App({
    ...(outdir ? { outdir } : {}),
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-asset-metadata': true },
  });
  return { app, stacks: createCanaryStacks(app, validateConfig(largeFleet(targets))) };
}

/** Every alarm of the app, by name, with the stack (nested or not) that holds it and its logical id. */
function alarmPlaces(stacks: CanaryStacks): Map<string, string> {
  const places = new Map<string, string>();
  for (const stack of [stacks.home, ...stacks.home.targetAlarmStacks.values()]) {
    for (const node of stack.node.findAll()) {
      if (!(node instanceof CfnAlarm) || Stack.of(node) !== stack) continue;
      places.set(node.alarmName!, `${stack.node.path}#${stack.getLogicalId(node as CfnElement)}`);
    }
  }
  return places;
}

interface TemplateFile {
  file: string;
  bytes: number;
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

describe('a fleet of 1,000 targets on 20 registries in 5 regions, every minute', () => {
  let templates: TemplateFile[];
  let stacks: CanaryStacks;

  beforeAll(() => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'canary-large-fleet-'));
    const built = build(1000, outdir);
    stacks = built.stacks;
    const assembly = built.app.synth();
    const files = [
      ...assembly.stacks.map((s) => s.templateFile),
      ...[...stacks.home.targetAlarmStacks.values()].map((n) => n.templateFile),
    ];
    templates = files.map((file) => ({
      file,
      bytes: statSync(path.join(outdir, file)).size,
      template: JSON.parse(readFileSync(path.join(outdir, file), 'utf8')),
    }));
  }, 300_000);

  it('synthesizes a probe stack per region, the home stack and its 16 nested alarm stacks', () => {
    expect([...stacks.regional.keys()]).toEqual(LARGE_FLEET_REGIONS);
    expect(stacks.home.targetAlarmStacks.size).toBe(16);
    expect(templates).toHaveLength(5 + 1 + 16);
  });

  it('passes the deploy guard: every rule ran over every template and found nothing', () => {
    // A finding would have failed app.synth() in beforeAll, and with it every test here.
    expect(stacks.guard.lastRun).toMatchObject({ rules: GUARD_RULES.length, templates: 22, findings: 0 });
  });

  it('keeps every template within 500 resources and 1 MB (CloudFormation quotas)', () => {
    for (const t of templates) {
      expect(Object.keys(t.template.Resources).length, t.file).toBeLessThanOrEqual(500);
      expect(t.bytes, t.file).toBeLessThanOrEqual(1_000_000);
    }
  });

  it('deploys one alarm of each target kind per target, however many regions probe it', () => {
    const alarms = templates.flatMap((t) =>
      Object.values(t.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'),
    );
    // 1,000 × (any, many, silent, slow) + a pull budget for the 50 Docker Hub targets + a heartbeat
    // per region + a certificate per registry host + the notifier's dead-letter alarm.
    expect(alarms).toHaveLength(1000 * 4 + 50 + 5 + 20 + 1);
    for (const alarm of alarms) {
      expect(String(alarm.Properties?.['AlarmDescription']).length).toBeLessThanOrEqual(1024);
    }
  });

  it('keeps the dashboard within CloudWatch’s widget and alarm-widget limits', () => {
    const home = templates.find((t) => t.file === stacks.home.templateFile)!;
    const [dashboard] = Object.values(home.template.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Dashboard',
    );
    const body = dashboard!.Properties!['DashboardBody'] as { 'Fn::Join': [string, unknown[]] };
    const text = body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'x')).join('');
    const widgets = (JSON.parse(text) as { widgets: { type: string; properties: { alarms?: unknown[] } }[] })
      .widgets;
    expect(widgets.length).toBeLessThanOrEqual(500);
    const status = widgets.filter((w) => w.type === 'alarm');
    for (const w of status)
      expect(w.properties.alarms!.length).toBeLessThanOrEqual(MAX_ALARMS_PER_STATUS_WIDGET);
    expect(status.reduce((n, w) => n + w.properties.alarms!.length, 0)).toBe(5 + 1000 + 20);
  });

  it('shards each region’s probe so one shard finishes between two runs', () => {
    for (const region of LARGE_FLEET_REGIONS) {
      const regional = templates.find((t) => t.file === stacks.regional.get(region)!.templateFile)!;
      const schedules = Object.values(regional.template.Resources).filter(
        (r) => r.Type === 'AWS::Scheduler::Schedule',
      );
      const [fn] = Object.values(regional.template.Resources).filter(
        (r) => r.Type === 'AWS::Lambda::Function',
      );
      expect(schedules.length).toBeGreaterThanOrEqual(10);
      expect(Number(fn!.Properties!['Timeout'])).toBeLessThanOrEqual(60);
    }
  });
});

describe('adding a target to a large fleet', () => {
  it('leaves every other alarm in its stack, under its logical id', { timeout: 300_000 }, () => {
    const before = alarmPlaces(build(1000).stacks);
    const after = alarmPlaces(build(1001).stacks);
    for (const [name, place] of before) expect(after.get(name), name).toBe(place);
    const added = [...after.keys()].filter((name) => !before.has(name));
    expect(added.every((name) => name.startsWith('RegistryCanary-t1000-'))).toBe(true);
    expect(added.length).toBeGreaterThanOrEqual(4);
  });
});
