import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEventSink, ConversationChangeDetail } from '#lib/domain/change-event.js';
import type { Conversation } from '#lib/domain/conversation.js';
import { toEventEntry } from '#lib/events/event-entry.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';

/** Revisions and the one event each write of the index emits (Changed, Moved, Removed). */

const PAGE = '3000000000000001';
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
const OTHER = { ...INBOX, folder: 'other' } as const;
const TARGET = { pageId: PAGE, platform: 'messenger' } as const;
const T0 = Date.parse('2026-11-20T10:00:00Z');

const conversation = (n: number, time: string, snippet = 'hi'): Conversation => ({
  id: `t_${n}`,
  updated_time: time,
  snippet,
  participants: { data: [{ id: '5550001', name: 'Ada Lovelace' }] },
});

function recordingSink(
  options: { failing?: boolean } = {},
): ChangeEventSink & { sent: ConversationChangeDetail[] } {
  const sent: ConversationChangeDetail[] = [];
  return {
    sent,
    async publish(details) {
      if (options.failing) throw new Error('the process died before PutEvents');
      sent.push(...details);
      return { undelivered: [] };
    },
  };
}

const typesOf = (details: readonly ConversationChangeDetail[]) =>
  details.map((detail) => [toEventEntry(detail).DetailType, detail.event_id]);

let dynamo: EmbeddedDynamo;
let tableName: string;
let clock: number;
const now = () => new Date(clock);
beforeEach(async () => {
  dynamo = await startEmbeddedDynamo();
  tableName = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  clock = T0;
});
afterEach(async () => {
  await dynamo.close();
});

const indexWith = (sink: ChangeEventSink, at: () => Date = now) =>
  new ConversationIndex(dynamo.client, tableName, { events: sink, now: at });

describe('revisions', () => {
  it('two changes within one Graph second get two event ids; a replay of either gets none', async () => {
    // Prepare
    const sink = recordingSink();
    const index = indexWith(sink);
    const first = conversation(1, '2026-11-20T10:00:00+0000', 'hello');
    const second = conversation(1, '2026-11-20T10:00:00+0000', 'hello again');
    // Act
    await index.write(INBOX, [first]);
    await index.write(INBOX, [second]);
    const replayed = await index.write(INBOX, [second]);
    // Assess
    expect(replayed).toEqual([]);
    expect(sink.sent.map((d) => [d.event_id, d.revision])).toEqual([
      ['t_1@1', 1],
      ['t_1@2', 2],
    ]);
  });

  it('a move is one Moved event with from_folder, never a Changed one, and moves the counters', async () => {
    // Prepare
    const sink = recordingSink();
    const index = indexWith(sink);
    await index.write(INBOX, [
      conversation(1, '2026-11-20T10:00:00+0000'),
      conversation(2, '2026-11-20T10:00:00+0000'),
    ]);
    // Act
    const moved = await index.write(OTHER, [conversation(1, '2026-11-20T10:00:00+0000')]);
    // Assess
    expect(moved.map((c) => [c.kind, c.previousFolder, c.folder, c.revision])).toEqual([
      ['moved', 'inbox', 'other', 2],
    ]);
    expect(typesOf(sink.sent.slice(2))).toEqual([['Conversation Moved', 't_1@2']]);
    expect(sink.sent[2]).toMatchObject({ folder: 'other', from_folder: 'inbox', change: 'updated' });
    expect([await index.count(INBOX), await index.count(OTHER)]).toEqual([1, 1]);
    expect([await index.recount(INBOX), await index.recount(OTHER)]).toEqual([1, 1]);
  });
});

describe('tombstones', () => {
  it('a removal is one Removed event of ids and times, the counter drops, the revision goes on', async () => {
    // Prepare
    const sink = recordingSink();
    const index = indexWith(sink);
    await index.write(INBOX, [
      conversation(1, '2026-11-20T10:00:00+0000'),
      conversation(2, '2026-11-20T10:00:00+0000'),
    ]);
    clock = T0 + 60_000;
    // Act
    const removed = await index.tombstone(TARGET, [{ id: 't_1', revision: 1 }], 'not_listed');
    // Assess
    expect(removed.map((c) => [c.kind, c.revision, c.previousFolder, c.folder])).toEqual([
      ['removed', 2, 'inbox', undefined],
    ]);
    const event = sink.sent.at(-1);
    expect(typesOf([event as ConversationChangeDetail])).toEqual([['Conversation Removed', 't_1@2']]);
    expect(event).toEqual({
      event_id: 't_1@2',
      revision: 2,
      page_id: PAGE,
      platform: 'messenger',
      folder: 'inbox',
      conversation: { id: 't_1', updated_time: '2026-11-20T10:00:00+0000' },
      removed_time: '2026-11-20T10:01:00.000Z',
      reason: 'not_listed',
    });
    expect(JSON.stringify(event)).not.toMatch(/Ada|snippet|participants|5550001/);
    expect([await index.count(INBOX), await index.recount(INBOX)]).toEqual([1, 1]);
    expect((await index.readState(PAGE, 'messenger', ['t_1'])).get('t_1')).toEqual({
      folder: 'inbox',
      updatedTime: '2026-11-20T10:00:00+0000',
      revision: 2,
      writtenAt: T0 + 60_000,
      removed: true,
    });
  });

  it('removes nothing written since the caller read it, nor a tombstone twice', async () => {
    // Prepare: read at revision 1, then the conversation changes (revision 2).
    const sink = recordingSink();
    const index = indexWith(sink);
    await index.write(INBOX, [
      conversation(1, '2026-11-20T10:00:00+0000'),
      conversation(2, '2026-11-20T10:00:00+0000'),
    ]);
    await index.write(INBOX, [conversation(1, '2026-11-20T10:05:00+0000')]);
    await index.tombstone(TARGET, [{ id: 't_2', revision: 1 }], 'erased');
    const sent = sink.sent.length;
    // Act
    const removed = await index.tombstone(
      TARGET,
      [
        { id: 't_1', revision: 1 },
        { id: 't_2', revision: 2 },
        { id: 't_9', revision: 1 },
      ],
      'not_listed',
    );
    // Assess
    expect(removed).toEqual([]);
    expect(sink.sent.length).toBe(sent);
    expect(await index.count(INBOX)).toBe(1);
  });

  it('a tombstone Graph lists again comes back as created, its revision continuing', async () => {
    // Prepare
    const sink = recordingSink();
    const index = indexWith(sink);
    await index.write(INBOX, [conversation(1, '2026-11-20T10:00:00+0000')]);
    await index.tombstone(TARGET, [{ id: 't_1', revision: 1 }], 'not_listed');
    // Act: listed again in another folder, no newer activity; then a stale answer, older than it held.
    const back = await index.write(OTHER, [conversation(1, '2026-11-20T10:00:00+0000')]);
    const stale = await index.write(INBOX, [conversation(1, '2026-11-20T09:00:00+0000')]);
    // Assess
    expect(back.map((c) => [c.kind, c.change, c.revision])).toEqual([['changed', 'created', 3]]);
    expect(stale).toEqual([]);
    expect(sink.sent.at(-1)).toMatchObject({
      event_id: 't_1@3',
      folder: 'other',
      change: 'created',
      previous_updated_time: null,
    });
    expect([await index.count(INBOX), await index.count(OTHER)]).toEqual([0, 1]);
    expect((await index.query({ ...OTHER, updatedSince: new Date(0), limit: 10 })).data).toEqual([
      { ...conversation(1, '2026-11-20T10:00:00+0000'), revision: 3 },
    ]);
  });
});

describe('the outbox keeps every undelivered write', () => {
  it('a writer dies after its write, another writes the same conversation: both revisions go out, each as written', async () => {
    // Prepare: the first writer's events never leave; the item now holds two undelivered writes.
    const dead = indexWith(recordingSink({ failing: true }));
    await dead.write(INBOX, [conversation(1, '2026-11-20T10:00:00+0000', 'one')]);
    await dead.write(OTHER, [conversation(1, '2026-11-20T10:01:00+0000', 'two')]);
    await dead.tombstone(TARGET, [{ id: 't_1', revision: 2 }], 'not_listed');
    const sink = recordingSink();
    clock = T0 + 120_000;
    // Act
    const recovered = await indexWith(sink).emitPendingEvents(PAGE);
    const again = await indexWith(sink).emitPendingEvents(PAGE);
    // Assess
    expect([recovered, again]).toEqual([1, 0]);
    expect(typesOf(sink.sent)).toEqual([
      ['Conversation Changed', 't_1@1'],
      ['Conversation Moved', 't_1@2'],
      ['Conversation Removed', 't_1@3'],
    ]);
    expect(sink.sent.map((d) => ('change' in d ? d.conversation.snippet : d.reason))).toEqual([
      'one',
      'two',
      'not_listed',
    ]);
  });

  it('a write superseded before anything recorded it goes out with ids, time and the names of the fields it lacks', async () => {
    // Prepare: each writer dies before the feed (its DynamoDB refuses the feed's BatchWriteItem), three
    // writes in a row; only the last is still held whole, as the item's doc.
    const noFeed = new Proxy(dynamo.client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: { constructor: { name: string } }) => {
          if (command.constructor.name === 'BatchWriteItemCommand') throw new Error('died before the feed');
          return target.send(command as never);
        };
      },
    });
    const dead = new ConversationIndex(noFeed, tableName, { events: recordingSink(), now });
    await dead.write(INBOX, [conversation(1, '2026-11-20T10:00:00+0000', 'one')]);
    await dead.write(INBOX, [conversation(1, '2026-11-20T10:01:00+0000', 'two')]);
    await dead.write(INBOX, [conversation(1, '2026-11-20T10:02:00+0000', 'three')]);
    const sink = recordingSink();
    clock = T0 + 120_000;
    // Act
    await indexWith(sink).emitPendingEvents(PAGE);
    // Assess
    expect(sink.sent.map((d) => [d.event_id, d.conversation])).toEqual([
      [
        't_1@1',
        {
          id: 't_1',
          updated_time: '2026-11-20T10:00:00+0000',
          truncated_fields: ['snippet', 'participants'],
        },
      ],
      [
        't_1@2',
        {
          id: 't_1',
          updated_time: '2026-11-20T10:01:00+0000',
          truncated_fields: ['snippet', 'participants'],
        },
      ],
      ['t_1@3', conversation(1, '2026-11-20T10:02:00+0000', 'three')],
    ]);
  });
});
