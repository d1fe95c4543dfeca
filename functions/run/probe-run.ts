/**
 * One scheduled run in one region: probe every target at once, with a bound on concurrency, each
 * in isolation. A target that throws becomes a failing result; a target that hangs is cancelled at
 * its own hard stop (its requests aborted, its connections closed) and becomes a failing TIMEOUT
 * result; neither delays nor loses the others. The
 * run never outlives the invocation: a target whose turn comes too late is reported, not started.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CredentialProvider } from '../credentials/types.ts';
import { CredentialsUnavailableError } from '../credentials/types.ts';
import { type DiagnosisCode, runbookUrl } from '../probe/codes.ts';
import { cliAuthFor, invocationOf } from '../probe/invocation.ts';
import type { ProbeOptions } from '../probe/options.ts';
import type { ProbeResult } from '../probe/result.ts';
import { heartbeatDatum, publishMetrics, type RetryPolicy, resultMetricData } from '../publish/metrics.ts';
import { RESULT_LOG_MESSAGE, resultLogFields } from '../publish/result-log.ts';
import { type RecordSummary, recordResults, type WriteMemory } from '../publish/state.ts';
import { AdaptiveLimiter, type LimiterOptions } from './concurrency.ts';
import type { RunDeadline } from './deadline.ts';
import { probeWithMirrors } from './mirror-run.ts';
import { type ProbeRuntimeConfig, type ProbeTarget, PUBLISH_RESERVE_MS } from './probe-config.ts';

export type ProbeFn = (ref: string, options?: Partial<ProbeOptions>) => Promise<ProbeResult>;

export interface ProbeRunDeps {
  probe: ProbeFn;
  credentialsFor: (target: ProbeTarget) => CredentialProvider;
  /** When probing must be over (the invocation's deadline less the publish reserve). */
  deadline: RunDeadline;
  /** Called as soon as each target's result is known, so a result is logged even if the run is cut short. */
  onResult: (outcome: TargetOutcome) => void;
  now?: () => number;
  /** How the number of probes at once adapts (concurrency.ts); the floor is the config's `concurrency`. */
  concurrency?: Omit<LimiterOptions, 'floor'>;
}

export interface TargetOutcome {
  target: ProbeTarget;
  result: ProbeResult;
}

export async function probeAll(config: ProbeRuntimeConfig, deps: ProbeRunDeps): Promise<TargetOutcome[]> {
  // At least `concurrency` at once, more while the process waits on the network (concurrency.ts),
  // and never more than the per-registry limit on one registry. Targets on one registry share
  // connections and tokens through the probe's process-wide caches (connection-pool.ts, token.ts).
  const limiter = new AdaptiveLimiter({
    ...deps.concurrency,
    floor: config.concurrency,
    probesPerSlot: 1 + Math.max(0, ...config.targets.map((t) => t.mirrors?.length ?? 0)),
  });
  return Promise.all(
    config.targets.map((target) =>
      limiter.run(target.registry, async () => {
        // A target's mirrors are probed beside it, each as a target of its own (mirror-run.ts).
        const result = await probeWithMirrors(target, (t) => probeOne(t, config, deps), config);
        const outcome = { target, result };
        deps.onResult(outcome);
        return outcome;
      }),
    ),
  );
}

async function probeOne(
  target: ProbeTarget,
  config: ProbeRuntimeConfig,
  deps: ProbeRunDeps,
): Promise<ProbeResult> {
  const now = deps.now ?? deps.deadline.now;
  const started = now();
  const budgetMs = deps.deadline.remainingMs();
  if (budgetMs < 1_000) {
    return failedResult(target, config, 'TIMEOUT', 0, {
      summary: "Not probed: the run ran out of time before this target's turn.",
      evidence: [`time left in the invocation: ${Math.max(0, budgetMs)} ms`],
      nextSteps: ['Raise `concurrency` in the config, or probe fewer targets per region.'],
    });
  }
  // The hard stop: the probe's own deadline plus a grace, never past the end of probing. Its signal
  // is the run's, narrowed: it fires at the hard stop or when the run's deadline does.
  const hardStopMs = Math.min(target.timeoutMs + config.deadlineGraceMs, budgetMs);
  const hardStop = deps.deadline.within(hardStopMs);
  const options: Partial<ProbeOptions> = {
    platforms: target.platforms,
    timeoutMs: Math.min(target.timeoutMs, Math.max(1, hardStopMs - config.deadlineGraceMs)),
    slowThresholdMs: target.slowMs,
    certExpiryWarningDays: target.certExpiryDays,
    rateLimitWarningRatio: target.rateLimitRatio,
    verifyBlob: target.verifyBlob,
    plainHttp: target.plainHttp,
    ...(target.profile ? { profile: target.profile } : {}),
    // Next steps repeat the probe from a laptop as this Lambda made it.
    invocation: invocationOf('npx registry-canary', {
      platforms: target.platforms,
      plainHttp: target.plainHttp,
      auth: cliAuthFor(target.credentials),
      // The CA bundle's own file in the checkout (the config's caBundle.path), so the pasted
      // command trusts what this Lambda trusted. An inline caBundle.pem has no file to name: the
      // flag is left out rather than naming one that does not exist, and a TLS_UNTRUSTED step
      // then says to add --ca-file with the PEM saved from the config's caBundle.pem.
      ...(config.caCertificates.length > 0 && config.caBundleFile ? { caFile: config.caBundleFile } : {}),
      ...(target.profile ? { profile: target.profile } : {}),
    }),
    caCertificates: config.caCertificates,
    ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    ...(config.httpsProxy ? { proxy: { httpsProxy: config.httpsProxy, noProxy: config.noProxy } } : {}),
  };

  // The probe gets the hard stop itself: its own deadline ends within it, it winds down until it,
  // and a probe still running then ends its requests and closes its connections, so the concurrency
  // slot it gives back is really free.
  const attempt = (async () => {
    const credentials = deps.credentialsFor(target);
    return deps.probe(target.image, { ...options, credentials, stop: hardStop });
  })();
  let onStop: (() => void) | undefined;
  const stopped = new Promise<'deadline'>((resolve) => {
    onStop = () => resolve('deadline');
    if (hardStop.signal.aborted) onStop();
    else hardStop.signal.addEventListener('abort', onStop, { once: true });
  });
  try {
    const winner = await Promise.race([attempt, stopped]);
    if (winner === 'deadline') {
      // Hold the slot until the cancelled probe has wound down, but only briefly: a probe that
      // ignores the signal must still not delay the others, so after CANCEL_SETTLE_MS it is
      // abandoned (its late result or rejection is swallowed).
      await settledWithin(attempt, Math.min(CANCEL_SETTLE_MS, Math.max(0, deps.deadline.remainingMs())));
      return failedResult(target, config, 'TIMEOUT', now() - started, {
        summary: `The probe did not finish within ${hardStopMs} ms.`,
        evidence: [`hard stop after ${hardStopMs} ms (probe deadline ${target.timeoutMs} ms)`],
        nextSteps: [`Run it by hand: npx registry-canary probe ${target.image}`],
      });
    }
    return winner;
  } catch (error) {
    return resultFromError(target, config, error, now() - started);
  } finally {
    if (onStop) hardStop.signal.removeEventListener('abort', onStop);
  }
}

/**
 * How long a target's slot stays held after its hard stop, waiting for the cancelled probe to close
 * its connections. probeImage settles within a few ms of the abort (aborted requests destroy their
 * sockets at once); the bound only matters for a probe function that ignores the signal.
 */
export const CANCEL_SETTLE_MS = 250;

async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * The engine turns every registry failure into a diagnosis; an exception reaching here is either a
 * credential source that could not deliver, or a defect. The closed code set has no "internal
 * error", so a defect is reported as PROTOCOL_ERROR with the error's message as evidence.
 */
function resultFromError(
  target: ProbeTarget,
  config: ProbeRuntimeConfig,
  error: unknown,
  durationMs: number,
): ProbeResult {
  if (error instanceof CredentialsUnavailableError) {
    return failedResult(target, config, 'CREDENTIALS_UNAVAILABLE', durationMs, {
      summary: error.message,
      evidence: error.providerCode ? [`provider error: ${error.providerCode}`] : [],
      nextSteps: [
        "Check that the secret or role in the target's `credentials` exists and the probe role may read it.",
      ],
    });
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return failedResult(target, config, 'PROTOCOL_ERROR', durationMs, {
    summary: 'The probe stopped with an unexpected error.',
    evidence: [message],
    nextSteps: [`Run it by hand to see the full error: npx registry-canary probe ${target.image}`],
  });
}

function failedResult(
  target: ProbeTarget,
  config: ProbeRuntimeConfig,
  code: DiagnosisCode,
  durationMs: number,
  detail: { summary: string; evidence: string[]; nextSteps: string[] },
): ProbeResult {
  return {
    ref: target.image,
    registry: target.registry,
    repository: target.repository,
    reference: target.reference,
    status: 'failing',
    diagnosis: { code, ...detail, runbook: runbookUrl(code, config.runbookBaseUrl) },
    warnings: [],
    digest: null,
    platforms: [],
    rateLimit: null,
    tls: null,
    steps: [],
    durationMs,
  };
}

/**
 * Publishing to the home region stops this long before the invocation ends: one PutMetricData may
 * still be in flight (the handler's client gives up after 2 s connecting plus 3 s waiting), then the
 * log lines for unsent data must fit.
 */
export const PUBLISH_MARGIN_MS = 6_000;

export interface ScheduledRunDeps {
  config: ProbeRuntimeConfig;
  probe: ProbeFn;
  credentialsFor: (target: ProbeTarget) => CredentialProvider;
  logger: Logger;
  /** The home region's CloudWatch: every metric goes there (functions/publish/metrics-catalog.ts). */
  cloudWatch: CloudWatchClient;
  metricsRetry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /**
   * Writes the results to the state of record in the home region (alerts read it). Must not throw,
   * and must stop at `limits.deadline` (see stateRecorder).
   */
  recordState?: (outcomes: TargetOutcome[], limits: PublishLimits) => Promise<unknown>;
}

/** When a publish to the home region must stop, on the run's clock. */
export interface PublishLimits {
  /** Epoch ms on `now`. */
  deadline: number;
  now: () => number;
}

export interface StateRecorderDeps {
  table: string;
  client: DynamoDBDocumentClient;
  /** The probe region: the items' sort key. */
  region: string;
  /** Per container, so unchanged results are skipped across runs. */
  memory: WriteMemory;
  logger: Logger;
  /** The runtime config's `state`. */
  heartbeatMinutes: number;
  ttlDays: number;
}

/** The run's `recordState`: every result to the state table, within the run's deadline. */
export function stateRecorder(
  deps: StateRecorderDeps,
): (outcomes: TargetOutcome[], limits: PublishLimits) => Promise<RecordSummary> {
  return async (outcomes, { deadline, now }) => {
    const summary = await recordResults(
      outcomes.map(({ target, result }) => ({ target: target.name, result })),
      {
        region: deps.region,
        now: new Date(now()),
        table: deps.table,
        client: deps.client,
        memory: deps.memory,
        logger: deps.logger,
        heartbeatMinutes: deps.heartbeatMinutes,
        ttlDays: deps.ttlDays,
        deadline,
        clock: now,
      },
    );
    deps.logger.info('state of record', { ...summary, failed: summary.failed.length });
    return summary;
  };
}

export interface RunSummary {
  region: string;
  probed: number;
  healthy: number;
  degraded: number;
  failing: number;
  /** Metric data sent to the home region, and not sent after every retry. */
  metrics: { sent: number; unsent: number };
}

/**
 * The whole scheduled run: probe, then for each result one log line (the CLI's JSON contract plus
 * region, target and phase totals), then every result's metrics and the region's heartbeat to the
 * home region, beside the state of record.
 *
 * @param invocation when the invocation must be over (the handler makes it from Lambda's
 *   getRemainingTimeInMillis()). Probing ends PUBLISH_RESERVE_MS before it, publishing
 *   PUBLISH_MARGIN_MS before it; both are derived from it, not timed separately.
 * @param scheduledAt the run's scheduled time (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`),
 *   which stamps every datum so each run lands in exactly one period
 */
export async function runScheduledProbes(
  deps: ScheduledRunDeps,
  invocation: RunDeadline,
  scheduledAt: Date,
): Promise<RunSummary> {
  const { config, logger } = deps;
  const now = deps.now ?? invocation.now;
  const data: MetricDatum[] = [];

  const outcomes = await probeAll(config, {
    probe: deps.probe,
    credentialsFor: deps.credentialsFor,
    deadline: invocation.before(PUBLISH_RESERVE_MS),
    now,
    onResult: ({ target, result }) => {
      logger.info(RESULT_LOG_MESSAGE, { ...resultLogFields(target.name, config.region, result) });
      data.push(...resultMetricData(target.name, target.registry, result, scheduledAt));
    },
  });
  // Sent only with the rest of the run's data: a heartbeat that arrives means the results did too.
  data.push(heartbeatDatum(config.region, outcomes.length, scheduledAt));

  // Retries (4 attempts per batch, up to ~21 s) must not run the Lambda into its timeout: killed
  // there, it would never log what was not sent.
  const publishDeadline = invocation.at - PUBLISH_MARGIN_MS;
  // The state write runs beside the metrics: both go to the home region, neither may fail the run,
  // and a slow or throttling table gets no more time than CloudWatch does. (It aborts its requests
  // at the deadline, so the margin is more than it needs; one deadline keeps the budget readable.)
  const [sent] = await Promise.all([
    publishMetrics(data, {
      client: deps.cloudWatch,
      retry: deps.metricsRetry,
      deadline: publishDeadline,
      now,
      sleep: deps.sleep,
    }),
    deps.recordState?.(outcomes, { deadline: publishDeadline, now }).catch((error: unknown) => {
      logger.error('state of record not written; metrics and logs are unaffected', { error });
    }),
  ]);
  for (const { data: unsent, error } of sent.unsent) {
    // Every result is in its log line above: what is lost is its metrics, and maybe the heartbeat.
    logger.error("metrics not sent to the home region after retries; the results are in this region's logs", {
      homeRegion: config.homeRegion,
      data: unsent.length,
      subjects: [...new Set(unsent.map((d) => d.Dimensions?.[0]?.Value))],
      error,
    });
  }

  const count = (status: string) => outcomes.filter((o) => o.result.status === status).length;
  return {
    region: config.region,
    probed: outcomes.length,
    healthy: count('healthy'),
    degraded: count('degraded'),
    failing: count('failing'),
    metrics: { sent: sent.sent, unsent: sent.unsent.reduce((n, u) => n + u.data.length, 0) },
  };
}
