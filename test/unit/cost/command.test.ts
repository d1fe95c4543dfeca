import { describe, expect, it } from 'vitest';
import { parseAssumptions, runCostCommand } from '../../../functions/cost/command.ts';
import { referenceFleet } from '../../../functions/cost/reference-fleet.ts';
import { validateConfig } from '../../../lib/config/validate.ts';

function harness(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const loaded: string[] = [];
  return {
    out,
    err,
    loaded,
    deps: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      loadConfig: async (path: string) => {
        loaded.push(path);
        return validateConfig(referenceFleet);
      },
      readFile: async (path: string) => {
        const text = files[path];
        if (text === undefined) throw new Error(`ENOENT: ${path}`);
        return text;
      },
    },
  };
}

describe('registry-canary cost', () => {
  it('prints both tables, the ratio and the date of the prices', async () => {
    const h = harness();
    expect(await runCostCommand([], h.deps)).toBe(0);
    const text = h.out.join('\n');
    expect(h.loaded).toEqual(['config/default.ts']);
    expect(text).toContain('registry-canary: 20 targets on 9 registries × 3 regions, every 1 min');
    expect(text).toContain('The same fleet on CloudWatch Synthetics: one canary per target per region');
    expect(text).toContain('The same fleet on CloudWatch Synthetics: one multi-check canary per region');
    expect(text).toMatch(/one canary per target per region \(\d+\.\d×\)/);
    expect(text).toContain('taken 2025-06-01');
  });

  it('prints the config at 1, 5, 15 and 60 minutes and the cost goals', async () => {
    const h = harness();
    expect(await runCostCommand([], h.deps)).toBe(0);
    const text = h.out.join('\n');
    for (const m of [1, 5, 15, 60]) expect(text).toMatch(new RegExp(`every ${m} min +\\$`));
    expect(text).toMatch(/(MET|NOT MET): the reference fleet .* at most \$35\.00 a month/);
    expect(text).toMatch(/(MET|NOT MET): the default config .* at most \$15\.00 a month/);
  });

  it('prints JSON whose total is the sum of its lines', async () => {
    const h = harness();
    expect(await runCostCommand(['--json', '--config', 'my.ts'], h.deps)).toBe(0);
    const report = JSON.parse(h.out.join(''));
    expect(h.loaded).toEqual(['my.ts']);
    const sum = report.registryCanary.lines.reduce(
      (s: number, l: { monthlyUsd: number }) => s + l.monthlyUsd,
      0,
    );
    expect(report.registryCanary.totalUsd).toBeCloseTo(sum, 10);
    expect(report.synthetics['per-target'].lines[0]).toMatchObject({
      id: 'synthetics:runs',
      quantity: 2_628_000,
    });
    expect(report.synthetics['per-region'].lines[0]).toMatchObject({
      id: 'synthetics:runs',
      quantity: 131_400,
    });
    expect(report.goals.map((g: { id: string }) => g.id)).toEqual(['reference-fleet', 'default-config']);
    expect(report.schedules.map((r: { everyMinutes: number }) => r.everyMinutes)).toEqual([1, 5, 15, 60]);
  });

  it('applies a price file over the defaults', async () => {
    const h = harness({
      'p.json': JSON.stringify({ takenOn: '2031-02-03', synthetics: { perCanaryRun: 0 } }),
    });
    expect(await runCostCommand(['--json', '--prices', 'p.json'], h.deps)).toBe(0);
    const report = JSON.parse(h.out.join(''));
    expect(report.pricesTakenOn).toBe('2031-02-03');
    expect(report.synthetics['per-target'].lines[0].monthlyUsd).toBe(0);
  });

  it('applies --assume to the fleet', async () => {
    const h = harness();
    expect(await runCostCommand(['--json', '--assume', 'invocationSeconds=1.5'], h.deps)).toBe(0);
    expect(JSON.parse(h.out.join('')).fleet.probe.invocationSeconds).toBe(1.5);
  });

  it('exits 2 with usage on an unknown option or assumption', async () => {
    const h = harness();
    expect(await runCostCommand(['--bogus'], h.deps)).toBe(2);
    expect(h.err.join('\n')).toContain('Usage: registry-canary cost');
    expect(() => parseAssumptions(['nope=1'])).toThrow(/key one of/);
  });

  it('exits 1 naming the file when the price file is not JSON', async () => {
    const h = harness({ 'bad.json': '{' });
    expect(await runCostCommand(['--prices', 'bad.json'], h.deps)).toBe(1);
    expect(h.err.join('\n')).toContain('--prices bad.json: not valid JSON');
  });
});
