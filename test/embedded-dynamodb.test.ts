import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, expect, it } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { PageRegistry } from '#lib/store/page-registry.js';

let dynamo: EmbeddedDynamo | undefined;
let folder: string | undefined;
afterEach(async () => {
  await dynamo?.close();
  dynamo = undefined;
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

it("serves the table from a thread of its own, and keeps a folder's data across a restart", async () => {
  // Prepare: dynalite on a worker thread, as `npm start` runs it, over a folder.
  folder = await mkdtemp(join(tmpdir(), 'embedded-thread-'));
  dynamo = await startEmbeddedDynamo({ thread: true, path: folder });
  await ensureTable(dynamo.client, 'pages');
  await new PageRegistry({ client: dynamo.client, tableName: 'pages' }).register({
    pageId: '41',
    token: { kind: 'page-secret' },
  });
  // Act: close it (the thread ends) and start another over the same folder.
  await dynamo.close();
  dynamo = await startEmbeddedDynamo({ thread: true, path: folder });
  const record = await new PageRegistry({ client: dynamo.client, tableName: 'pages' }).get('41');
  // Assess
  expect(record?.pageId).toBe('41');
});

it('says so when its thread cannot listen', async () => {
  // Prepare: the port taken.
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
  const port = (taken.address() as { port: number }).port;
  try {
    // Act + Assess
    await expect(startEmbeddedDynamo({ thread: true, port })).rejects.toThrow(
      /embedded DynamoDB did not start: .*EADDRINUSE/,
    );
  } finally {
    taken.close();
  }
});

it('signs no request to the embedded DynamoDB, and every request to a DynamoDB a user names', async () => {
  // Prepare: a server that records the Authorization header and answers as DynamoDB would.
  const seen: string[] = [];
  const server = createHttpServer((request, response) => {
    seen.push(request.headers.authorization ?? '');
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end('{"TableNames":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const unsigned = createDynamoClient({ endpoint, unsigned: true });
  const signed = createDynamoClient({ endpoint });
  try {
    // Act
    await unsigned.send(new ListTablesCommand({}));
    await signed.send(new ListTablesCommand({}));
    // Assess: the fixed header first (dynalite checks its shape only), then a real signature.
    expect(seen[0]).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/.*Signature=0$/);
    expect(seen[1]).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/local\/dynamodb\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
    );
  } finally {
    unsigned.destroy();
    signed.destroy();
    server.close();
  }
});
