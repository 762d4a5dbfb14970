import { createHash, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRefreshRequest, type RefreshRequest } from '#lib/webhooks/refresh-request.js';
import { SQS_PARALLEL_BATCHES, SqsRefreshQueue } from '#lib/webhooks/sqs-refresh-queue.js';

/**
 * The receiver's queue in AWS, through the real SQS client against a stand-in that speaks SQS's JSON
 * protocol (`AmazonSQS.SendMessageBatch`). The stand-in holds its answers until `SQS_PARALLEL_BATCHES`
 * batches are in flight (or every batch has come), so the test shows, without timing, that batches go
 * out in parallel and never more than the bound at once. One at a time, the first batch is never
 * answered and the test times out.
 */

interface Entry {
  Id: string;
  MessageBody: string;
}

function sqsStandIn(totalBatches: () => number, failOnce: (body: string) => boolean) {
  const held: Array<() => void> = [];
  const bodies: string[] = [];
  const failed = new Set<string>();
  let received = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const answer = (response: ServerResponse, entries: Entry[]) => {
    const refused = entries.filter((e) => !failed.has(e.MessageBody) && failOnce(e.MessageBody));
    for (const entry of refused) failed.add(entry.MessageBody);
    const taken = entries.filter((entry) => !refused.includes(entry));
    bodies.push(...taken.map((entry) => entry.MessageBody));
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(
      JSON.stringify({
        Successful: taken.map((entry) => ({
          Id: entry.Id,
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
        })),
        Failed: refused.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'InternalError' })),
      }),
    );
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { Entries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: Entry[] };
      received += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      held.push(() => {
        inFlight -= 1;
        answer(response, Entries);
      });
      if (held.length === SQS_PARALLEL_BATCHES || received === totalBatches()) {
        for (const release of held.splice(0)) release();
      }
    });
  });
  return {
    server,
    bodies,
    maxInFlight: () => maxInFlight,
    reset: () => {
      received = 0;
      bodies.length = 0;
      maxInFlight = 0;
    },
  };
}

const requests = (count: number): RefreshRequest[] =>
  Array.from({ length: count }, (_, i) =>
    newRefreshRequest({ object: 'page', accountId: '1000000000000001', personId: String(2_000 + i) }, 0),
  );

describe('SqsRefreshQueue sends a delivery as SendMessageBatch calls, in parallel, bounded', () => {
  let expectedBatches = 0;
  let failFirst: (body: string) => boolean = () => false;
  const standIn = sqsStandIn(
    () => expectedBatches,
    (body) => failFirst(body),
  );
  let queue: SqsRefreshQueue;
  beforeAll(async () => {
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    const client = new SQSClient({
      endpoint: url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    queue = new SqsRefreshQueue(client, `${url}/000000000000/refresh`);
  });
  afterAll(() => new Promise<void>((resolve) => standIn.server.close(() => resolve())));

  it('1,000 requests: 100 batches of 10, 10 in flight at once, every request sent once', async () => {
    // Prepare
    standIn.reset();
    expectedBatches = 100;
    const sent = requests(1_000);
    // Act
    await queue.send(sent);
    // Assess
    expect(standIn.maxInFlight()).toBe(SQS_PARALLEL_BATCHES);
    expect(standIn.bodies.map((body) => (JSON.parse(body) as RefreshRequest).id).sort()).toEqual(
      sent.map((request) => request.id).sort(),
    );
  });

  it('entries SQS refused are sent once more, in a second round of batches', async () => {
    // Prepare: every 7th request is refused the first time.
    standIn.reset();
    const sent = requests(100);
    const refusedOnce = new Set(sent.filter((_, i) => i % 7 === 0).map((r) => JSON.stringify(r)));
    failFirst = (body) => refusedOnce.has(body);
    // 10 batches, then the 15 refused in 2 batches.
    expectedBatches = 12;
    // Act
    await queue.send(sent);
    // Assess
    expect(standIn.bodies).toHaveLength(100);
    expect(new Set(standIn.bodies).size).toBe(100);
  });
});
