import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, type NagPack, NIST80053R5Checks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConversationsTable } from '../../cdk/conversations-table.js';
import { PageConversations } from '../../cdk/page-conversations.js';
import { PageConversationsStack } from '../../cdk/page-conversations-stack.js';
import type { ProductFunction } from '../../cdk/product-function.js';
import { SCHEDULE_TABLE_ACCESS, SYNC_WORKER_TABLE_ACCESS } from '../../cdk/table-access.js';
import {
  CDK_JSON_CONTEXT,
  type Json,
  logicalId,
  PREFIX,
  resource,
  statementsOf,
  webhooksOf,
} from './synth.js';

/**
 * The customer-managed key (issue 16 item 3): a key imported by ARN (`-c encryptionKeyArn=`) and a key
 * the customer's stack creates. Each is synthesized once for the file.
 */
const ENV = { account: '123456789012', region: 'eu-west-1' };
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const context = () => ({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] });

interface WithKey {
  readonly stack: Stack;
  readonly product: PageConversations;
  readonly template: Template;
  /** How the template names the key's ARN. */
  readonly keyArn: unknown;
}

function importedKey(): WithKey {
  const stack = new PageConversationsStack(new App({ context: context() }), 'Imported', {
    env: ENV,
    encryptionKeyArn: KEY_ARN,
    pageConversations: { tokenSecretPrefix: PREFIX },
  });
  return { stack, product: stack.pageConversations, template: Template.fromStack(stack), keyArn: KEY_ARN };
}

function createdKey(): WithKey {
  const stack = new Stack(new App({ context: context() }), 'Created', { env: ENV });
  const key = new Key(stack, 'DataKey', { enableKeyRotation: true });
  const product = new PageConversations(stack, 'Product', { tokenSecretPrefix: PREFIX, encryptionKey: key });
  return {
    stack,
    product,
    template: Template.fromStack(stack),
    keyArn: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
  };
}

/** Each kind synthesized once for the file, whichever test asks first. */
function once(build: () => WithKey): () => WithKey {
  let built: WithKey | undefined;
  return () => {
    built ??= build();
    return built;
  };
}
const imported = once(importedKey);
const created = once(createdKey);

/** One line per finding of `pack` that no acknowledgment covers. */
function findings(pack: NagPack, stack: Stack): string[] {
  return pack
    .validateScope(stack)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

/** The KMS actions a role is granted, and on what. */
function keyGrants(template: Template, fn: ProductFunction): { actions: string[]; resources: unknown[] } {
  const statements = statementsOf(template, logicalId(fn.role)).filter((s) =>
    s.Action.some((action) => action.startsWith('kms:')),
  );
  return {
    actions: [...new Set(statements.flatMap((s) => s.Action))].sort(),
    resources: [...new Set(statements.flatMap((s) => s.Resource.map((r) => JSON.stringify(r))))].map((r) =>
      JSON.parse(r),
    ),
  };
}

const WRITER = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
const SENDER = ['kms:Decrypt', 'kms:GenerateDataKey'];

describe.each([
  ['imported by ARN', imported],
  ['created by the stack', created],
])('a customer-managed key %s', (_, build) => {
  let synthesized: WithKey;
  beforeAll(() => {
    synthesized = build();
  });

  it('synthesizes with no unacknowledged AwsSolutions or NIST 800-53 rev 5 finding', () => {
    // Act
    const unacknowledged = [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
      findings(pack, synthesized.stack),
    );

    // Assess
    expect(unacknowledged).toEqual([]);
  });

  it('gives each role only the key actions its data needs, on that key alone', () => {
    // Prepare
    const { template, product, keyArn } = synthesized;
    const webhooks = webhooksOf(product);

    // Act
    const grants = {
      api: keyGrants(template, product.apiFunction),
      schedule: keyGrants(template, product.syncScheduleFunction),
      worker: keyGrants(template, product.syncWorkerFunction),
      receiver: keyGrants(template, webhooks.receiverFunction),
      refresh: keyGrants(template, webhooks.refreshFunction),
      erasure: keyGrants(template, product.erasureFunction),
    };

    // Assess: the schedule reads the table and sends to two queues; the others also write the table
    // (the receiver its data-deletion requests). None gets GenerateDataKey* or ReEncrypt*.
    expect(grants).toEqual({
      api: { actions: WRITER, resources: [keyArn] },
      schedule: { actions: SENDER, resources: [keyArn] },
      worker: { actions: WRITER, resources: [keyArn] },
      receiver: { actions: WRITER, resources: [keyArn] },
      refresh: { actions: WRITER, resources: [keyArn] },
      erasure: { actions: WRITER, resources: [keyArn] },
    });
  });

  it('encrypts the table, every queue, the change-event bus, the webhook secret and every log group with it', () => {
    // Prepare
    const { template, product, keyArn } = synthesized;
    const ofType = (type: string) => Object.values(template.findResources(type)) as Json[];

    // Act
    const table = resource(template, logicalId(product.table)).Properties;

    // Assess
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: keyArn });
    // The sync, refresh and erasure queues with their dead-letter queues, and the schedule's.
    expect(ofType('AWS::SQS::Queue').map((queue) => queue.Properties.KmsMasterKeyId)).toEqual(
      Array(7).fill(keyArn),
    );
    expect(ofType('AWS::Events::EventBus').map((bus) => bus.Properties.KmsKeyIdentifier)).toEqual([keyArn]);
    // The webhook secret and the person-hash key.
    expect(ofType('AWS::SecretsManager::Secret').map((secret) => secret.Properties.KmsKeyId)).toEqual([
      keyArn,
      keyArn,
    ]);
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(7);
    for (const logGroup of logGroups) expect(logGroup.Properties.KmsKeyId).toEqual(keyArn);
  });
});

describe('a customer-managed key, by kind', () => {
  it("lets CloudWatch Logs of this account and EventBridge for this bus use a key of the customer's stack", () => {
    // Act
    const { template, product } = created();
    const policy = (Object.values(template.findResources('AWS::KMS::Key'))[0] as Json).Properties.KeyPolicy;
    const statementFor = (service: string) =>
      (policy.Statement as Json[]).find((statement) => statement.Principal?.Service === service);

    // Assess
    expect(statementFor('logs.eu-west-1.amazonaws.com')).toMatchObject({
      Action: expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']),
      Condition: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:*' },
      },
    });
    const events = statementFor('events.amazonaws.com');
    const busName = resource(template, logicalId(product.changeEventBus)).Properties.Name;
    expect([...(events?.Action ?? [])].sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
    ]);
    expect(events?.Condition.StringEquals['kms:EncryptionContext:aws:events:event-bus:arn']).toBe(
      `arn:aws:events:eu-west-1:123456789012:event-bus/${busName}`,
    );
  });

  it('outputs an imported key for npm run pages, which encrypts Page token secrets with it', () => {
    // Act
    const { template } = imported();

    // Assess
    expect((template.toJSON().Outputs as Json).EncryptionKeyArn).toMatchObject({ Value: KEY_ARN });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('grants a role that only reads the table Decrypt alone, and a writer what a write needs', () => {
    // Prepare
    const stack = new Stack(new App({ context: context() }), 'Grants', { env: ENV });
    const key = new Key(stack, 'DataKey', { enableKeyRotation: true });
    const table = new ConversationsTable(stack, 'Table', {
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      encryptionKey: key,
    });
    const role = (id: string) =>
      new Role(stack, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const reader = role('Reader');
    const writer = role('Writer');

    // Act
    table.grantAccess(reader, SCHEDULE_TABLE_ACCESS);
    table.grantAccess(writer, SYNC_WORKER_TABLE_ACCESS);

    // Assess
    const template = Template.fromStack(stack);
    const kmsActions = (r: Role) =>
      statementsOf(template, logicalId(r))
        .flatMap((s) => s.Action)
        .filter((action) => action.startsWith('kms:'));
    expect(kmsActions(reader)).toEqual(['kms:Decrypt']);
    expect(kmsActions(writer)).toEqual(WRITER);
  });

  it('stops synthesis, saying why, when the stack has no region', () => {
    // Prepare
    const stack = new Stack(new App({ context: context() }), 'Agnostic');
    const encryptionKey = new Key(stack, 'DataKey', { enableKeyRotation: true });

    // Act
    const act = () => new PageConversations(stack, 'Product', { tokenSecretPrefix: PREFIX, encryptionKey });

    // Assess
    expect(act).toThrow(/encryptionKey needs a stack with a concrete region/);
  });
});
