import { describe, expect, it } from 'vitest';
import { DEFAULT_ASSUMPTIONS } from '../../../functions/cost/from-config.ts';
import { healthyResult } from '../handlers/probe-fixtures.ts';
import { dockerHubResult, measuredResultLineBytes, measuredRunLineBytes } from './log-lines.ts';

/** An assumption that is the measurement rounded up, by less than 5%. */
function expectMeasured(assumed: number, measured: number) {
  expect(assumed).toBeGreaterThanOrEqual(measured);
  expect(assumed).toBeLessThanOrEqual(measured * 1.05);
}

describe("log sizes the cost model assumes, measured with the handler's own formatting", () => {
  it('assumes the bytes of a real result line: a warm Docker Hub probe, the wordiest registry', () => {
    expectMeasured(DEFAULT_ASSUMPTIONS.logBytesPerTargetResult, measuredResultLineBytes(dockerHubResult()));
  });

  it('assumes more than the line of a simpler probe, so the model errs high', () => {
    expect(DEFAULT_ASSUMPTIONS.logBytesPerTargetResult).toBeGreaterThan(
      measuredResultLineBytes(healthyResult()),
    );
  });

  it("assumes the bytes of a run's own lines ('state of record' and 'run finished')", () => {
    expectMeasured(DEFAULT_ASSUMPTIONS.runLogBytesPerInvocation, measuredRunLineBytes(100));
  });
});
