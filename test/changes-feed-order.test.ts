import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChangesBatch, listChanges } from '#lib/conversations/list-changes.js';
import type { ChangeEventSink } from '#lib/domain/change-event.js';
import type { Conversation } from '#lib/domain/conversation.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { PageRegistry } from '#lib/store/page-registry.js';

/**
 * The changes feed's order across containers: writers are ConversationIndex instances (one per
 * container) with their own clocks, interleaved step by step by gates on their DynamoDB calls; the
 * reader walks the feed with its cursor and must never show a change twice nor skip one.
 */

const PAGE = '3000000000000001';
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const SETTLE_MS = 10_000;

const conversation = (n: number, second: number): Conversation => ({
  id: `t_${n}`,
  updated_time: new Date(T0 + second * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000'),
});

const NO_EVENTS: ChangeEventSink = { publish: async () => ({ undelivered: [] }) };

/** A promise the test resolves when it lets a held call go on. */
function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** A container's DynamoDB client: its writes of feed records wait for `hold`, or fail with `fail`. */
function containerClient(
  client: DynamoDBClient,
  feedPut: { hold?: Promise<void>; fail?: boolean } = {},
): DynamoDBClient & { feedPutsSeen: number } {
  const state = { feedPutsSeen: 0 };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'feedPutsSeen') return state.feedPutsSeen;
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { constructor: { name: string }; input: { RequestItems?: object } }) => {
        const isFeedPut =
          command.constructor.name === 'BatchWriteItemCommand' &&
          JSON.stringify(command.input.RequestItems).includes('"CHANGES#');
        if (isFeedPut) {
          state.feedPutsSeen += 1;
          if (feedPut.fail) throw new Error('the container died before recording its write');
          await feedPut.hold;
        }
        return target.send(command as never);
      };
    },
  }) as DynamoDBClient & { feedPutsSeen: number };
}

let dynamo: EmbeddedDynamo;
let tableName: string;
/** The one true time; each container reads it through its own skew. */
let base: number;
let registry: PageRegistry;
beforeEach(async () => {
  dynamo = await startEmbeddedDynamo();
  tableName = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  base = T0;
  registry = new PageRegistry({ client: dynamo.client, tableName });
  await registry.register({ pageId: PAGE, token: { kind: 'page-secret' } });
});
afterEach(async () => {
  await dynamo.close();
});

function container(client: DynamoDBClient = dynamo.client, skewMs = 0): ConversationIndex {
  return new ConversationIndex(client, tableName, {
    events: NO_EVENTS,
    now: () => new Date(base + skewMs),
    feedSettleMs: SETTLE_MS,
  });
}

/** A reader that keeps its cursor between polls, as a consumer would. */
function reader() {
  const index = container();
  let after: string | undefined;
  const seen: string[] = [];
  return {
    seen,
    async poll(): Promise<ChangesBatch> {
      const batch = await listChanges({ feed: index.feed, registry }, { pageId: PAGE, limit: 2, after });
      after = batch.after;
      seen.push(...batch.data.map((change) => change.event_id));
      return batch;
    },
    async drain(): Promise<void> {
      while ((await this.poll()).hasMore) {}
    },
  };
}

describe('the changes feed across containers', () => {
  it('holds back a later write until an earlier one still unrecorded is recorded, then shows both in order', async () => {
    // Prepare: container A's index write lands, its feed record is held; B writes after it, whole.
    const held = gate();
    const a = container(containerClient(dynamo.client, { hold: held.wait }));
    const b = container();
    const walking = reader();
    const aWriting = a.write(INBOX, [conversation(1, 0)]);
    while ((await a.count(INBOX)) === 0) await new Promise((resolve) => setImmediate(resolve));
    base += 100;
    await b.write(INBOX, [conversation(2, 1)]);
    base += 20_000;
    // Act
    const before = await walking.poll();
    held.open();
    await aWriting;
    await walking.drain();
    // Assess
    expect(before.data).toEqual([]);
    expect(walking.seen).toEqual(['t_1@1', 't_2@1']);
  });

  it('shows a write from a clock behind by less than the settle time, after what it precedes in no read', async () => {
    // Prepare: the reader has read up to now - settle; C's clock runs 9 s behind.
    const walking = reader();
    await container().write(INBOX, [conversation(1, 0)]);
    base += 20_000;
    await walking.drain();
    const c = container(dynamo.client, -9_000);
    // Act: C writes now, stamped 9 s in the past but still above what the reader has passed.
    await c.write(INBOX, [conversation(2, 30)]);
    await walking.drain();
    base += 20_000;
    await walking.drain();
    // Assess
    expect(walking.seen).toEqual(['t_1@1', 't_2@1']);
  });

  it('never passes a container that died between its index write and its record until recovery records it', async () => {
    // Prepare: D writes and dies before recording; E goes on writing later changes.
    const dying = containerClient(dynamo.client, { fail: true });
    await container(dying).write(INBOX, [conversation(1, 0)]);
    const e = container();
    base += 1_000;
    await e.write(INBOX, [conversation(2, 1), conversation(3, 2)]);
    base += 60_000;
    await e.write(INBOX, [conversation(4, 3)]);
    base += 60_000;
    const walking = reader();
    // Act
    await walking.drain();
    const whileDead = [...walking.seen];
    const recovered = await container().emitPendingEvents(PAGE);
    await walking.drain();
    // Assess
    expect(dying.feedPutsSeen).toBe(1);
    expect(whileDead).toEqual([]);
    expect(recovered).toBe(1);
    expect(walking.seen).toEqual(['t_1@1', 't_2@1', 't_3@1', 't_4@1']);
  });

  it('walks many writes of several containers once each, in write order, whatever the page size', async () => {
    // Prepare: three containers take turns, each batch of writes a step later.
    const containers = [container(), container(), container()];
    const written: string[] = [];
    for (let step = 0; step < 12; step++) {
      const id = step % 5;
      const index = containers[step % 3] as ConversationIndex;
      const changes = await index.write(INBOX, [conversation(id, step)]);
      written.push(...changes.map((change) => `${change.conversation.id}@${change.revision}`));
      base += 7;
    }
    base += SETTLE_MS + 1;
    const walking = reader();
    // Act
    await walking.drain();
    await walking.drain();
    // Assess
    expect(walking.seen).toEqual(written);
    expect(new Set(walking.seen).size).toBe(12);
  });
});
