import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  batches,
  heartbeatDatum,
  isRetryable,
  MetricsDeadlineError,
  publishMetrics,
  resultMetricData,
} from '../../../functions/publish/metrics.ts';
import { failingResult, healthyResult } from '../handlers/probe-fixtures.ts';

const cloudWatch = mockClient(CloudWatchClient);
const at = new Date('2026-11-23T00:00:00Z');

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400 },
  });
}

beforeEach(() => cloudWatch.reset());

const budgetLow = { code: 'RATE_LIMIT_LOW', summary: 'Only 15 of 100 pulls remain' } as const;
const certExpiring = { code: 'CERT_EXPIRING', summary: 'expires in 9 days' } as const;
const slow = { code: 'SLOW', summary: 'took 6000 ms' } as const;

describe('resultMetricData', () => {
  it('sends one Failing sample of 0 for a healthy result, dimensioned by Target alone, at the scheduled time', () => {
    const data = resultMetricData('hub', 'registry-1.docker.io', healthyResult(), at);
    expect(data).toEqual([
      {
        MetricName: 'Failing',
        Dimensions: [{ Name: 'Target', Value: 'hub' }],
        Timestamp: at,
        Value: 0,
        Unit: 'Count',
      },
    ]);
  });

  it('sends no warning metric while no warning holds, even with a pull budget and a certificate', () => {
    // healthyResult has 15 of 100 pulls left and 40 certificate days: the probe did not warn, so
    // neither is sent (a metric is billed for every hour it receives data).
    const names = resultMetricData('hub', 'registry-1.docker.io', healthyResult(), at).map(
      (d) => d.MetricName,
    );
    expect(names).toEqual(['Failing']);
  });

  it('sends Failing = 1 and nothing else for a failing result: its duration is the time to fail, not latency', () => {
    const data = resultMetricData('hub', 'r', { ...failingResult('TIMEOUT'), durationMs: 10_000 }, at);
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([['Failing', 1]]);
  });

  it('sends the pull budget left in % while RATE_LIMIT_LOW holds', () => {
    const degraded = healthyResult({ status: 'degraded', warnings: [budgetLow] });
    const data = resultMetricData('hub', 'registry-1.docker.io', degraded, at);
    expect(data.map((d) => [d.MetricName, d.Value, d.Unit, d.Dimensions])).toContainEqual([
      'RateLimitLowPercent',
      15,
      'Percent',
      [{ Name: 'Target', Value: 'hub' }],
    ]);
  });

  it('sends the certificate days per registry host, not per target, while CERT_EXPIRING holds', () => {
    const degraded = healthyResult({ status: 'degraded', warnings: [certExpiring] });
    const data = resultMetricData('hub', 'registry-1.docker.io', degraded, at);
    expect(data.map((d) => [d.MetricName, d.Value, d.Dimensions])).toContainEqual([
      'CertExpiringDays',
      40,
      [{ Name: 'Registry', Value: 'registry-1.docker.io' }],
    ]);
  });

  it('sends the duration while SLOW holds', () => {
    const degraded = healthyResult({ status: 'degraded', durationMs: 6_000, warnings: [slow] });
    const data = resultMetricData('hub', 'r', degraded, at);
    expect(data.map((d) => [d.MetricName, d.Value, d.Unit])).toEqual([
      ['Failing', 0, 'Count'],
      ['SlowMs', 6_000, 'Milliseconds'],
    ]);
  });

  it('sends no budget when the warning holds but the headers gave no limit', () => {
    const degraded = healthyResult({ status: 'degraded', warnings: [budgetLow], rateLimit: null });
    expect(resultMetricData('hub', 'r', degraded, at).map((d) => d.MetricName)).toEqual(['Failing']);
  });
});

describe('heartbeatDatum', () => {
  it('counts the targets probed, dimensioned by ProbeRegion, at the scheduled time', () => {
    expect(heartbeatDatum('eu-west-1', 7, at)).toEqual({
      MetricName: 'Heartbeat',
      Dimensions: [{ Name: 'ProbeRegion', Value: 'eu-west-1' }],
      Timestamp: at,
      Value: 7,
      Unit: 'Count',
    });
  });
});

describe('publishMetrics', () => {
  const data = (n: number) =>
    Array.from({ length: n }, (_, i) => resultMetricData(`t${i}`, 'r', failingResult(), at)[0]!);
  const noSleep = async () => {};

  it('sends at most 1000 data per request, in the RegistryCanary namespace', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const outcome = await publishMetrics(data(2345), { client: new CloudWatchClient({}), sleep: noSleep });

    const calls = cloudWatch.commandCalls(PutMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.MetricData?.length)).toEqual([1000, 1000, 345]);
    expect(calls.every((c) => c.args[0].input.Namespace === 'RegistryCanary')).toBe(true);
    expect(outcome).toEqual({ sent: 2345, unsent: [] });
  });

  it('retries a throttled batch with growing backoff, then succeeds', async () => {
    cloudWatch.on(PutMetricDataCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    const delays: number[] = [];
    const outcome = await publishMetrics(data(3), {
      client: new CloudWatchClient({}),
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 1,
      retry: { baseDelayMs: 100 },
    });

    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(outcome.sent).toBe(3);
  });

  it('gives up after the last attempt and reports the data it could not send', async () => {
    cloudWatch.on(PutMetricDataCommand).rejects(throttled());
    const outcome = await publishMetrics(data(1200), {
      client: new CloudWatchClient({}),
      sleep: noSleep,
      retry: { attempts: 3 },
    });

    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(6);
    expect(outcome.sent).toBe(0);
    expect(outcome.unsent.map((u) => u.data.length)).toEqual([1000, 200]);
  });

  it('stops retrying when the next attempt could only start after the deadline', async () => {
    let clock = 0;
    const started: number[] = [];
    cloudWatch.on(PutMetricDataCommand).callsFake(() => {
      started.push(clock);
      clock += 1_000; // each request takes 1 s
      throw throttled();
    });
    // Backoff 1 s, then 2 s: the second retry would start at 5 s, past the 3.5 s deadline.
    const outcome = await publishMetrics(data(3), {
      client: new CloudWatchClient({}),
      retry: { attempts: 4, baseDelayMs: 1_000 },
      random: () => 1,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      deadline: 3_500,
    });

    expect(started).toEqual([0, 2_000]);
    expect(outcome.sent).toBe(0);
    expect(outcome.unsent).toHaveLength(1);
    expect(outcome.unsent[0]!.data).toHaveLength(3);
    expect(outcome.unsent[0]!.error).toBeInstanceOf(MetricsDeadlineError);
    expect((outcome.unsent[0]!.error as Error).cause).toMatchObject({ name: 'Throttling' });
  });

  it('sends no batch once the deadline has passed, and reports each one unsent', async () => {
    let clock = 0;
    cloudWatch.on(PutMetricDataCommand).callsFake(() => {
      clock += 2_000;
      return {};
    });
    const outcome = await publishMetrics(data(2_100), {
      client: new CloudWatchClient({}),
      now: () => clock,
      sleep: noSleep,
      deadline: 1_000,
    });

    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(outcome.sent).toBe(1_000);
    expect(outcome.unsent.map((u) => u.data.length)).toEqual([1_000, 100]);
    expect(outcome.unsent.every((u) => u.error instanceof MetricsDeadlineError)).toBe(true);
  });

  it('does not retry a request CloudWatch refuses as invalid', async () => {
    const invalid = Object.assign(new Error('bad'), {
      name: 'InvalidParameterValueException',
      $metadata: { httpStatusCode: 400 },
    });
    cloudWatch.on(PutMetricDataCommand).rejects(invalid);
    const outcome = await publishMetrics(data(1), { client: new CloudWatchClient({}), sleep: noSleep });
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(outcome.unsent).toHaveLength(1);
  });
});

describe('isRetryable', () => {
  it('retries throttling, 5xx and network errors, not client errors', () => {
    expect(isRetryable(throttled())).toBe(true);
    expect(isRetryable({ name: 'InternalServiceFault', $metadata: { httpStatusCode: 500 } })).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable({ name: 'InvalidParameterCombination', $metadata: { httpStatusCode: 400 } })).toBe(
      false,
    );
  });
});

describe('batches', () => {
  it('splits into chunks of the given size', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([], 2)).toEqual([]);
  });
});
