import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  emitPhaseMetrics,
  emitResultMetrics,
  emitRunMetrics,
  phaseTotal,
} from '../../../functions/publish/metrics.ts';
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
  it('writes one EMF line per healthy result, dimensioned by Target only, without the network phases', () => {
    emitResultMetrics(metrics, 'hub', healthyResult());

    expect(lines).toHaveLength(1);
    const [line] = lines;
    const directive = line!._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('RegistryCanary');
    expect(directive.Dimensions).toEqual([['Target']]);
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(
      ['CertDaysRemaining', 'DurationMs', 'RateLimitLimit', 'RateLimitRemaining', 'Success'].sort(),
    );
    expect(line).toMatchObject({
      Target: 'hub',
      Success: 1,
      DurationMs: 120,
      RateLimitRemaining: 15,
      RateLimitLimit: 100,
      CertDaysRemaining: 40,
    });
    for (const phase of ['DnsMs', 'ConnectMs', 'TlsMs', 'TtfbMs']) expect(line).not.toHaveProperty(phase);
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

/** A result whose every request had each phase: ping on a fresh connection, then a reused one. */
function timedResult(dnsMs: number, ttfbMs: number) {
  const [ping, head] = healthyResult().steps;
  return healthyResult({
    steps: [
      { ...ping!, timings: { dnsMs, connectMs: 10, tlsMs: 20, ttfbMs, totalMs: 0 } },
      { ...head!, timings: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 5, totalMs: 0 } },
    ],
  });
}

describe('emitPhaseMetrics', () => {
  it('writes two targets on one registry as one set of Registry series holding both values', () => {
    emitPhaseMetrics(metrics, [
      { registry: 'registry-1.docker.io', result: timedResult(3, 30) },
      { registry: 'registry-1.docker.io', result: timedResult(7, 50) },
    ]);

    expect(lines).toHaveLength(1);
    const [line] = lines;
    const directive = line!._aws.CloudWatchMetrics[0]!;
    expect(directive.Dimensions).toEqual([['Registry']]);
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(['ConnectMs', 'DnsMs', 'TlsMs', 'TtfbMs']);
    expect(directive.Metrics.every((m) => m.Unit === 'Milliseconds')).toBe(true);
    // One value per target, in the order they reported: Average and the percentiles count each probe.
    expect(line).toMatchObject({
      Registry: 'registry-1.docker.io',
      DnsMs: [3, 7],
      ConnectMs: [10, 10],
      TlsMs: [20, 20],
      TtfbMs: [35, 55],
    });
    expect(line).not.toHaveProperty('Target');
  });

  it('writes one line per registry, each with only its own targets', () => {
    emitPhaseMetrics(metrics, [
      { registry: 'registry-1.docker.io', result: timedResult(3, 30) },
      { registry: 'ghcr.io', result: timedResult(9, 90) },
      { registry: 'registry-1.docker.io', result: timedResult(7, 50) },
    ]);

    expect(lines.map((l) => [l.Registry, l.DnsMs])).toEqual([
      ['registry-1.docker.io', [3, 7]],
      ['ghcr.io', 9],
    ]);
  });

  it('adds no value for a phase a result never reached, and no line for a registry with none', () => {
    emitPhaseMetrics(metrics, [
      { registry: 'quay.io', result: failingResult('NAME_UNKNOWN') },
      { registry: 'ghcr.io', result: failingResult('TIMEOUT') },
      { registry: 'ghcr.io', result: timedResult(4, 40) },
    ]);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Registry: 'ghcr.io', DnsMs: 4, TtfbMs: 45 });
  });

  it('keeps the Registry dimension on every line when a registry has more values than Powertools holds per metric', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ registry: 'ghcr.io', result: timedResult(i, 0) }));

    emitPhaseMetrics(metrics, many);

    expect(lines.map((l) => l._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([
      [['Registry']],
      [['Registry']],
    ]);
    expect(lines.map((l) => l.Registry)).toEqual(['ghcr.io', 'ghcr.io']);
    expect(lines.flatMap((l) => l.DnsMs as number[])).toEqual(many.map((_, i) => i));
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
