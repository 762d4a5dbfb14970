import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, type Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ConversationsTable } from './conversations-table.js';
import { type ChangeEventBus, grantPutChangeEvents } from './event-bus-access.js';
import { grantGraphAccess } from './graph-access.js';
import { NAG_REASONS } from './nag-suppressions.js';
import type { ResolvedProps } from './page-conversations-props.js';
import { functionDefaults, ProductFunction } from './product-function.js';
import { SCHEDULE_TABLE_ACCESS, SYNC_WORKER_TABLE_ACCESS } from './table-access.js';
import { deadLetterQueue, grantSendMessages, WorkQueue } from './work-queue.js';

/** Reading the registry and sending one message per Page. */
const SCHEDULE_TIMEOUT = Duration.seconds(60);
/** One Page's sync; a longer one checkpoints and resumes on the next run. */
const WORKER_TIMEOUT = Duration.minutes(5);
/** One Page per invocation, so each Page gets the whole time budget and fails alone. */
const WORKER_BATCH_SIZE = 1;
/** Deliveries of a sync message before it goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;
/**
 * Lambda's retries of a failed scheduled invocation (its most) before the event goes to the schedule's
 * dead-letter queue; an event older than one default interval is dropped there too, since the next
 * scheduled run does the same work.
 */
const SCHEDULE_RETRIES = 2;
const SCHEDULE_MAX_EVENT_AGE = Duration.minutes(15);

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

    // Under the id `Default`, which CDK leaves out of logical ids: the queues keep those of deployed stacks.
    const work = new WorkQueue(this, 'Default', {
      encryptionKey: config.encryptionKey,
      consumerTimeout: WORKER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      ids: { queue: 'Queue', deadLetterQueue: 'DeadLetterQueue' },
    });
    this.queue = work.queue;
    this.deadLetterQueue = work.deadLetterQueue;
    this.scheduleDeadLetterQueue = deadLetterQueue(this, 'ScheduleDeadLetterQueue', config.encryptionKey);

    this.roundInterval = intervalSeconds(config.syncSchedule);
    this.scheduleFunction = new ProductFunction(this, 'ScheduleFunction', {
      ...common,
      entry: 'functions/sync-schedule.ts',
      description: 'Page conversations: reads the Page registry and queues one sync per Page',
      serviceName: 'page-conversations-sync-schedule',
      timeout: SCHEDULE_TIMEOUT,
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
      description: 'Page conversations: syncs one Page into the conversation index',
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
      batchSize: WORKER_BATCH_SIZE,
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

/** A rate schedule's interval in seconds; undefined for a cron expression, whose interval may vary. */
export function intervalSeconds(schedule: Schedule): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule.expressionString);
  if (rate === null) return undefined;
  const unit = { minute: 60, hour: 3_600, day: 86_400 }[rate[2] as 'minute' | 'hour' | 'day'];
  return Number(rate[1]) * unit;
}

/** Seconds the schedule spreads a round over: its interval, at most SQS's longest delay (900 s); 0 for cron. */
export function spreadSeconds(schedule: Schedule): number {
  return Math.min(900, intervalSeconds(schedule) ?? 0);
}
