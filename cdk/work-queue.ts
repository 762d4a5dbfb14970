import { Duration } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How long failed messages wait for an operator: SQS's maximum. */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/**
 * SQS hands a Lambda consumer at most 10 messages a batch without a batching window (none is set). The
 * refresh worker runs a batch's messages at once, so this also bounds its concurrency per invocation.
 */
const MAX_BATCH_SIZE = 10;
/** AWS's rule for Lambda consumers: a visibility timeout of six times the function's timeout. */
export const VISIBILITY_PER_TIMEOUT = 6;
/** SQS's longest retention of a message. */
export const MAX_RETENTION = Duration.days(14);

/** Every queue's encryption: the customer-managed key when there is one, else SQS-managed keys. */
export function queueEncryption(
  key: IKey | undefined,
): Pick<QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return key === undefined
    ? { encryption: QueueEncryption.SQS_MANAGED }
    : { encryption: QueueEncryption.KMS, encryptionMasterKey: key };
}

/**
 * Lets `grantee` send to `queue`: `sqs:SendMessage`, and with a customer-managed key the two key
 * actions a sender needs (a data key to encrypt the message, and Decrypt of that data key's cached
 * copy). CDK's `grantSendMessages` grants `kms:ReEncrypt*` and `kms:GenerateDataKey*` as well, which a
 * sender never calls and cdk-nag rightly flags.
 */
export function grantSendMessages(grantee: IGrantable, queue: IQueue): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  queue.encryptionMasterKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
}

/** A queue for failed work (a queue's dead letters, Lambda's failed invocations): TLS only, encrypted, kept 14 days. */
export function deadLetterQueue(scope: Construct, id: string, encryptionKey: IKey | undefined): Queue {
  return new Queue(scope, id, {
    enforceSSL: true,
    ...queueEncryption(encryptionKey),
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
}

export interface WorkQueueProps {
  /** The stack's customer-managed key; SQS-managed keys when undefined. */
  readonly encryptionKey: IKey | undefined;
  /** The consumer's timeout: the queue's visibility timeout is six times it, and `consume` checks it. */
  readonly consumerTimeout: Duration;
  /** Deliveries of a message before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /**
   * How long SQS keeps a message not yet done. At least `maxReceiveCount` visibility timeouts, so that
   * a message that keeps failing reaches the dead-letter queue (and its alarm) before it expires.
   * @default SQS's 4 days
   */
  readonly retentionPeriod?: Duration;
  /**
   * The construct ids of the queue and its dead-letter queue. Deployed stacks have them: with the work
   * queue created under the id `Default` (which CDK leaves out of logical ids), they keep a deployed
   * queue's logical id, so an update never replaces a queue that holds messages.
   */
  readonly ids: { readonly queue: string; readonly deadLetterQueue: string };
}

export interface ConsumeOptions {
  /** Messages per invocation, 1 to 10. */
  readonly batchSize: number;
  /** Invocations at once across the queue's pollers; Lambda's default when undefined. */
  readonly maxConcurrency?: number | undefined;
}

/**
 * A queue of work for one Lambda consumer, with its dead-letter queue: both TLS only and encrypted
 * (the customer-managed key when there is one), the dead letters kept 14 days, the queue's visibility
 * six times its consumer's timeout, and the consumer fed with partial batch failures
 * (`reportBatchItemFailures`), which Powertools' batch processor answers. The sync fan-out and the
 * webhook refresh each have one. The dead-letter queues' one alarm is `ProductAlarms`' (one alarm over
 * every dead-letter queue: one symptom, one notification).
 */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Six times the consumer's timeout. */
  readonly visibilityTimeout: Duration;
  private readonly consumerTimeout: Duration;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 1) {
      throw new Error(`maxReceiveCount must be a whole number of at least 1, not ${props.maxReceiveCount}.`);
    }
    this.consumerTimeout = props.consumerTimeout;
    this.visibilityTimeout = Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_PER_TIMEOUT);
    const retention = props.retentionPeriod;
    const leastRetention = props.maxReceiveCount * this.visibilityTimeout.toSeconds();
    if (
      retention !== undefined &&
      (retention.toSeconds() < leastRetention || retention.toSeconds() > MAX_RETENTION.toSeconds())
    ) {
      throw new Error(
        `${this.node.path}: retentionPeriod must be ${leastRetention} s (${props.maxReceiveCount} visibility timeouts, so that a failing message reaches the dead-letter queue) to ${MAX_RETENTION.toSeconds()} s, not ${retention.toSeconds()} s.`,
      );
    }
    this.deadLetterQueue = deadLetterQueue(this, props.ids.deadLetterQueue, props.encryptionKey);
    this.queue = new Queue(this, props.ids.queue, {
      enforceSSL: true,
      ...queueEncryption(props.encryptionKey),
      // A slow batch's messages are not handed to a second worker while the first still runs.
      visibilityTimeout: this.visibilityTimeout,
      ...(retention === undefined ? {} : { retentionPeriod: retention }),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }

  /** Feeds `consumer` from the queue, with partial batch failures; checks its timeout and the batch size. */
  consume(consumer: LambdaFunction, options: ConsumeOptions): void {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new Error(`${this.node.path}: batchSize must be 1 to ${MAX_BATCH_SIZE}, not ${batchSize}.`);
    }
    const timeout = consumer.timeout?.toSeconds() ?? 3;
    if (timeout > this.consumerTimeout.toSeconds()) {
      throw new Error(
        `${this.node.path}: ${consumer.node.path} times out after ${timeout} s, but the queue's visibility was sized for ${this.consumerTimeout.toSeconds()} s: pass its timeout as consumerTimeout.`,
      );
    }
    consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        reportBatchItemFailures: true,
        ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
      }),
    );
  }

  /** Lets `grantee` put messages on the queue: SendMessage, and the key's use (`grantSendMessages`). */
  grantSend(grantee: IGrantable): void {
    grantSendMessages(grantee, this.queue);
  }
}
