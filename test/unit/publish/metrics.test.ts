import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emitResultMetrics, emitRunMetrics, phaseTotal } from '../../../functions/publish/metrics.ts';
import { failingResult, healthyResult } from '../handlers/probe-fixtures.ts';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

let lines: EmfLine[];
let metrics: Metrics;

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  });
  metrics = new Metrics({ namespace: 'RegistryCanary', serviceName: 'test' });
  metrics.clearDefaultDimensions();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('emitResultMetrics', () => {
  it('writes one EMF line per healthy result, dimensioned by Target only', () => {
    emitResultMetrics(metrics, 'hub', healthyResult());

    expect(lines).toHaveLength(1);
    const [line] = lines;
    const directive = line!._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('RegistryCanary');
    expect(directive.Dimensions).toEqual([['Target']]);
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(
      [
        'CertDaysRemaining',
        'ConnectMs',
        'DnsMs',
        'DurationMs',
        'RateLimitLimit',
        'RateLimitRemaining',
        'Success',
        'TlsMs',
        'TtfbMs',
      ].sort(),
    );
    expect(line).toMatchObject({
      Target: 'hub',
      Success: 1,
      DurationMs: 120,
      DnsMs: 3,
      TtfbMs: 55,
      RateLimitRemaining: 15,
      RateLimitLimit: 100,
      CertDaysRemaining: 40,
    });
  });

  it('adds a Failure line dimensioned by the diagnosis code when the probe fails', () => {
    emitResultMetrics(metrics, 'hub', failingResult('NAME_UNKNOWN'));

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ Target: 'hub', Success: 0 });
    expect(lines[0]).not.toHaveProperty('RateLimitRemaining');
    expect(lines[1]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Code']]);
    expect(lines[1]).toMatchObject({ Code: 'NAME_UNKNOWN', Failure: 1 });
    expect(lines[1]).not.toHaveProperty('Target');
  });

  it("does not let one target's dimension leak into the next line", () => {
    emitResultMetrics(metrics, 'a', healthyResult());
    emitResultMetrics(metrics, 'b', healthyResult());
    expect(lines.map((l) => l.Target)).toEqual(['a', 'b']);
  });
});

describe('emitRunMetrics', () => {
  it('stores run metrics without dimensions until the flush', () => {
    emitRunMetrics(metrics, 7, 900);
    metrics.publishStoredMetrics();
    expect(lines[0]).toMatchObject({ TargetsProbed: 7, RunDurationMs: 900 });
    expect(lines[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([]);
  });
});

describe('phaseTotal', () => {
  it('sums a phase over requests and is null when no request had it', () => {
    expect(phaseTotal(healthyResult(), 'ttfb')).toBe(55);
    expect(phaseTotal(healthyResult({ steps: [] }), 'dns')).toBeNull();
  });
});
