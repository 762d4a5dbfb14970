import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_DELAY_SECONDS } from '../config/stack-sizing.js';
import { parseJsonRecord } from '../domain/json-record.js';
import { isPageId } from '../domain/vocabulary.js';
import { createSqsClient } from '../events/sqs-client.js';
import type { SyncStarter, SyncStartOptions } from './sync-control.js';

/** One work item of the fan-out: sync this page (and with `full`, reconcile it: `POST /sync?full=true`). */
export interface SyncMessage {
  pageId: string;
  full?: true;
}

const BATCH = 10;
/** Batches in flight at once: 100,000 Pages are 10,000 batches, about 16 s at 16 lanes of ~25 ms each. */
const LANES = 16;

/**
 * A Page's place in the spread of a round: `0..spreadSeconds` (at most SQS's 900), from a hash of its
 * id, so that a round's runs start evenly over the interval instead of all at :00, and each Page keeps
 * its place from round to round (its runs stay an interval apart).
 */
export function delaySecondsOf(pageId: string, spreadSeconds: number): number {
  const spread = Math.max(0, Math.min(SQS_MAX_DELAY_SECONDS, Math.floor(spreadSeconds)));
  if (spread === 0) return 0;
  return createHash('sha256').update(pageId).digest().readUInt32BE(0) % (spread + 1);
}

export interface EnqueueOptions {
  /** Spread the round's messages over this many seconds (capped at 900); 0 sends them all now. */
  spreadSeconds?: number;
}

/** Reads a queue message; undefined for one that is not a sync work item. */
export function parseSyncMessage(body: string): SyncMessage | undefined {
  const { pageId, full } = parseJsonRecord(body) ?? {};
  // Not JSON, or not a Page id in its one form: the caller reports it as a bad message.
  if (typeof pageId !== 'string' || !isPageId(pageId)) return undefined;
  return full === true ? { pageId, full } : { pageId };
}

/**
 * Sends one message per page, ten to a batch, `LANES` batches in flight, each message delayed by its
 * Page's place in the spread. Entries SQS refuses are sent once more; what still fails is thrown, so
 * the schedule's invocation fails and its alarm fires rather than silently leaving pages out.
 */
export async function enqueuePages(
  sqs: SQSClient,
  queueUrl: string,
  pageIds: readonly string[],
  options: EnqueueOptions = {},
): Promise<number> {
  const spread = options.spreadSeconds ?? 0;
  let pending = [...pageIds];
  for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
    const failed: string[] = [];
    const batches: string[][] = [];
    for (let start = 0; start < pending.length; start += BATCH)
      batches.push(pending.slice(start, start + BATCH));
    let next = 0;
    // Each lane takes the next batch when its last is answered: at most LANES requests in flight.
    const lane = async (): Promise<void> => {
      for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
        const sent = batch;
        const output = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: sent.map((pageId, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify({ pageId }),
              ...(spread > 0 ? { DelaySeconds: delaySecondsOf(pageId, spread) } : {}),
            })),
          }),
        );
        for (const entry of output.Failed ?? []) failed.push(sent[Number(entry.Id)] as string);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, batches.length) }, lane));
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

/**
 * The starter `POST /sync` uses in AWS, with an SQS client with timeouts (a send that hangs fails
 * within seconds, inside the API's own timeout); none without a queue.
 */
export function createQueueSyncStarter(
  queueUrl: string | undefined,
  sqs: SQSClient = createSqsClient(),
): SyncStarter | undefined {
  return queueUrl === undefined ? undefined : new QueueSyncStarter(sqs, queueUrl);
}
