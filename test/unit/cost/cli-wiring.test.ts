import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../../bin/cli.ts';

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => '',
    readFile: (path) => readFile(path, 'utf8'),
    probe: async () => {
      throw new Error('cost must not probe anything');
    },
  };
}

describe('registry-canary cost, through the CLI', () => {
  it('estimates the reference fleet from its config file', async () => {
    const cli = io();
    expect(await main(['cost', '--json', '--config', 'functions/cost/reference-fleet.ts'], cli)).toBe(0);
    const report = JSON.parse(cli.out.join(''));
    expect(report.fleet).toMatchObject({ targets: 20, probeRegions: 3, scheduleMinutes: 1 });
    expect(report.syntheticsRatio['per-target']).toBeGreaterThan(1);
    expect(report.syntheticsRatio['per-region']).toBeGreaterThan(1);
  });

  it('is listed in the top-level help', async () => {
    const cli = io();
    await main(['--help'], cli);
    expect(cli.out.join('\n')).toMatch(/cost\s+estimate the monthly AWS cost/);
  });
});
