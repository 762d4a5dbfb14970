import { Duration, Validations } from 'aws-cdk-lib';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { routesOf } from '#lib/domain/routes.js';
import type { ConversationsApi } from './conversations-api.js';
import type { ConversationsTable } from './conversations-table.js';
import { type ChangeEventBus, grantPutChangeEvents } from './event-bus-access.js';
import { NAG_REASONS } from './nag-suppressions.js';
import { functionDefaults, ProductFunction } from './product-function.js';
import type { ResolvedProps } from './resolve-props.js';
import { ERASURE_TABLE_ACCESS } from './table-access.js';
import { WorkQueue } from './work-queue.js';

/**
 * One route's erasure takes a second or two; a data-deletion request walks every registered Page (about
 * four DynamoDB calls each, eight Pages at a time): two minutes cover 100,000 Pages. API Gateway stops
 * waiting for the route after 30 s whatever this is.
 */
const ERASURE_TIMEOUT = Duration.seconds(120);
/** Deliveries of a job before the dead-letter queue: only our own faults fail one, and every job may run twice. */
const ERASURE_MAX_RECEIVE_COUNT = 3;

export interface PersonDataProps {
  readonly config: ResolvedProps;
  readonly table: ConversationsTable;
  readonly api: ConversationsApi;
  readonly eventBus: ChangeEventBus;
  /** The functions that write the index, and so hash the ids of the people they index. */
  readonly hashers: readonly ProductFunction[];
  /** The functions that queue erasure work: the API (a read past the retention), the receiver (Meta's callback). */
  readonly senders: readonly ProductFunction[];
  /** The functions that apply `RETENTION_DAYS`. */
  readonly retentionReaders: readonly ProductFunction[];
}

/**
 * A person's data: the person-hash key (a secret the stack generates, read by the functions that hash
 * ids and by no one else), the erasure function behind `POST /pages/{pageId}/erasures` (its own route
 * ARN and JWT scope) with its queue of work (Meta's data-deletion requests, folders a read found
 * expired conversations in), and `RETENTION_DAYS` on the functions that apply it. The erasure function
 * is the one role that removes a person's conversations on request; it calls no Graph and reads no
 * Page token.
 */
export class PersonData extends Construct {
  readonly keySecret: Secret;
  readonly function: ProductFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: PersonDataProps) {
    super(scope, id);
    const { config } = props;
    this.keySecret = new Secret(this, 'PersonKey', {
      description:
        'Page conversations: the key of the keyed hashes (HMAC-SHA256) that stand for people in erasure records. Never change it: erased history would be indexed again.',
      encryptionKey: config.encryptionKey,
      removalPolicy: config.removalPolicy,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.keySecret).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: NAG_REASONS.personKeyRotation },
      { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason: NAG_REASONS.personKeyRotation },
    );
    if (config.encryptionKey === undefined) {
      Validations.of(this.keySecret).acknowledge({
        id: 'NIST.800.53.R5-SecretsManagerUsingKMSKey',
        reason: NAG_REASONS.secretWithoutCustomerKey,
      });
    }

    const work = new WorkQueue(this, 'Work', {
      encryptionKey: config.encryptionKey,
      consumerTimeout: ERASURE_TIMEOUT,
      maxReceiveCount: ERASURE_MAX_RECEIVE_COUNT,
      ids: { queue: 'Queue', deadLetterQueue: 'DeadLetterQueue' },
    });
    this.queue = work.queue;
    this.deadLetterQueue = work.deadLetterQueue;

    this.function = new ProductFunction(this, 'Function', {
      ...functionDefaults(config),
      entry: 'functions/erasure.ts',
      description: "Page conversations: erases a person's data and removes conversations past the retention",
      serviceName: 'page-conversations-erasure',
      timeout: ERASURE_TIMEOUT,
      environment: {
        TOMBSTONE_DAYS: String(config.tombstoneDays),
        CHANGES_DAYS: String(config.changesDays),
        ...(config.jwtPageIdsClaim === undefined ? {} : { JWT_PAGE_IDS_CLAIM: config.jwtPageIdsClaim }),
      },
    }).bindTable(props.table, ERASURE_TABLE_ACCESS);
    grantPutChangeEvents(this.function, props.eventBus);
    work.consume(this.function, { batchSize: 1, maxConcurrency: 2 });
    for (const fn of [this.function, ...props.hashers]) this.grantReadKey(fn);
    for (const fn of props.senders) {
      work.grantSend(fn);
      fn.addEnvironment('PRIVACY_QUEUE_URL', this.queue.queueUrl);
    }
    if (config.retentionDays !== undefined) {
      for (const fn of [this.function, ...props.retentionReaders])
        fn.addEnvironment('RETENTION_DAYS', String(config.retentionDays));
    }
    const integration = new HttpLambdaIntegration('Integration', this.function);
    for (const route of routesOf('erasure')) props.api.addTableRoute(route, integration);
  }

  /** `GetSecretValue` on the key's one secret (its full ARN), and decryption with the stack's key. */
  private grantReadKey(fn: ProductFunction): void {
    fn.allow(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.keySecret.secretArn],
      }),
    );
    this.keySecret.encryptionKey?.grant(fn, 'kms:Decrypt');
    fn.addEnvironment('PERSON_KEY_SECRET_ID', this.keySecret.secretArn);
  }
}
