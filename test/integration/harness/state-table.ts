/**
 * The state table's key schema on dynalite, as lib/constructs/alerting.ts creates it in AWS
 * (partition key `pk`, sort key `sk`, both strings; test/unit/lib/alerting.test.ts pins the
 * template's side). One place for the suites that need a fresh table per test.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export async function createStateTable(endpoint: string, tableName: string): Promise<string> {
  const raw = new DynamoDBClient({ region: 'eu-west-1', endpoint });
  try {
    await raw.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } finally {
    raw.destroy();
  }
  return tableName;
}
