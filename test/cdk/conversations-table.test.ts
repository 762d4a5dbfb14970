import { RemovalPolicy } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '#lib/store/table-schema.js';
import type { PageConversations } from '../../cdk/page-conversations.js';
import { type Json, logicalId, resource, synth, webhooksOf } from './synth.js';

describe('ConversationsTable with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
  it('creates one on-demand table with the shared key schema, both global indexes (gsi1 by updated time, sparse gsi2 of pending events), TTL and point-in-time recovery', () => {
    // Act
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const table = resource(template, logicalId(product.table));
    expect(table.Properties.TableName).toBeUndefined();
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [TABLE_KEYS.byUpdatedTime, TABLE_KEYS.pendingEvents].map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.timeToLive, Enabled: true },
      Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
    });
    expect(
      (table.Properties.AttributeDefinitions as Json[]).sort((a, b) =>
        a.AttributeName.localeCompare(b.AttributeName),
      ),
    ).toEqual(
      ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'pk', 'sk'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
    );
  });

  it('retains the table, the log groups and the webhook secret when the stack is deleted', () => {
    // Act
    const table = resource(template, logicalId(product.table));
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[];

    // Assess
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    // One per function (6) and the API access log.
    expect(logGroups).toHaveLength(7);
    for (const logGroup of logGroups) expect(logGroup.DeletionPolicy).toBe('Retain');
    expect(resource(template, logicalId(webhooksOf(product).secret)).DeletionPolicy).toBe('Retain');
    // The person-hash key outlives a stack too: a new one would unmatch every erasure record.
    expect(resource(template, logicalId(product.personData.keySecret)).DeletionPolicy).toBe('Retain');
  });
});

describe('ConversationsTable with other props', () => {
  it('deletes the table and the log groups with the stack when removalPolicy is DESTROY', () => {
    // Act
    const { template, product } = synth({ removalPolicy: RemovalPolicy.DESTROY });

    // Assess
    expect(resource(template, logicalId(product.table)).DeletionPolicy).toBe('Delete');
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
  });
});
