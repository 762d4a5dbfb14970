import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { delaySecondsOf, enqueuePages, parseSyncMessage } from '#lib/sync/sync-queue.js';

/**
 * A local SQS speaking its JSON protocol (SendMessageBatch only). It holds its answers until `lanes`
 * requests are in flight at once (or every expected batch has arrived), so a sender that waits for
 * each answer before the next never gets one: the test needs no clock to tell parallel from serial.
 */
interface Entry {
  Id: string;
  MessageBody: string;
  DelaySeconds?: number;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function standIn(options: { lanes: number; batches: number; refuseOnce?: Set<string> }) {
  const entries: Entry[] = [];
  let received = 0;
  let maxInFlight = 0;
  let held: Array<() => void> = [];
  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: Entry[] };
      received++;
      const reply = () => {
        const failed = input.Entries.filter((entry) => options.refuseOnce?.delete(entry.MessageBody));
        for (const entry of input.Entries) if (!failed.includes(entry)) entries.push(entry);
        const text = JSON.stringify({
          Successful: input.Entries.filter((entry) => !failed.includes(entry)).map((entry) => ({
            Id: entry.Id,
            MessageId: `m-${entry.Id}`,
            MD5OfMessageBody: md5(entry.MessageBody),
          })),
          Failed: failed.map((entry) => ({ Id: entry.Id, Code: 'InternalError', SenderFault: false })),
        });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(text);
      };
      held.push(reply);
      maxInFlight = Math.max(maxInFlight, held.length);
      if (held.length >= options.lanes || received >= options.batches) {
        const release = held;
        held = [];
        for (const answer of release) answer();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;
  const client = new SQSClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { client, queueUrl: `${url}/000000000000/sync`, entries, maxInFlight: () => maxInFlight };
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => String(1_000_000 + i));

describe("the schedule's sends", () => {
  it('sends batches of ten, 16 in flight at once, every Page once', async () => {
    const pages = ids(200);
    const sqs = await standIn({ lanes: 16, batches: 20 });
    expect(await enqueuePages(sqs.client, sqs.queueUrl, pages)).toBe(200);
    expect(sqs.maxInFlight()).toBe(16);
    const sent = sqs.entries.map((entry) => (JSON.parse(entry.MessageBody) as { pageId: string }).pageId);
    expect(sent.sort()).toEqual(pages);
    // Without a spread, no message is delayed.
    expect(sqs.entries.every((entry) => entry.DelaySeconds === undefined)).toBe(true);
  });

  it("delays each message by its Page's place in the spread: within 0..900 s, stable per Page, not all at once", async () => {
    const pages = ids(200);
    const sqs = await standIn({ lanes: 16, batches: 20 });
    await enqueuePages(sqs.client, sqs.queueUrl, pages, { spreadSeconds: 6 * 3600 });
    const delays = sqs.entries.map((entry) => entry.DelaySeconds ?? -1);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(900);
    // 200 Pages over 901 seconds: spread, not a burst (a hash puts well over 150 on distinct seconds).
    expect(new Set(delays).size).toBeGreaterThan(150);
    for (const entry of sqs.entries) {
      const { pageId } = JSON.parse(entry.MessageBody) as { pageId: string };
      expect(entry.DelaySeconds).toBe(delaySecondsOf(pageId, 900));
    }
    expect(delaySecondsOf('1234', 60)).toBeLessThanOrEqual(60);
    expect(delaySecondsOf('1234', 0)).toBe(0);
  });

  it('sends the entries SQS refused once more', async () => {
    const pages = ids(25);
    const refused = JSON.stringify({ pageId: '1000007' });
    const sqs = await standIn({ lanes: 3, batches: 4, refuseOnce: new Set([refused]) });
    await enqueuePages(sqs.client, sqs.queueUrl, pages);
    expect(sqs.entries.filter((entry) => entry.MessageBody === refused)).toHaveLength(1);
    expect(sqs.entries).toHaveLength(25);
  });
});

describe('a sync message read back', () => {
  it.each([
    ['{"pageId":"1000000000000001"}', { pageId: '1000000000000001' }],
    ['{"pageId":"1000000000000001","full":true}', { pageId: '1000000000000001', full: true }],
    ['{"pageId":"1000000000000001","full":"yes"}', { pageId: '1000000000000001' }],
    // A Page id in another form than its one form names no registered Page (the API answers 404 for it).
    ['{"pageId":"01000000000000001"}', undefined],
    ['{"pageId":1000000000000001}', undefined],
    ['["1000000000000001"]', undefined],
    ['not json', undefined],
  ])('%s reads as %j', (body, message) => {
    expect(parseSyncMessage(body)).toEqual(message);
  });
});
