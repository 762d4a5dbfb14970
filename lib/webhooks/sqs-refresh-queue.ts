import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RefreshQueue, RefreshRequest } from './refresh-request.js';

const BATCH = 10;
/** SQS delays a message by at most 15 minutes: a longer wait is taken in several hops. */
const MAX_DELAY_SECONDS = 900;

/**
 * The refresh queue in AWS. Entries SQS refuses are sent once more; what still fails is thrown, so
 * the receiver answers 5xx and Meta delivers the webhook again rather than it being lost.
 */
export class SqsRefreshQueue implements RefreshQueue {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async send(requests: readonly RefreshRequest[], delayMs = 0): Promise<void> {
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(delayMs / 1000));
    let pending = [...requests];
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const failed: RefreshRequest[] = [];
      for (let start = 0; start < pending.length; start += BATCH) {
        const batch = pending.slice(start, start + BATCH);
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
        for (const entry of output.Failed ?? []) {
          const request = batch[Number(entry.Id)];
          if (request !== undefined) failed.push(request);
        }
      }
      pending = failed;
    }
    if (pending.length > 0) throw new Error(`SQS refused ${pending.length} webhook refresh requests.`);
  }
}
