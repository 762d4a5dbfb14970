import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, type Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SQS_MAX_DELAY_SECONDS, SYNC_BATCH_SIZE } from '#lib/config/stack-sizing.js';
import type { ConversationsTable } from './conversations-table.js';
import { type ChangeEventBus, grantPutChangeEvents } from './event-bus-access.js';
import { grantGraphAccess } from './graph-access.js';
import { NAG_REASONS } from './nag-suppressions.js';
import { functionDefaults, ProductFunction } from './product-function.js';
import { intervalSeconds, type ResolvedProps } from './resolve-props.js';
import { SCHEDULE_TABLE_ACCESS, SYNC_WORKER_TABLE_ACCESS } from './table-access.js';
import {
  deadLetterQueue,
  grantSendMessages,
  MAX_RETENTION,
  VISIBILITY_PER_TIMEOUT,
  WorkQueue,
} from './work-queue.js';

/** Reading the registry and sending one message per Page. */
const SCHEDULE_TIMEOUT = Duration.seconds(60);
/**
 * The schedule's memory, at least: the bench measured 12.6 to 14.8 s of CPU for a round of 100,000
 * Pages, which Lambda stretches past the 60 s timeout below about 512 MB (CPU grows with memory, one
 * vCPU at 1,769 MB); at 1,024 MB it is 29 to 40 s. It runs once an interval, so this costs cents.
 */
const SCHEDULE_MIN_MEMORY_MB = 1024;
/** One Page's sync; a longer one checkpoints and resumes on the next run. */
const WORKER_TIMEOUT = Duration.minutes(5);
/** Deliveries of a sync message before it goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;
/**
 * Lambda's retries of a failed scheduled invocation (its most) before the event goes to the schedule's
 * dead-letter queue; an event older than one default interval is dropped there too, since the next
 * scheduled run does the same work.
 */
const SCHEDULE_RETRIES = 2;
const SCHEDULE_MAX_EVENT_AGE = Duration.minutes(15);
/**
 * Rounds a sync message is kept for. The next round sends every Page again, so a message that waited
 * past its round only doubles a quiet run; dropping it after a few rounds bounds the backlog of a queue
 * that falls behind (the "round did not finish" alarm says so) without ever losing a Page.
 */
export const SYNC_ROUNDS_KEPT = 4;

export interface SyncFanOutProps {
  readonly config: ResolvedProps;
  readonly table: ConversationsTable;
  /** Where the worker puts a change event for each change of the index. */
  readonly eventBus: ChangeEventBus;
}

/**
 * The scheduled sync: an EventBridge rule invokes the schedule function, which reads the registered
 * Pages from the table (never a listing of secrets) and puts one message per Page on the sync queue; the worker function syncs one Page per
 * message, and a message that fails `MAX_RECEIVE_COUNT` times waits in the dead-letter queue.
 */
export class SyncFanOut extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Scheduled invocations that failed after Lambda's retries. */
  readonly scheduleDeadLetterQueue: Queue;
  readonly scheduleFunction: ProductFunction;
  /** The schedule's interval in seconds, for the "round did not finish" alarm; undefined for cron. */
  readonly roundInterval: number | undefined;
  readonly workerFunction: ProductFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SyncFanOutProps) {
    super(scope, id);
    const { config } = props;
    const common = functionDefaults(config);

    this.roundInterval = intervalSeconds(config.syncSchedule);
    // Under the id `Default`, which CDK leaves out of logical ids: the queues keep those of deployed stacks.
    const work = new WorkQueue(this, 'Default', {
      encryptionKey: config.encryptionKey,
      consumerTimeout: WORKER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      ids: { queue: 'Queue', deadLetterQueue: 'DeadLetterQueue' },
      ...(this.roundInterval === undefined ? {} : { retentionPeriod: syncRetention(this.roundInterval) }),
    });
    this.queue = work.queue;
    this.deadLetterQueue = work.deadLetterQueue;
    this.scheduleDeadLetterQueue = deadLetterQueue(this, 'ScheduleDeadLetterQueue', config.encryptionKey);

    this.scheduleFunction = new ProductFunction(this, 'ScheduleFunction', {
      ...common,
      entry: 'functions/sync-schedule.ts',
      description: 'Page conversations: reads the Page registry and queues one sync per Page',
      serviceName: 'page-conversations-sync-schedule',
      timeout: SCHEDULE_TIMEOUT,
      memorySize: Math.max(config.memorySize, SCHEDULE_MIN_MEMORY_MB),
      environment: {
        SYNC_QUEUE_URL: this.queue.queueUrl,
        SYNC_SPREAD_SECONDS: String(spreadSeconds(config.syncSchedule)),
      },
    }).bindTable(props.table, SCHEDULE_TABLE_ACCESS);
    this.grantStartSync(this.scheduleFunction);
    // Lambda sends a failed event with the function's role. CDK's SqsDestination would grant that with
    // `grantSendMessages` (ReEncrypt* and GenerateDataKey* on a customer key); this grants what a sender needs.
    const deadLetters = this.scheduleDeadLetterQueue;
    const onFailure: IDestination = { bind: () => ({ destination: deadLetters.queueArn }) };
    grantSendMessages(this.scheduleFunction, deadLetters);
    this.scheduleFunction.configureAsyncInvoke({
      retryAttempts: SCHEDULE_RETRIES,
      maxEventAge: SCHEDULE_MAX_EVENT_AGE,
      onFailure,
    });
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: NAG_REASONS.destinationQueue,
    });

    this.workerFunction = new ProductFunction(this, 'WorkerFunction', {
      ...common,
      entry: 'functions/sync-worker.ts',
      description: 'Page conversations: syncs Pages into the conversation index, a batch at once',
      serviceName: 'page-conversations-sync-worker',
      timeout: WORKER_TIMEOUT,
      environment: {
        ...(config.syncMaxGraphCalls === undefined
          ? {}
          : { SYNC_MAX_GRAPH_CALLS: String(config.syncMaxGraphCalls) }),
        RECONCILE_EVERY_HOURS: String(config.reconcileEveryHours),
      },
    }).bindTable(props.table, SYNC_WORKER_TABLE_ACCESS);
    grantGraphAccess(this.workerFunction, config);
    grantPutChangeEvents(this.workerFunction, props.eventBus);
    work.consume(this.workerFunction, {
      batchSize: SYNC_BATCH_SIZE,
      maxConcurrency: config.syncConcurrency,
    });

    this.rule = new Rule(this, 'Schedule', {
      description: 'Page conversations: starts the scheduled sync of every Page',
      schedule: config.syncSchedule,
      targets: [new LambdaFunction(this.scheduleFunction)],
    });
  }

  /** Lets `grantee` put sync messages on the queue (`POST /sync`, the schedule): SendMessage, and the key's use. */
  grantStartSync(grantee: IGrantable): void {
    grantSendMessages(grantee, this.queue);
  }
}

/**
 * How long a sync message is kept on a rate schedule: `SYNC_ROUNDS_KEPT` intervals, and at least what a
 * failing message needs to reach the dead-letter queue (its spread delay, then `MAX_RECEIVE_COUNT`
 * visibility timeouts of six worker timeouts each), at most SQS's 14 days. A cron schedule keeps SQS's
 * 4 days: its interval may vary.
 */
export function syncRetention(intervalSeconds: number): Duration {
  const toDeadLetters =
    spreadSecondsOf(intervalSeconds) +
    MAX_RECEIVE_COUNT * VISIBILITY_PER_TIMEOUT * WORKER_TIMEOUT.toSeconds();
  const seconds = Math.max(SYNC_ROUNDS_KEPT * intervalSeconds, toDeadLetters);
  return Duration.seconds(Math.min(MAX_RETENTION.toSeconds(), seconds));
}

function spreadSecondsOf(interval: number): number {
  return Math.min(SQS_MAX_DELAY_SECONDS, interval);
}

/** Seconds the schedule spreads a round over: its interval, at most SQS's longest delay (900 s); 0 for cron. */
export function spreadSeconds(schedule: Schedule): number {
  return spreadSecondsOf(intervalSeconds(schedule) ?? 0);
}
