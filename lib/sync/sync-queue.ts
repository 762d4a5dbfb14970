import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SyncStarter, SyncStartOptions } from './sync-control.js';

/** One work item of the fan-out: sync this page (and with `full`, reconcile it: `POST /sync?full=true`). */
export interface SyncMessage {
  pageId: string;
  full?: true;
}

const BATCH = 10;

/** Reads a queue message; undefined for one that is not a sync work item. */
export function parseSyncMessage(body: string): SyncMessage | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as SyncMessage).pageId === 'string') {
      const { pageId, full } = value as SyncMessage;
      if (!/^\d{1,32}$/.test(pageId)) return undefined;
      return full === true ? { pageId, full } : { pageId };
    }
  } catch {
    // Not JSON: the caller reports it as a bad message.
  }
  return undefined;
}

/**
 * Sends one message per page, ten to a batch. Entries SQS refuses are sent once more; what still
 * fails is thrown, so the schedule's invocation fails and its alarm fires rather than silently
 * leaving pages out.
 */
export async function enqueuePages(
  sqs: SQSClient,
  queueUrl: string,
  pageIds: readonly string[],
): Promise<number> {
  let pending = [...pageIds];
  for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
    const failed: string[] = [];
    for (let start = 0; start < pending.length; start += BATCH) {
      const batch = pending.slice(start, start + BATCH);
      const output = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((pageId, i) => ({ Id: String(i), MessageBody: JSON.stringify({ pageId }) })),
        }),
      );
      for (const entry of output.Failed ?? []) failed.push(batch[Number(entry.Id)] as string);
    }
    pending = failed;
  }
  if (pending.length > 0) throw new Error(`SQS refused the sync messages of ${pending.length} pages.`);
  return pageIds.length;
}

/** `POST /sync` in AWS: the worker behind the queue runs it, as it does scheduled ones. */
export class QueueSyncStarter implements SyncStarter {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async start(pageId: string, options: SyncStartOptions = {}): Promise<void> {
    const message: SyncMessage = options.full === true ? { pageId, full: true } : { pageId };
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}

/** The starter `POST /sync` uses in AWS, with the container's own SQS client; none without a queue. */
export function createQueueSyncStarter(queueUrl: string | undefined): SyncStarter | undefined {
  return queueUrl === undefined ? undefined : new QueueSyncStarter(new SQSClient({}), queueUrl);
}
