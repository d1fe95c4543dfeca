/**
 * The probe Lambda: a thin middy wrapper. Everything that can be set up once is, at cold start:
 * the config (failing loudly when it is missing), the Logger, the CloudWatch client for the home
 * region (every metric goes there), and one credential provider per target (so tokens and secrets
 * are cached while warm). The ECR and Google sources load their SDKs on first use (credentials/factory.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createCredentialProvider } from '../credentials/factory.ts';
import { secretsManagerReader } from '../credentials/secrets.ts';
import type { CredentialProvider } from '../credentials/types.ts';
import { probeImage } from '../probe/probe.ts';
import { createWriteMemory } from '../publish/state.ts';
import { createStateClient, STATE_TABLE_ENV } from '../publish/state-client.ts';
import { RunDeadline } from '../run/deadline.ts';
import { type ProbeTarget, readProbeConfig } from '../run/probe-config.ts';
import { type RunSummary, runScheduledProbes, stateRecorder } from '../run/probe-run.ts';
import { scheduledTimeFromEvent } from './scheduled-time.ts';
import { shardFromEvent, targetsOfShard } from './shard.ts';

const config = readProbeConfig();
const logger = new Logger({ serviceName: 'registry-canary-probe' });

// The SDK's own retries are off: publishMetrics retries with its own backoff, within the
// invocation's reserve, and a single request must not hang for long.
const cloudWatch = new CloudWatchClient({
  region: config.homeRegion,
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 3_000 },
});
// A secret ARN of another region is read in that region, with a client made on first use.
const secrets = secretsManagerReader({
  client: new SecretsManagerClient({ region: config.region }),
  region: config.region,
});
const providers = new Map<string, CredentialProvider>();

function credentialsFor(target: ProbeTarget): CredentialProvider {
  let provider = providers.get(target.name);
  if (!provider) {
    provider = createCredentialProvider(target.credentials, { secrets });
    providers.set(target.name, provider);
  }
  return provider;
}

// The state of record (alerts read it) is a table in the home region, named by the stack. It is
// optional: without STATE_TABLE_NAME the probe only publishes metrics and logs.
const stateTable = process.env[STATE_TABLE_ENV];
const stateClient = stateTable ? createStateClient({ region: config.homeRegion }) : undefined;
const recordState =
  stateTable && stateClient
    ? stateRecorder({
        table: stateTable,
        client: stateClient,
        region: config.region,
        memory: createWriteMemory(),
        logger,
        ...config.state,
      })
    : undefined;

export async function probeScheduled(event: unknown, context: Context): Promise<RunSummary> {
  // A sharded region invokes this function once per shard, each with its own `{ shard, shards }`.
  const selector = shardFromEvent(event);
  const shardConfig =
    selector.shards === 1 ? config : { ...config, targets: targetsOfShard(config.targets, selector) };
  const summary = await runScheduledProbes(
    { config: shardConfig, probe: probeImage, credentialsFor, logger, cloudWatch, recordState },
    // The invocation's one deadline; probing and publishing derive theirs from it.
    RunDeadline.in(context.getRemainingTimeInMillis()),
    scheduledTimeFromEvent(event, new Date()),
  );
  logger.info('run finished', { summary, ...(selector.shards > 1 ? selector : {}) });
  return summary;
}

export const handler = middy(probeScheduled).use(injectLambdaContext(logger));
