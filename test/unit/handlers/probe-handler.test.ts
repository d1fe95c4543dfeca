import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anonymous, CredentialsUnavailableError } from '../../../functions/credentials/types.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import { RunDeadline } from '../../../functions/run/deadline.ts';
import { PUBLISH_RESERVE_MS, readProbeConfig } from '../../../functions/run/probe-config.ts';
import {
  type ProbeFn,
  PUBLISH_MARGIN_MS,
  probeAll,
  runScheduledProbes,
} from '../../../functions/run/probe-run.ts';
import { failingResult, healthyResult, runtimeConfig, target } from './probe-fixtures.ts';

const cloudWatch = mockClient(CloudWatchClient);
let stdout: string[];

beforeEach(() => {
  cloudWatch.reset();
  stdout = [];
  // Logger lines go to stdout/stderr; collect them in order.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const never: ProbeFn = () => new Promise(() => {});
const ok: ProbeFn = async (ref) => healthyResult({ ref });

const scheduledAt = new Date('2026-12-02T08:15:00Z');

function deps(probe: ProbeFn) {
  return {
    probe,
    credentialsFor: () => anonymous,
    logger: new Logger({ serviceName: 'test' }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
    sleep: async () => {},
  };
}

/** A TCP server on loopback that accepts connections and never sends a byte. */
async function silentServer() {
  const sockets = new Set<Socket>();
  const closedAt: number[] = [];
  let opened = 0;
  const server = createServer((socket) => {
    opened++;
    sockets.add(socket);
    // Read (and drop) the request: a socket that is not read never notices the peer closing it.
    socket.resume();
    socket.on('close', () => {
      sockets.delete(socket);
      closedAt.push(Date.now());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    closedAt,
    get opened() {
      return opened;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const json = () => stdout.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('probeAll', () => {
  it("abandons a hanging target at its own deadline and keeps the others' results", async () => {
    const config = runtimeConfig([target('hangs', { timeoutMs: 300 }), target('a'), target('b')], {
      deadlineGraceMs: 100,
    });
    const probe: ProbeFn = (ref, options) => (ref.includes('hangs') ? never(ref, options) : ok(ref, options));
    const started = Date.now();

    const outcomes = await probeAll(config, {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
    });

    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1_500);
    expect(outcomes.map((o) => [o.target.name, o.result.status])).toEqual([
      ['hangs', 'failing'],
      ['a', 'healthy'],
      ['b', 'healthy'],
    ]);
    expect(outcomes[0]!.result.diagnosis).toMatchObject({
      code: 'TIMEOUT',
      summary: 'The probe did not finish within 400 ms.',
      runbook: expect.stringMatching(/TIMEOUT\.md$/),
    });
    expect(outcomes[0]!.result).toMatchObject({
      registry: 'registry.example.com',
      repository: 'hangs',
      reference: '1',
    });
  });

  it('cancels a probe still running at its hard stop, closing its connections, and keeps the others', async () => {
    // A registry that accepts connections and never answers; the probe is given a deadline far past
    // the hard stop, as if its own deadline failed to hold, so only the handler's abort can end it.
    const hung = await silentServer();
    const image = `${hung.host}/hangs:1`;
    const config = runtimeConfig([target('hangs', { image, timeoutMs: 300 }), target('a'), target('b')], {
      deadlineGraceMs: 100,
    });
    const probe: ProbeFn = (ref, options) =>
      ref === image
        ? probeImage(ref, { ...options, plainHttp: true, timeoutMs: 30_000, requestTimeoutMs: 30_000 })
        : ok(ref, options);
    const started = Date.now();

    try {
      const outcomes = await probeAll(config, {
        probe,
        credentialsFor: () => anonymous,
        deadline: RunDeadline.in(60_000),
        onResult: () => {},
      });

      expect(outcomes.map((o) => [o.target.name, o.result.status, o.result.diagnosis?.code])).toEqual([
        ['hangs', 'failing', 'TIMEOUT'],
        ['a', 'healthy', undefined],
        ['b', 'healthy', undefined],
      ]);
      expect(outcomes[1]!.result).toEqual(healthyResult({ ref: 'registry.example.com/a:1' }));
      expect(hung.opened).toBeGreaterThanOrEqual(1);
      // The server sees every connection the probe opened closed soon after the 400 ms hard stop,
      // not at the probe's own 30 s deadline.
      await vi.waitFor(() => expect(hung.closedAt).toHaveLength(hung.opened), { timeout: 1_000 });
      for (const at of hung.closedAt) {
        expect(at - started).toBeGreaterThanOrEqual(390);
        expect(at - started).toBeLessThan(1_500);
      }
    } finally {
      await hung.close();
    }
  });

  it('turns a throwing target into a failing result without touching the others', async () => {
    const probe: ProbeFn = async (ref) => {
      if (ref.includes('boom')) throw new TypeError('undefined is not a function');
      return healthyResult({ ref });
    };
    const outcomes = await probeAll(runtimeConfig([target('boom'), target('a')]), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
    });
    expect(outcomes[0]!.result.diagnosis).toMatchObject({
      code: 'PROTOCOL_ERROR',
      evidence: ['TypeError: undefined is not a function'],
    });
    expect(outcomes[1]!.result.status).toBe('healthy');
  });

  it('reports CREDENTIALS_UNAVAILABLE when the credential source cannot deliver', async () => {
    const probe: ProbeFn = async () => {
      throw new CredentialsUnavailableError(
        'Reading the secret s failed: AccessDeniedException.',
        'AccessDeniedException',
      );
    };
    const [outcome] = await probeAll(runtimeConfig([target('private')]), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
    });
    expect(outcome!.result.diagnosis).toMatchObject({
      code: 'CREDENTIALS_UNAVAILABLE',
      evidence: ['provider error: AccessDeniedException'],
    });
  });

  it('runs no more probes at once than the configured concurrency while the process is busy', async () => {
    let running = 0;
    let peak = 0;
    const probe: ProbeFn = async (ref) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return healthyResult({ ref });
    };
    const targets = Array.from({ length: 20 }, (_, i) => target(`t${i}`));
    const outcomes = await probeAll(runtimeConfig(targets, { concurrency: 3 }), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
      // A busy event loop: the limit stays at its floor (functions/run/concurrency.ts).
      concurrency: { sampler: { busy: () => 1, rssBytes: () => 0 } },
    });
    expect(outcomes).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('runs more than the configured concurrency while the process waits on the network', async () => {
    let running = 0;
    let peak = 0;
    const probe: ProbeFn = async (ref) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return healthyResult({ ref });
    };
    const targets = Array.from({ length: 40 }, (_, i) => target(`t${i}`));
    await probeAll(runtimeConfig(targets, { concurrency: 3 }), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
      concurrency: { sampler: { busy: () => 0, rssBytes: () => 0 } },
    });
    expect(peak).toBeGreaterThan(3);
    expect(peak).toBeLessThanOrEqual(16);
  });

  it("passes each target's thresholds, platforms and deadline to the probe", async () => {
    const probe = vi.fn<ProbeFn>(async (ref) => healthyResult({ ref }));
    await probeAll(
      runtimeConfig([target('a', { platforms: ['linux/arm64'], slowMs: 900, timeoutMs: 4_000 })], {
        caCertificates: ['PEM'],
        caBundleFile: 'config/certs/internal-ca.pem',
        runbookBaseUrl: 'https://runbooks.example.com',
      }),
      { probe, credentialsFor: () => anonymous, deadline: RunDeadline.in(60_000), onResult: () => {} },
    );
    expect(probe).toHaveBeenCalledWith('registry.example.com/a:1', {
      platforms: ['linux/arm64'],
      timeoutMs: 4_000,
      slowThresholdMs: 900,
      certExpiryWarningDays: 14,
      rateLimitWarningRatio: 0.2,
      verifyBlob: false,
      plainHttp: false,
      caCertificates: ['PEM'],
      runbookBaseUrl: 'https://runbooks.example.com',
      credentials: anonymous,
      // The target's hard stop, derived from the run's deadline: the probe's own deadline ends within it.
      stop: expect.objectContaining({ signal: expect.any(AbortSignal) }),
      // What the next steps paste to repeat this probe from a laptop.
      invocation: {
        command: 'npx registry-canary',
        // The config's own CA bundle file, not a placeholder: a pasted command trusts what the Lambda trusted.
        flags: ['--auth anonymous', '--platform linux/arm64', '--ca-file config/certs/internal-ca.pem'],
      },
    });
  });

  it('leaves --ca-file out for an inline caBundle.pem, which has no file to name', async () => {
    const probe = vi.fn<ProbeFn>(async (ref) => healthyResult({ ref }));
    await probeAll(runtimeConfig([target('a')], { caCertificates: ['PEM'] }), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
    });
    const options = probe.mock.calls[0]?.[1];
    expect(options?.caCertificates).toEqual(['PEM']);
    expect(options?.invocation?.flags.some((f) => f.startsWith('--ca-file'))).toBe(false);
  });

  it("passes a target's plainHttp to the probe, so it talks HTTP to that registry only", async () => {
    const probe = vi.fn<ProbeFn>(async (ref) => healthyResult({ ref }));
    await probeAll(runtimeConfig([target('internal', { plainHttp: true }), target('public')]), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(60_000),
      onResult: () => {},
    });
    expect(probe.mock.calls.map(([ref, options]) => [ref, options?.plainHttp])).toEqual([
      ['registry.example.com/internal:1', true],
      ['registry.example.com/public:1', false],
    ]);
  });

  it('does not start a target when the invocation has no time left for it', async () => {
    const probe = vi.fn<ProbeFn>(ok);
    const [outcome] = await probeAll(runtimeConfig([target('late')]), {
      probe,
      credentialsFor: () => anonymous,
      deadline: RunDeadline.in(200),
      onResult: () => {},
    });
    expect(probe).not.toHaveBeenCalled();
    expect(outcome!.result.diagnosis?.code).toBe('TIMEOUT');
  });

  it("cuts a probe's deadline short so it ends inside the invocation", async () => {
    const probe = vi.fn<ProbeFn>(ok);
    await probeAll(runtimeConfig([target('a', { timeoutMs: 10_000 })], { deadlineGraceMs: 2_000 }), {
      probe,
      credentialsFor: () => anonymous,
      // A still clock: exactly 5 s left whenever the run looks.
      deadline: RunDeadline.in(5_000, () => 0),
      onResult: () => {},
    });
    expect(probe.mock.calls[0]![1]).toMatchObject({ timeoutMs: 3_000 });
  });
});

describe('runScheduledProbes', () => {
  it('logs one line per result with the JSON contract, the region and the target', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const config = runtimeConfig([target('a'), target('b')]);
    const summary = await runScheduledProbes(
      { config, ...deps(ok) },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );

    const results = json().filter((l) => l.message === 'probe result');
    expect(results.map((l) => l.target).sort()).toEqual(['a', 'b']);
    expect(results[0]).toMatchObject({
      level: 'INFO',
      region: 'eu-west-1',
      status: 'healthy',
      registry: 'registry-1.docker.io',
      steps: expect.any(Array),
      rateLimit: expect.any(Object),
      durationMs: 120,
    });
    expect(summary).toEqual({
      region: 'eu-west-1',
      probed: 2,
      healthy: 2,
      degraded: 0,
      failing: 0,
      // One Failing sample per target (no warning held), and the heartbeat.
      metrics: { sent: 3, unsent: 0 },
    });
  });

  it('adds each network phase summed over the requests to the result line', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    await runScheduledProbes(
      { config: runtimeConfig([target('a')]), ...deps(ok) },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );
    const [line] = json().filter((l) => l.message === 'probe result');
    // healthyResult: ping 3/10/20/30 ms, then a reused connection with only a first byte of 25 ms.
    expect(line!.phases).toEqual({ dnsMs: 3, connectMs: 10, tlsMs: 20, ttfbMs: 55 });
  });

  it('stamps every datum with the scheduled time and sends the region heartbeat last', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    await runScheduledProbes(
      { config: runtimeConfig([target('a'), target('b')]), ...deps(ok) },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );
    const [call] = cloudWatch.commandCalls(PutMetricDataCommand);
    const data = call!.args[0].input.MetricData ?? [];
    expect(data.every((d) => d.Timestamp === scheduledAt)).toBe(true);
    expect(data.map((d) => [d.MetricName, d.Dimensions?.[0]?.Value, d.Value])).toEqual([
      ['Failing', 'a', 0],
      ['Failing', 'b', 0],
      ['Heartbeat', 'eu-west-1', 2],
    ]);
    expect(call!.args[0].input.Namespace).toBe('RegistryCanary');
  });

  it('writes no EMF metric lines: every metric goes to the home region', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    await runScheduledProbes(
      { config: runtimeConfig([target('a')]), ...deps(ok) },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );
    expect(json().some((l) => '_aws' in l)).toBe(false);
  });

  it('sends every result to the home region, in batches of at most 1000 data', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const targets = Array.from({ length: 300 }, (_, i) => target(`t${i}`));
    const summary = await runScheduledProbes(
      { config: runtimeConfig(targets, { concurrency: 50 }), ...deps(ok) },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );

    const sizes = cloudWatch
      .commandCalls(PutMetricDataCommand)
      .map((c) => c.args[0].input.MetricData?.length);
    // 300 Failing samples and one heartbeat: no warning holds in healthyResult.
    expect(sizes).toEqual([301]);
    expect(summary.metrics).toEqual({ sent: 301, unsent: 0 });
  });

  it('retries throttled metrics and, when they keep failing, logs what was not sent beside the results', async () => {
    cloudWatch
      .on(PutMetricDataCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    const config = runtimeConfig([target('a')]);
    const summary = await runScheduledProbes(
      { config, ...deps(async () => failingResult()), metricsRetry: { attempts: 3 } },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );

    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(3);
    expect(summary.metrics).toEqual({ sent: 0, unsent: 2 }); // Failing and the heartbeat
    const lines = json();
    expect(lines.find((l) => l.message === 'probe result' && l.target === 'a')).toMatchObject({
      status: 'failing',
      diagnosis: expect.objectContaining({ code: 'NAME_UNKNOWN' }),
    });
    expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({
      message: expect.stringContaining('metrics not sent to the home region'),
      subjects: ['a', 'eu-west-1'],
    });
  });

  it('stops retrying the home copy before the invocation ends, and logs what it could not send', async () => {
    const start = 1_000_000;
    let clock = start;
    const started: number[] = [];
    cloudWatch.on(PutMetricDataCommand).callsFake(() => {
      started.push(clock - start);
      clock += 3_000; // a throttled request that takes 3 s to answer
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $metadata: { httpStatusCode: 400 },
      });
    });
    // The Lambda has 20 s left when publishing starts.
    const invocation = RunDeadline.at(start + 20_000, () => clock);
    const summary = await runScheduledProbes(
      {
        config: runtimeConfig([target('a'), target('b')]),
        ...deps(ok),
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
        metricsRetry: { attempts: 10, baseDelayMs: 4_000, maxDelayMs: 4_000 },
      },
      invocation,
      scheduledAt,
    );

    // Without the deadline all 10 attempts would run, ~50 s: far past the Lambda's 20 s.
    const deadline = 20_000 - PUBLISH_MARGIN_MS;
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.length).toBeLessThan(10);
    expect(started.every((t) => t < deadline)).toBe(true);
    expect(clock - start).toBeLessThanOrEqual(deadline + 3_000);
    expect(summary.metrics).toEqual({ sent: 0, unsent: 3 });
    expect(json().find((l) => l.level === 'ERROR')).toMatchObject({
      message: expect.stringContaining('metrics not sent to the home region'),
      data: 3,
      subjects: ['a', 'b', 'eu-west-1'],
      error: expect.objectContaining({ name: 'MetricsDeadlineError' }),
    });
  });

  it('finishes at the hard deadline even when every target hangs', async () => {
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const config = runtimeConfig([target('x', { timeoutMs: 200 }), target('y', { timeoutMs: 200 })], {
      deadlineGraceMs: 50,
    });
    const started = Date.now();
    const summary = await runScheduledProbes(
      { config, ...deps(never) },
      RunDeadline.in(60_000 + PUBLISH_RESERVE_MS),
      scheduledAt,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(summary.failing).toBe(2);
  });
});

describe('readProbeConfig', () => {
  it('fails loudly when PROBE_CONFIG_FILE is not set', () => {
    expect(() => readProbeConfig({})).toThrow('Environment variable PROBE_CONFIG_FILE is required');
  });

  it('names the field of an invalid config file', () => {
    const file = JSON.stringify(runtimeConfig([{ ...target('a'), credentials: { type: 'nope' } } as never]));
    expect(() => readProbeConfig({ PROBE_CONFIG_FILE: 'x.json' }, () => file)).toThrow(
      /targets\.0\.credentials\.type/,
    );
  });

  it('reads a valid config file', () => {
    const config = runtimeConfig([target('a')]);
    expect(readProbeConfig({ PROBE_CONFIG_FILE: 'x.json' }, () => JSON.stringify(config))).toEqual(config);
  });
});
