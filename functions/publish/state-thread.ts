/**
 * Where the Slack app keeps each incident's thread: the `ts` of the first message it posted for the
 * incident (item pk THREAD_PK, sk `slack/<incident id>`), so updates, reminders and the recovery
 * reply in that thread. The first writer wins (a conditional put): if two deliveries of one
 * incident race, both end up replying under the same root.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Partition key of thread items. Target names may not start with '#', so it never collides. */
export const THREAD_PK = '#thread';
/** A thread outlives its incident by a month, then expires. */
const THREAD_TTL_SECONDS = 30 * 86_400;

export interface ThreadStore {
  /** The thread's root `ts`, or null when the incident has no message yet. */
  get(incidentId: string): Promise<string | null>;
  /** Records `ts` as the root unless one is there; returns the root that is stored. */
  putFirst(incidentId: string, ts: string): Promise<string>;
}

export function dynamoThreadStore(
  client: DynamoDBDocumentClient,
  table: string,
  now = () => new Date(),
): ThreadStore {
  const key = (incidentId: string) => ({ pk: THREAD_PK, sk: `slack/${incidentId}` });
  const get = async (incidentId: string) => {
    const reply = await client.send(
      new GetCommand({ TableName: table, Key: key(incidentId), ConsistentRead: true }),
    );
    return typeof reply.Item?.['ts'] === 'string' ? (reply.Item['ts'] as string) : null;
  };
  return {
    get,
    async putFirst(incidentId, ts) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: { ...key(incidentId), ts, ttl: Math.floor(now().getTime() / 1000) + THREAD_TTL_SECONDS },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return ts;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        return (await get(incidentId)) ?? ts;
      }
    },
  };
}
