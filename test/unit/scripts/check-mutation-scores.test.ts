import { describe, expect, it } from 'vitest';
import { type MutationReport, moduleScores } from '../../../scripts/check-mutation-scores.ts';

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
