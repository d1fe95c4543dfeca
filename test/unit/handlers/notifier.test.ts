/**
 * The notifier Lambda's wrapper: config read at cold start (failing loudly), and each kind of event
 * routed to its job. The jobs themselves are tested end to end in test/integration/notifier.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALERT_TOPIC_NAMES, ALERT_TOPICS } from '../../../functions/publish/notification/alert-topics.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);

beforeEach(() => {
  vi.resetModules();
  ddb.reset();
  sns.reset();
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('STATE_TABLE_NAME', 'registry-canary-state');
  for (const format of ALERT_TOPIC_NAMES)
    vi.stubEnv(ALERT_TOPICS[format].env, `arn:aws:sns:eu-west-1:123456789012:registry-canary-${format}`);
  vi.stubEnv('PROBE_REGIONS', 'eu-west-1,us-east-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('notifier handler', () => {
  it('fails at cold start, naming the variable, when its table is not configured', async () => {
    vi.stubEnv('STATE_TABLE_NAME', '');
    await expect(import('../../../functions/handlers/notifier.ts')).rejects.toThrow(
      'Environment variable STATE_TABLE_NAME is required',
    );
  });

  it('runs the sweep for a scheduled invocation, reading the incident board consistently', async () => {
    ddb.on(GetCommand).resolves({});
    const { notify } = await import('../../../functions/handlers/notifier.ts');

    await expect(notify({ action: 'reminders' })).resolves.toEqual({ updates: 0, reminders: 0 });
    const get = ddb.commandCalls(GetCommand)[0]?.args[0].input;
    expect(get).toEqual({
      TableName: 'registry-canary-state',
      Key: { pk: '#incident', sk: 'board' },
      ConsistentRead: true,
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('answers an SQS batch with its partial failures', async () => {
    const { notify } = await import('../../../functions/handlers/notifier.ts');
    const response = await notify({
      Records: [
        {
          messageId: 'm1',
          receiptHandle: '',
          body: 'garbage',
          attributes: {} as never,
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: '',
          awsRegion: 'eu-west-1',
        },
      ],
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('refuses an event it does not know', async () => {
    const { notify } = await import('../../../functions/handlers/notifier.ts');
    await expect(notify({ action: 'dance' } as never)).rejects.toThrow(/unexpected event/);
  });
});
