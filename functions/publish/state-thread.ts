/**
 * Where the Slack app keeps each incident's thread (item pk THREAD_PK, sk `slack/<incident id>`):
 * first a claim, then the `ts` of the incident's first message, so updates, reminders and the
 * recovery reply in that thread.
 *
 * Why a claim before the post: SNS invokes the subscriber once per message, asynchronously, so an
 * update can be delivered while the opening is still being posted. If both found no thread and
 * posted, both would land top-level, whichever won the record afterwards. So the right to post the
 * root is taken first, with a conditional put (the first writer wins); the winner posts and
 * records the `ts` under its claim; every other delivery waits for that `ts` (slack-app.ts). A
 * claim whose holder failed to post is released (its time set to the epoch); one whose holder
 * died is stale after CLAIM_STALE_MS; either may be taken over, again conditionally.
 *
 * Only GetItem and PutItem (the subscriber's IAM grant on its own items): every change is a put
 * with a condition on what it replaces.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Partition key of thread items. Target names may not start with '#', so it never collides. */
export const THREAD_PK = '#thread';
/** A thread outlives its incident by a month, then expires. */
const THREAD_TTL_SECONDS = 30 * 86_400;
/**
 * A claim older than this is abandoned: twice the subscriber's 30-second timeout
 * (lib/constructs/alert-subscriber.ts), so a live holder is never overtaken.
 */
export const CLAIM_STALE_MS = 60_000;
const RELEASED_AT = new Date(0).toISOString();

/** The incident's thread: its root `ts`, or a claim on posting it. */
export type ThreadItem = { ts: string; claim?: never } | { ts?: never; claim: string; claimedAt: string };

export interface ThreadStore {
  /** The thread's root `ts`, or null when it has none (yet). */
  get(incidentId: string): Promise<string | null>;
  read(incidentId: string): Promise<ThreadItem | null>;
  /**
   * Takes the right to post the root, as `claim`: when there is no item, or, with `replacing`,
   * when the item is still that (stale or released) claim. False when another write came first.
   */
  claim(incidentId: string, claim: string, replacing?: string): Promise<boolean>;
  /** Records the root `ts`, if `claim` still holds the thread. False when it no longer does. */
  setRoot(incidentId: string, claim: string, ts: string): Promise<boolean>;
  /** Gives a claim up (its post failed), so the next delivery takes over at once. */
  release(incidentId: string, claim: string): Promise<void>;
}

/** A claim nobody is acting on any more: released, or older than CLAIM_STALE_MS. */
export function isAbandoned(item: { claimedAt: string }, now: Date): boolean {
  const at = Date.parse(item.claimedAt);
  return !Number.isFinite(at) || now.getTime() - at >= CLAIM_STALE_MS;
}

export function dynamoThreadStore(
  client: DynamoDBDocumentClient,
  table: string,
  now = () => new Date(),
): ThreadStore {
  const key = (incidentId: string) => ({ pk: THREAD_PK, sk: `slack/${incidentId}` });
  const ttl = () => Math.floor(now().getTime() / 1000) + THREAD_TTL_SECONDS;
  const read = async (incidentId: string): Promise<ThreadItem | null> => {
    const reply = await client.send(
      new GetCommand({ TableName: table, Key: key(incidentId), ConsistentRead: true }),
    );
    const item = reply.Item;
    if (typeof item?.['ts'] === 'string') return { ts: item['ts'] };
    if (typeof item?.['claim'] === 'string')
      return { claim: item['claim'], claimedAt: String(item['claimedAt'] ?? RELEASED_AT) };
    return null;
  };
  /** A put that may lose to another writer: false when its condition failed. */
  const conditionalPut = async (
    item: Record<string, unknown>,
    condition: string,
    values?: Record<string, string>,
  ): Promise<boolean> => {
    try {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: condition,
          ...(values
            ? {
                ExpressionAttributeValues: values,
                // Names, not words: never a clash with DynamoDB's reserved words.
                ExpressionAttributeNames: { '#claim': 'claim', '#ts': 'ts' },
              }
            : {}),
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      return false;
    }
  };
  return {
    read,
    async get(incidentId) {
      return (await read(incidentId))?.ts ?? null;
    },
    claim(incidentId, claim, replacing) {
      const item = { ...key(incidentId), claim, claimedAt: now().toISOString(), ttl: ttl() };
      return replacing === undefined
        ? conditionalPut(item, 'attribute_not_exists(pk)')
        : conditionalPut(item, '#claim = :old AND attribute_not_exists(#ts)', { ':old': replacing });
    },
    setRoot(incidentId, claim, ts) {
      return conditionalPut(
        { ...key(incidentId), ts, ttl: ttl() },
        '#claim = :mine AND attribute_not_exists(#ts)',
        {
          ':mine': claim,
        },
      );
    },
    async release(incidentId, claim) {
      await conditionalPut(
        { ...key(incidentId), claim, claimedAt: RELEASED_AT, ttl: ttl() },
        '#claim = :mine AND attribute_not_exists(#ts)',
        { ':mine': claim },
      );
    },
  };
}
