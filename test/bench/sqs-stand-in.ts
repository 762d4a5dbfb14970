/**
 * A recording stand-in for SQS, speaking its JSON protocol (AWS JSON 1.0, `X-Amz-Target:
 * AmazonSQS.<Action>`) as far as the schedule needs: SendMessage and SendMessageBatch, answered with
 * message ids and the MD5 of each body (the SDK checks them). It keeps counts, not messages, so that a
 * round of 100,000 Pages costs no memory here, and it can wait before each answer as SQS's own time
 * would. Point the SDK at it with `AWS_ENDPOINT_URL_SQS`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface SqsRecord {
  requests: number;
  messages: number;
  /** Distinct `pageId`s seen in message bodies. */
  pageIds: Set<string>;
  /** The most requests in flight at once: 1 is a sender that waits for each answer. */
  maxInFlight: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
}

export interface SqsStandIn {
  url: string;
  readonly record: SqsRecord;
  reset(): void;
  close(): Promise<void>;
}

const emptyRecord = (): SqsRecord => ({
  requests: 0,
  messages: 0,
  pageIds: new Set(),
  maxInFlight: 0,
  firstAt: undefined,
  lastAt: undefined,
});

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** `latencyMs`: waited before each answer (SQS answers a send in the tens of milliseconds). */
export async function startSqsStandIn(options: { latencyMs?: number } = {}): Promise<SqsStandIn> {
  let record = emptyRecord();
  let inFlight = 0;
  const remember = (body: string) => {
    record.messages++;
    try {
      const pageId = (JSON.parse(body) as { pageId?: unknown }).pageId;
      if (typeof pageId === 'string') record.pageIds.add(pageId);
    } catch {
      // Not a sync work item: counted, not named.
    }
  };
  const server = createServer(async (req, res) => {
    inFlight++;
    record.requests++;
    record.maxInFlight = Math.max(record.maxInFlight, inFlight);
    record.firstAt ??= performance.now();
    try {
      const input = JSON.parse(await readBody(req)) as {
        MessageBody?: string;
        Entries?: Array<{ Id: string; MessageBody: string }>;
      };
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      if (action === 'SendMessage' && typeof input.MessageBody === 'string') {
        remember(input.MessageBody);
        answer(res, 200, { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody) });
      } else if (action === 'SendMessageBatch' && Array.isArray(input.Entries)) {
        for (const entry of input.Entries) remember(entry.MessageBody);
        const successful = input.Entries.map((entry) => ({
          Id: entry.Id,
          MessageId: randomUUID(),
          MD5OfMessageBody: md5(entry.MessageBody),
        }));
        answer(res, 200, { Successful: successful, Failed: [] });
      } else {
        answer(res, 400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `Not here: ${action}` });
      }
    } catch (error: unknown) {
      answer(res, 400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: String(error) });
    } finally {
      record.lastAt = performance.now();
      inFlight--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the SQS stand-in has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get record() {
      return record;
    },
    reset() {
      record = emptyRecord();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
