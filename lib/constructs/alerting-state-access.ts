/**
 * How the regional probe stacks reach the state table in the home region. CDK cannot pass a table
 * between stacks of different regions, so the table has a fixed name and each regional stack builds
 * its ARN: same account, home region. A probe region deployed before the home stack only logs that
 * the table is missing (the writer never throws); it needs no deploy order.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { STATE_TABLE_ENV, STATE_TABLE_NAME } from '../../functions/publish/state-client.ts';

export { STATE_TABLE_NAME };

/** Environment of the probe Lambda: where to write its results. */
export const StateTableEnv = { name: STATE_TABLE_ENV } as const;

export function stateTableArn(scope: IConstruct, homeRegion: string): string {
  return Stack.of(scope).formatArn({
    service: 'dynamodb',
    region: homeRegion,
    resource: 'table',
    resourceName: STATE_TABLE_NAME,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** The one permission a probe needs on the state table: conditional UpdateItem, nothing else. */
export function stateWriterStatement(scope: IConstruct, homeRegion: string): PolicyStatement {
  return new PolicyStatement({
    sid: 'WriteStateOfRecord',
    actions: ['dynamodb:UpdateItem'],
    resources: [stateTableArn(scope, homeRegion)],
  });
}
