/**
 * The PagerDuty subscriber: a thin middy wrapper. Subscribed to the payload topic; sends each
 * alert to the Events API v2 as a trigger or a resolve keyed by the incident
 * (functions/publish/notification/pagerduty.ts). The routing key is in Secrets Manager
 * (PAGERDUTY_ROUTING_KEY_SECRET_ARN); PAGERDUTY_SEVERITIES says which incident severities page
 * (comma-separated, default "critical"). A failed send throws, so Lambda retries the async
 * invocation and then sends it to the function's dead-letter queue.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { secretsManagerReader } from '../credentials/secrets.ts';
import { deliverToPagerDuty } from '../publish/notification/pagerduty.ts';

export const PagerDutyEnv = {
  routingKeySecret: 'PAGERDUTY_ROUTING_KEY_SECRET_ARN',
  severities: 'PAGERDUTY_SEVERITIES',
} as const;

const secretArn = process.env[PagerDutyEnv.routingKeySecret];
if (!secretArn) throw new Error(`Environment variable ${PagerDutyEnv.routingKeySecret} is required`);
const severities = parseSeverities(process.env[PagerDutyEnv.severities]);
const logger = new Logger({ serviceName: 'registry-canary-pagerduty' });
const secrets = secretsManagerReader({
  client: new SecretsManagerClient({}),
  ...(process.env['AWS_REGION'] ? { region: process.env['AWS_REGION'] } : {}),
});

export function parseSeverities(raw: string | undefined): ('critical' | 'warning')[] {
  const values = (raw ?? 'critical')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const value of values) {
    if (value !== 'critical' && value !== 'warning') {
      throw new Error(
        `Environment variable ${PagerDutyEnv.severities} must list critical and/or warning, got "${value}"`,
      );
    }
  }
  return values as ('critical' | 'warning')[];
}

export async function sendAlerts(event: SNSEvent): Promise<{ delivered: number }> {
  const delivered = await deliverToPagerDuty(event.Records, {
    routingKey: () => secrets.read(secretArn as string),
    severities,
    logger,
  });
  return { delivered };
}

export const handler = middy(sendAlerts).use(injectLambdaContext(logger));
