/**
 * The Slack webhook subscriber: a thin middy wrapper. Subscribed to the payload topic; posts
 * each alert as Block Kit to the incoming webhook whose URL is in Secrets Manager
 * (SLACK_WEBHOOK_SECRET_ARN). A failed post throws, so Lambda retries the async invocation and then
 * sends it to the function's dead-letter queue.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { secretsManagerReader } from '../credentials/secrets.ts';
import { deliverToSlack } from '../publish/notification/slack-delivery.ts';

export const SLACK_WEBHOOK_SECRET_ENV = 'SLACK_WEBHOOK_SECRET_ARN';

const secretArn = process.env[SLACK_WEBHOOK_SECRET_ENV];
if (!secretArn) throw new Error(`Environment variable ${SLACK_WEBHOOK_SECRET_ENV} is required`);
const logger = new Logger({ serviceName: 'registry-canary-slack-webhook' });
// A webhook secret given as an ARN of another region is read in that region (Secrets Manager serves
// a secret only from its own); AWS_REGION is set by Lambda.
const secrets = secretsManagerReader({
  client: new SecretsManagerClient({}),
  ...(process.env['AWS_REGION'] ? { region: process.env['AWS_REGION'] } : {}),
});

export async function postAlerts(event: SNSEvent): Promise<{ delivered: number }> {
  const delivered = await deliverToSlack(event.Records, {
    webhookUrl: () => secrets.read(secretArn as string),
    logger,
  });
  return { delivered };
}

export const handler = middy(postAlerts).use(injectLambdaContext(logger));
