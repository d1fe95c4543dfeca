import { describe, expect, it } from 'vitest';
import { phaseTotals, resultLogFields } from '../../../functions/publish/result-log.ts';
import { failingResult, healthyResult } from '../handlers/probe-fixtures.ts';

describe('phaseTotals', () => {
  it('sums each network phase over the requests that had it', () => {
    expect(phaseTotals(healthyResult())).toEqual({ dnsMs: 3, connectMs: 10, tlsMs: 20, ttfbMs: 55 });
  });

  it('is null for a phase no request had, not 0: a failure before connecting has no timings', () => {
    expect(phaseTotals(failingResult())).toEqual({ dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null });
  });
});

describe('resultLogFields', () => {
  it('is the JSON contract plus target, region and phases', () => {
    const result = healthyResult();
    const fields = resultLogFields('hub', 'eu-west-1', result);
    expect(fields).toEqual({ ...result, target: 'hub', region: 'eu-west-1', phases: phaseTotals(result) });
  });
});
