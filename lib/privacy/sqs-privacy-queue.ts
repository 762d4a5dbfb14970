import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PrivacyJob, PrivacyJobQueue } from './jobs.js';

/**
 * The erasure function's queue in AWS (`PRIVACY_QUEUE_URL`): one message per job. A send that fails
 * throws, so that the caller's request fails (Meta calls the callback again; a read's sweep is left to
 * the daily one).
 */
export class SqsPrivacyQueue implements PrivacyJobQueue {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async send(job: PrivacyJob): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }),
    );
  }
}
