/**
 * The notifier Lambda: a thin middy wrapper. Alarm transitions arrive from the alarm queue (SQS
 * batches); a schedule invokes it with `{ "action": "reminders" }` to send held-back news and
 * remind about open incidents by severity (the action keeps its first name, which the deployed
 * rule sends).
 * Clients, Logger and config are created once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  handleAlarmBatch,
  type NotifierDeps,
  type SweepResult,
  sweep,
} from '../publish/notification/notifier.ts';
import { readNotifierConfig } from '../publish/notification/notifier-config.ts';
import { createStateClient } from '../publish/state-client.ts';

const config = readNotifierConfig(process.env);
const logger = new Logger({ serviceName: 'registry-canary-notifier' });
const region = process.env['AWS_REGION'] ?? 'us-east-1';

const deps: NotifierDeps = {
  // The table is in this (the home) region; the notifier may take the SDK's usual retries.
  db: createStateClient({ region, maxAttempts: 3, requestTimeoutMs: 5_000 }),
  sns: new SNSClient({ region }),
  table: config.table,
  topicArns: config.topicArns,
  alert: {
    expectedRegions: config.probeRegions,
    staleAfterMs: config.staleAfterMinutes * 60_000,
    dashboardUrl: config.dashboardUrl,
    runbookBaseUrl: config.runbookBaseUrl,
    homeRegion: region,
  },
  reminderMinutes: config.reminderMinutes,
  holdBackMs: config.holdBackSeconds * 1000,
  targetRegistries: config.targetRegistries,
  targetOwners: config.targetOwners,
  clock: () => new Date(),
  logger,
};

export type NotifierEvent = SQSEvent | { action: 'reminders' };

export async function notify(event: NotifierEvent): Promise<SQSBatchResponse | SweepResult> {
  if ('Records' in event) return handleAlarmBatch(event.Records, deps);
  if (event.action === 'reminders') return sweep(deps);
  throw new Error(`notifier: unexpected event ${JSON.stringify(event).slice(0, 200)}`);
}

export const handler = middy(notify).use(injectLambdaContext(logger));
