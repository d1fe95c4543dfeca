import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MUTATION_SCORE_FLOORS,
  type MutationReport,
  moduleScores,
} from '../../../scripts/check-mutation-scores.ts';

const config = JSON.parse(readFileSync(new URL('../../../stryker.config.json', import.meta.url), 'utf8')) as {
  mutate: string[];
  incremental: boolean;
  incrementalFile: string;
  thresholds: { break: number | null };
};

const mutants = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

describe('moduleScores', () => {
  it('counts timeouts as detected and leaves ignored and error mutants out', () => {
    const report: MutationReport = {
      files: {
        'a.ts': {
          mutants: mutants({
            Killed: 7,
            Timeout: 2,
            Survived: 1,
            Ignored: 5,
            CompileError: 3,
            RuntimeError: 1,
          }),
        },
      },
    };
    expect(moduleScores(report, { 'a.ts': 90 })).toEqual([
      { module: 'a.ts', floor: 90, score: 90, detected: 9, valid: 10, ok: true },
    ]);
  });

  it('fails a module one mutant below its floor, counting no-coverage mutants as undetected', () => {
    const report: MutationReport = {
      files: { 'a.ts': { mutants: mutants({ Killed: 8, NoCoverage: 1, Survived: 1 }) } },
    };
    const [score] = moduleScores(report, { 'a.ts': 81 });
    expect(score).toMatchObject({ score: 80, ok: false });
  });

  it('fails a module with a floor that the report does not contain', () => {
    expect(moduleScores({ files: {} }, { 'gone.ts': 80 })).toEqual([
      { module: 'gone.ts', floor: 80, score: null, detected: 0, valid: 0, ok: false },
    ]);
  });

  it('reports modules without a floor and never fails them', () => {
    const report: MutationReport = { files: { 'b.ts': { mutants: mutants({ Survived: 3 }) } } };
    expect(moduleScores(report, {})).toEqual([
      { module: 'b.ts', floor: null, score: 0, detected: 0, valid: 3, ok: true },
    ]);
  });
});

describe('stryker.config.json', () => {
  it('mutates every module that has a floor', () => {
    const mutated = config.mutate.map((glob) => glob.replace(/:[\d-]+$/, ''));
    for (const module of Object.keys(MUTATION_SCORE_FLOORS)) expect(mutated, module).toContain(module);
  });

  it('runs incrementally from the committed results file, and breaks below the lowest floor', () => {
    expect(config.incremental).toBe(true);
    expect(config.incrementalFile).toBe('reports/mutation/stryker-incremental.json');
    expect(config.thresholds.break).toBe(Math.min(...Object.values(MUTATION_SCORE_FLOORS)));
  });
});
