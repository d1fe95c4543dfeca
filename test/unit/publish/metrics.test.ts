import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  batches,
  MetricsDeadlineError,
  homeCopyData,
  isRetryable,
  publishMetrics,
} from '../../../functions/publish/metrics-home-copy.ts';
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

describe('homeCopyData', () => {
  it('copies success, duration, pull budget (%) and certificate days, dimensioned by Target and ProbeRegion', () => {
    const data = homeCopyData('hub', 'eu-west-1', healthyResult(), at);
    expect(data.map((d) => [d.MetricName, d.Value, d.Unit])).toEqual([
      ['Success', 1, 'Count'],
      ['DurationMs', 120, 'Milliseconds'],
      ['RateLimitRemainingPercent', 15, 'Percent'],
      ['CertDaysRemaining', 40, 'Count'],
    ]);
    expect(data[0]!.Dimensions).toEqual([
      { Name: 'Target', Value: 'hub' },
      { Name: 'ProbeRegion', Value: 'eu-west-1' },
    ]);
  });

  it('copies only success for a failing result: its duration is the time to fail, not latency', () => {
    const data = homeCopyData('hub', 'eu-west-1', { ...failingResult('TIMEOUT'), durationMs: 10_000 }, at);
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([['Success', 0]]);
  });

  it('copies the duration of a degraded result, which reached the registry', () => {
    const degraded = healthyResult({ status: 'degraded', durationMs: 6_000, rateLimit: null, tls: null });
    const data = homeCopyData('hub', 'eu-west-1', degraded, at);
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([
      ['Success', 1],
      ['DurationMs', 6_000],
    ]);
  });
});

describe('publishMetrics', () => {
  const data = (n: number) =>
    Array.from({ length: n }, (_, i) => homeCopyData(`t${i}`, 'eu-west-1', failingResult(), at)[0]!);
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
