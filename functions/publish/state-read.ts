/**
 * Reads the state of record: every region's latest result for one target. The notifier calls it for
 * each target an alarm names, so the alert can say where and since when the target fails.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type TargetState, toTargetState } from './state-item.ts';

export async function readTargetStates(
  client: DynamoDBDocumentClient,
  table: string,
  target: string,
): Promise<TargetState[]> {
  const states: TargetState[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :target',
        ExpressionAttributeValues: { ':target': target },
        // The alert is about now: read what the probes wrote last, not a replica a moment behind.
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) states.push(toTargetState(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return states.sort((a, b) => a.region.localeCompare(b.region));
}
