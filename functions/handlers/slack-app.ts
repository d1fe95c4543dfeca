/**
 * The Slack app subscriber: a thin middy wrapper. Subscribed to the payload topic; posts each
 * alert with chat.postMessage as the app's bot, threading an incident's messages on its first one
 * (functions/publish/notification/slack-app.ts). The bot token is in Secrets Manager
 * (SLACK_BOT_TOKEN_SECRET_ARN); the channel id and the state table (for the threads) come from the
 * environment. A failed post throws, so Lambda retries the async invocation and then sends it to
 * the function's dead-letter queue.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { secretsManagerReader } from '../credentials/secrets.ts';
import { deliverToSlackApp } from '../publish/notification/slack-app.ts';
import { createStateClient } from '../publish/state-client.ts';
import { dynamoThreadStore } from '../publish/state-thread.ts';

export const SlackAppEnv = {
  tokenSecret: 'SLACK_BOT_TOKEN_SECRET_ARN',
  channel: 'SLACK_CHANNEL_ID',
  table: 'STATE_TABLE_NAME',
} as const;

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is required`);
  return value;
};
const secretArn = required(SlackAppEnv.tokenSecret);
const channel = required(SlackAppEnv.channel);
const table = required(SlackAppEnv.table);
const region = process.env['AWS_REGION'] ?? 'us-east-1';
const logger = new Logger({ serviceName: 'registry-canary-slack-app' });
const secrets = secretsManagerReader({ client: new SecretsManagerClient({}), region });
const threads = dynamoThreadStore(
  createStateClient({ region, maxAttempts: 3, requestTimeoutMs: 5_000 }),
  table,
);

export async function postAlerts(event: SNSEvent): Promise<{ delivered: number }> {
  const delivered = await deliverToSlackApp(event.Records, {
    token: () => secrets.read(secretArn),
    channel,
    threads,
    logger,
  });
  return { delivered };
}

export const handler = middy(postAlerts).use(injectLambdaContext(logger));
