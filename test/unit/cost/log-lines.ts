/**
 * The probe Lambda's log lines, formatted the way the deployed handler formats them: the same
 * Powertools Logger (service name, Lambda context injected as by `injectLambdaContext`), the same
 * result fields (functions/publish/result-log.ts), on a realistic result. The cost model's
 * log-size assumptions are checked against these measurements (log-lines.test.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { RESULT_LOG_MESSAGE, resultLogFields } from '../../../functions/publish/result-log.ts';
import type { RunSummary } from '../../../functions/run/probe-run.ts';

const HEX = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';
const DIGEST = `sha256:${HEX}`;

const step = (
  name: ProbeResult['steps'][number]['name'],
  method: 'GET' | 'HEAD',
  url: string,
  status: number,
  fresh: boolean,
) => ({
  name,
  method,
  url,
  status,
  host: new URL(url).host,
  timings: fresh
    ? { dnsMs: 1.42, connectMs: 2.31, tlsMs: 11.87, ttfbMs: 38.56, totalMs: 54.73 }
    : { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 36.12, totalMs: 36.95 },
  reusedConnection: !fresh,
});

/**
 * A healthy Docker Hub probe as a warm Lambda walks it (bench/RESULTS.md: the tag manifest is not
 * fetched again while cached): ping, token, tag HEAD, platform manifest, layer HEAD and its redirect
 * to the CDN. Docker Hub is the wordiest case: a token exchange with its scope in the URL, a
 * rate-limit budget, eight platforms in the index and a blob redirect.
 */
export function dockerHubResult(): ProbeResult {
  const registry = 'https://registry-1.docker.io/v2';
  return {
    ref: 'docker.io/library/alpine:latest',
    registry: 'registry-1.docker.io',
    repository: 'library/alpine',
    reference: 'latest',
    status: 'healthy',
    diagnosis: null,
    warnings: [],
    digest: DIGEST,
    platforms: [
      'linux/386',
      'linux/amd64',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm64/v8',
      'linux/ppc64le',
      'linux/riscv64',
      'linux/s390x',
    ],
    rateLimit: { limit: 100, remaining: 87, windowSeconds: 21600, source: '203.0.113.77' },
    tls: {
      subject: 'CN=*.docker.io',
      issuer: 'CN=Amazon RSA 2048 M02,O=Amazon,C=US',
      validTo: '2027-07-14T23:59:59.000Z',
      daysRemaining: 224,
      protocol: 'TLSv1.3',
    },
    steps: [
      step('ping', 'GET', `${registry}/`, 401, true),
      step(
        'token',
        'GET',
        'https://auth.docker.io/token?scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io',
        200,
        true,
      ),
      step('manifest-head', 'HEAD', `${registry}/library/alpine/manifests/latest`, 200, false),
      step('platform-manifest', 'HEAD', `${registry}/library/alpine/manifests/${DIGEST}`, 200, false),
      step('blob-head', 'HEAD', `${registry}/library/alpine/blobs/${DIGEST}`, 307, false),
      step(
        'blob-redirect',
        'HEAD',
        `https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/a3/${HEX}/data`,
        200,
        true,
      ),
    ],
    durationMs: 412,
  };
}

const LAMBDA_CONTEXT = {
  functionName: 'RegistryCanary-Probe-ap-southeast-1-ProbeFunction8F3AC2B1-Xy7Zq2LmN4pQ',
  functionVersion: '$LATEST',
  invokedFunctionArn:
    'arn:aws:lambda:ap-southeast-1:123456789012:function:RegistryCanary-Probe-ap-southeast-1-ProbeFunction8F3AC2B1-Xy7Zq2LmN4pQ',
  memoryLimitInMB: '640',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/registry-canary/probe',
  logStreamName: '2026/12/02/[$LATEST]2e8b1f0c3d4a4b5c9d6e7f8a9b0c1d2e',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

/** The probe handler's Logger, writing into `lines` instead of stdout. */
function handlerLogger(lines: string[]): Logger {
  const logger = new Logger({ serviceName: 'registry-canary-probe' });
  logger.addContext(LAMBDA_CONTEXT);
  const write = (line: string) => lines.push(line);
  (logger as unknown as { console: Record<string, (line: string) => void> }).console = {
    info: write,
    log: write,
    warn: write,
    error: write,
    debug: write,
    trace: write,
  };
  return logger;
}

/**
 * Lambda sets the trace header of every invocation (tracing on or off), and the Logger adds its
 * root as `xray_trace_id` to every line.
 */
const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=0';

function withTraceHeader<T>(fn: () => T): T {
  const before = process.env._X_AMZN_TRACE_ID;
  process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = before;
  }
}

/** Bytes of one log event as CloudWatch Logs ingests it: the line, UTF-8. */
const bytes = (line: string) => Buffer.byteLength(line, 'utf8');

/** The result line of one target (functions/run/probe-run.ts `onResult`). */
export function measuredResultLineBytes(result: ProbeResult = dockerHubResult()): number {
  const lines: string[] = [];
  withTraceHeader(() =>
    handlerLogger(lines).info(RESULT_LOG_MESSAGE, {
      ...resultLogFields('dockerhub-alpine', 'ap-southeast-1', result),
    }),
  );
  if (!lines[0]?.includes('"xray_trace_id"'))
    throw new Error('the measured line lacks the trace id Lambda adds');
  return bytes(lines[0]);
}

/** The lines every run writes once: the state-of-record summary and 'run finished'. */
export function measuredRunLineBytes(targets: number): number {
  const lines: string[] = [];
  const logger = handlerLogger(lines);
  withTraceHeader(() =>
    logger.info('state of record', { ok: true, written: 3, skipped: targets - 3, superseded: 0, failed: 0 }),
  );
  const summary: RunSummary = {
    region: 'ap-southeast-1',
    probed: targets,
    healthy: targets,
    degraded: 0,
    failing: 0,
    metrics: { sent: targets + 1, unsent: 0 },
  };
  withTraceHeader(() => logger.info('run finished', { summary }));
  return lines.reduce((sum, line) => sum + bytes(line), 0);
}
