import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_DELAY_SECONDS } from '../config/stack-sizing.js';
import type { RefreshQueue, RefreshRequest } from './refresh-request.js';

/** SQS takes at most 10 entries per `SendMessageBatch`. */
const BATCH = 10;
/**
 * Batches in flight at once. A delivery names at most 1,000 people: 100 batches, 10 rounds of about
 * 20–50 ms each in the region, well inside the receiver's 10 s (one at a time it was 100 round trips).
 */
export const SQS_PARALLEL_BATCHES = 10;

/**
 * The refresh queue in AWS. Entries SQS refuses are sent once more; what still fails is thrown, so
 * the receiver answers 5xx and Meta delivers the webhook again rather than it being lost.
 */
export class SqsRefreshQueue implements RefreshQueue {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
    private readonly parallelBatches = SQS_PARALLEL_BATCHES,
  ) {}

  async send(requests: readonly RefreshRequest[], delayMs = 0): Promise<void> {
    // SQS delays a message by at most 15 minutes: a longer wait is taken in several hops.
    const delaySeconds = Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(delayMs / 1000));
    let pending = [...requests];
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const batches: RefreshRequest[][] = [];
      for (let start = 0; start < pending.length; start += BATCH) {
        batches.push(pending.slice(start, start + BATCH));
      }
      const failed: RefreshRequest[] = [];
      // A fixed number of lanes, each taking the next batch as it finishes its last.
      let next = 0;
      const lane = async () => {
        for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
          failed.push(...(await this.sendBatch(batch, delaySeconds)));
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.parallelBatches, batches.length) }, lane));
      pending = failed;
    }
    if (pending.length > 0) throw new Error(`SQS refused ${pending.length} webhook refresh requests.`);
  }

  /** One `SendMessageBatch`: the requests SQS refused. */
  private async sendBatch(batch: RefreshRequest[], delaySeconds: number): Promise<RefreshRequest[]> {
    const output = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: batch.map((request, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify(request),
          ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
        })),
      }),
    );
    const refused: RefreshRequest[] = [];
    for (const entry of output.Failed ?? []) {
      const request = batch[Number(entry.Id)];
      if (request !== undefined) refused.push(request);
    }
    return refused;
  }
}
