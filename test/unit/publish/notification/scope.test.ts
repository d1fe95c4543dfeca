import { describe, expect, it } from 'vitest';
import { describeScope } from '../../../../functions/publish/notification/scope.ts';
import type { TargetState } from '../../../../functions/publish/state-item.ts';

const NOW = new Date('2026-11-22T10:30:00.000Z');
const STALE = 40 * 60_000;

function state(
  region: string,
  status: TargetState['status'],
  lastSeen = '2026-11-22T10:25:00.000Z',
): TargetState {
  return {
    target: 't',
    region,
    registry: 'r',
    ref: 'r/x',
    status,
    diagnosisCode: status === 'failing' ? 'TIMEOUT' : null,
    summary: null,
    evidence: [],
    nextSteps: [],
    runbook: null,
    warnings: [],
    since: '2026-11-22T10:00:00.000Z',
    consecutiveFailures: 0,
    rateLimitRemaining: null,
    rateLimitLimit: null,
    rateLimitSource: null,
    certDaysRemaining: null,
    lastSeen,
    ttl: 0,
  };
}

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

describe('describeScope', () => {
  it('says which regions fail out of all the expected ones', () => {
    const scope = describeScope(
      [state('eu-west-1', 'failing'), state('ap-southeast-1', 'failing'), state('us-east-1', 'healthy')],
      REGIONS,
      NOW,
      STALE,
    );
    expect(scope.text).toBe('failing in 2 of 3 regions: eu-west-1, ap-southeast-1');
  });

  it('calls a failure in every region what it is: all regions', () => {
    const scope = describeScope(
      REGIONS.map((r) => state(r, 'failing')),
      REGIONS,
      NOW,
      STALE,
    );
    expect(scope.text).toBe('failing in all 3 regions: eu-west-1, us-east-1, ap-southeast-1');
  });

  it('counts a region without a recent result as silent, not healthy', () => {
    const scope = describeScope(
      [state('eu-west-1', 'failing'), state('us-east-1', 'healthy', '2026-11-22T09:00:00.000Z')],
      REGIONS,
      NOW,
      STALE,
    );
    expect(scope.silent).toEqual(['us-east-1', 'ap-southeast-1']);
    expect(scope.text).toBe(
      'failing in 1 of 3 regions: eu-west-1; no recent result from us-east-1, ap-southeast-1',
    );
  });

  it('reports degraded regions, and healthy when nothing is wrong', () => {
    expect(describeScope([state('eu-west-1', 'degraded')], ['eu-west-1', 'us-east-1'], NOW, STALE).text).toBe(
      'degraded in 1 of 2 regions: eu-west-1; no recent result from us-east-1',
    );
    expect(
      describeScope(
        REGIONS.map((r) => state(r, 'healthy')),
        REGIONS,
        NOW,
        STALE,
      ).text,
    ).toBe('healthy in all 3 regions');
  });
});
