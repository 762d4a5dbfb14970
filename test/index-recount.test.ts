import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation } from '#lib/domain/conversation.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { IndexCounters } from '#lib/store/index-counters.js';
import { TABLE_KEYS } from '#lib/store/table-schema.js';

const PAGE = '3000000000000001';
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
const conversation = (n: number): Conversation => ({
  id: `t_${n}`,
  updated_time: `2026-11-20T10:${String(n).padStart(2, '0')}:00+0000`,
});
const conversations = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => conversation(from + i));

let dynamo: EmbeddedDynamo;
let tableName: string;
beforeEach(async () => {
  dynamo = await startEmbeddedDynamo();
  tableName = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
});
afterEach(async () => {
  await dynamo.close();
});

/** A client that runs `meanwhile` once, right after its first COUNT query answered: a writer racing the recount. */
function racedClient(meanwhile: () => Promise<unknown>): DynamoDBClient {
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  let raced = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const select = (args.input as { Select?: string }).Select;
      if (context.commandName === 'QueryCommand' && select === 'COUNT' && !raced) {
        raced = true;
        await meanwhile();
      }
      return result;
    },
    { step: 'initialize', name: 'racingWriter' },
  );
  return client;
}

describe('recount', () => {
  it.each([
    ['short of conversations a dead writer left uncounted', 2],
    ['over (a counter set by hand)', 40],
    ['absent (the writer died before its first count)', undefined],
  ])('brings a counter that is %s to what the folder holds', async (_case, counter) => {
    // Prepare
    const index = new ConversationIndex(dynamo.client, tableName);
    await index.upsert(INBOX, conversations(1, 7));
    const counters = new IndexCounters(dynamo.client, tableName);
    if (counter === undefined) await dynamo.client.send(deleteCounter());
    else await counters.set(PAGE, 'messenger', 'inbox', counter);
    // Act
    const recounted = await index.recount(INBOX);
    // Assess
    expect(recounted).toBe(7);
    expect(await index.count(INBOX)).toBe(7);
  });

  it('counts again when a writer moved the counter while the folder was being counted', async () => {
    // Prepare: five conversations, a counter left short, and a writer that lands one more conversation
    // (after the count passed it) and its +1 (before the reset) in the middle of the recount.
    const writer = new ConversationIndex(dynamo.client, tableName);
    await writer.upsert(INBOX, conversations(1, 5));
    await new IndexCounters(dynamo.client, tableName).set(PAGE, 'messenger', 'inbox', 2);
    const client = racedClient(() => writer.upsert(INBOX, [conversation(6)]));
    const recounting = new ConversationIndex(client, tableName);
    // Act
    const recounted = await recounting.recount(INBOX);
    // Assess: a reset without its condition would have set 5 over the writer's +1.
    expect(recounted).toBe(6);
    expect(await writer.count(INBOX)).toBe(6);
    client.destroy();
  });
});

function deleteCounter() {
  // The counter item's key as `index-counters.ts` writes it.
  return new DeleteItemCommand({
    TableName: tableName,
    Key: {
      [TABLE_KEYS.partitionKey]: { S: `PAGE#${PAGE}` },
      [TABLE_KEYS.sortKey]: { S: 'COUNT#messenger#inbox' },
    },
  });
}
