import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES, TABLE_KEYS } from '#lib/store/table-schema.js';

export { INDEX_KEY_PREFIXES, KEY_PREFIXES } from '#lib/store/table-schema.js';

/**
 * The `dynamodb:LeadingKeys` pattern of a key prefix: `PAGE#` covers every `PAGE#<id>`; a whole key
 * (`PAGES`) covers itself only.
 */
export const leadingKeyPattern = (prefix: string): string => (prefix.endsWith('#') ? `${prefix}*` : prefix);

/** The DynamoDB data-plane actions a function may be granted; control-plane actions are never granted. */
export type TableAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

const WRITE_ACTIONS: ReadonlySet<TableAction> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
]);

/** What one function may do to which items: the calls its `lib/` code makes, on the partitions it owns. */
export interface TableAccess {
  /** Item actions on the table, each limited to items whose partition key starts with one of `keyPrefixes`. */
  readonly items: readonly {
    readonly actions: readonly TableAction[];
    readonly keyPrefixes: readonly string[];
  }[];
  /** Queries of a global index, limited to index partition keys starting with one of `keyPrefixes`. */
  readonly indexQueries: readonly { readonly indexName: string; readonly keyPrefixes: readonly string[] }[];
}

export interface ConversationsTableProps {
  /** What happens to the table when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Deletion protection: nobody deletes the table until it is turned off. */
  readonly deletionProtection: boolean;
  /** A customer-managed key; AWS-owned encryption without it. */
  readonly encryptionKey: IKey | undefined;
}

/**
 * The one DynamoDB table: cursors, back-off marks, sync state, the conversation index and the Page
 * registry, with the key design of `lib/store/table-schema.ts` (its keys, its global indexes and TTL),
 * so the stores, the embedded DynamoDB and the deployed table always agree. On demand, with point-in-time recovery and
 * deletion protection: the index costs Graph calls to rebuild. It has no physical name, so two stacks
 * never collide.
 */
export class ConversationsTable extends TableV2 {
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
      deletionProtection: props.deletionProtection,
      ...(props.encryptionKey === undefined
        ? {}
        : { encryption: TableEncryptionV2.customerManagedKey(props.encryptionKey) }),
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * Grants `access` and nothing more: one statement per set of actions, each conditioned on
   * `dynamodb:LeadingKeys`, so a role cannot write items of another's partitions (the API cannot
   * overwrite index entries). `LeadingKeys` is the partition key of the request: the table's for item
   * actions, and for a query of a global index the index partition key value it names; index
   * statements allow Query only (an index is read-only), on the index ARN named one by one.
   * `ForAllValues` holds when the key is absent, which no item action leaves it.
   */
  grantAccess(grantee: IGrantable, access: TableAccess): void {
    const leadingKeys = (prefixes: readonly string[]) => ({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map(leadingKeyPattern) },
    });
    for (const { actions, keyPrefixes } of access.items) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: actions.map((action) => `dynamodb:${action}`),
          resources: [this.tableArn],
          conditions: leadingKeys(keyPrefixes),
        }),
      );
    }
    for (const { indexName, keyPrefixes } of access.indexQueries) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${this.tableArn}/index/${indexName}`],
          conditions: leadingKeys(keyPrefixes),
        }),
      );
    }
    // DynamoDB decrypts the table key with the caller's permission on every read; a writer also needs
    // what a write asks of the key. Exact actions rather than CDK's `GenerateDataKey*`/`ReEncrypt*`,
    // which cdk-nag flags as wildcards.
    const writes = access.items.some(({ actions }) => actions.some((action) => WRITE_ACTIONS.has(action)));
    if (writes) {
      this.encryptionKey?.grant(
        grantee,
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
      );
    } else {
      this.encryptionKey?.grant(grantee, 'kms:Decrypt');
    }
  }
}
