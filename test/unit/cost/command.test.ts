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
    expect(text).toContain('The same fleet on CloudWatch Synthetics');
    expect(text).toMatch(/Synthetics costs \d+\.\d×/);
    expect(text).toContain('taken 2025-06-01');
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
    expect(report.synthetics.lines[0]).toMatchObject({ item: 'canary runs', quantity: 2_628_000 });
  });

  it('applies a price file over the defaults', async () => {
    const h = harness({
      'p.json': JSON.stringify({ takenOn: '2031-02-03', synthetics: { perCanaryRun: 0 } }),
    });
    expect(await runCostCommand(['--json', '--prices', 'p.json'], h.deps)).toBe(0);
    const report = JSON.parse(h.out.join(''));
    expect(report.pricesTakenOn).toBe('2031-02-03');
    expect(report.synthetics.lines[0].monthlyUsd).toBe(0);
  });

  it('applies --assume to the fleet', async () => {
    const h = harness();
    expect(await runCostCommand(['--json', '--assume', 'invocationSeconds=1.5'], h.deps)).toBe(0);
    expect(JSON.parse(h.out.join('')).fleet.lambda.invocationSeconds).toBe(1.5);
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
