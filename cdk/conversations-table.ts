import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES, TABLE_KEYS } from '#lib/store/table-schema.js';

export interface ConversationsTableProps {
  /** What happens to the table when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The one DynamoDB table: cursors, back-off marks, sync state and the conversation index, with the
 * key design of `lib/store/table-schema.ts` (its keys, its global indexes and TTL), so the stores, the
 * embedded DynamoDB and the deployed table always agree. On demand, with point-in-time recovery:
 * the index costs Graph calls to rebuild. It has no physical name, so two stacks never collide.
 */
export class ConversationsTable extends TableV2 {
  /** Every global index, by name, for grants that name them one by one. */
  readonly indexNames: readonly string[] = GLOBAL_INDEXES.map((index) => index.indexName);

  constructor(scope: Construct, id: string, props: ConversationsTableProps) {
    super(scope, id, {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      globalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute: TABLE_KEYS.timeToLive,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy,
    });
  }
}
