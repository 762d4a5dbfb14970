import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEventSink, ConversationChangeDetail } from '#lib/domain/change-event.js';
import type { Conversation } from '#lib/domain/conversation.js';
import { MAX_ENTRY_BYTES, toEventEntry } from '#lib/events/event-entry.js';
import { EventBridgeSink } from '#lib/events/eventbridge-sink.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';

const PAGE = '3000000000000001';
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
const OTHER = { ...INBOX, folder: 'other' } as const;
const conversation = (n: number, time: string, snippet = 'hi'): Conversation => ({
  id: `t_${n}`,
  updated_time: time,
  snippet,
});

/** A sink that keeps what it is given; `failing` makes it die as a killed process would, before sending. */
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

const later = () => new Date(Date.now() + 120_000);

describe('change events from index writes', () => {
  it('a first write emits one created event per conversation; a replay emits nothing', async () => {
    // Prepare
    const sink = recordingSink();
    const index = new ConversationIndex(dynamo.client, tableName, { events: sink });
    const page = [conversation(1, '2026-11-20T10:00:00+0000'), conversation(2, '2026-11-20T09:00:00+0000')];
    // Act
    const first = await index.upsert(INBOX, page);
    const replay = await index.upsert(INBOX, page);
    // Assess
    expect([first, replay]).toEqual([2, 0]);
    expect(sink.sent).toEqual([
      expect.objectContaining({
        event_id: 't_1@1',
        revision: 1,
        change: 'created',
        previous_updated_time: null,
      }),
      expect.objectContaining({
        event_id: 't_2@1',
        revision: 1,
        change: 'created',
        previous_updated_time: null,
      }),
    ]);
    expect(await index.emitPendingEvents(PAGE)).toBe(0);
  });

  it('an update names the time held before; an older answer changes nothing and emits nothing', async () => {
    // Prepare
    const sink = recordingSink();
    const index = new ConversationIndex(dynamo.client, tableName, { events: sink });
    await index.upsert(INBOX, [conversation(1, '2026-11-20T10:00:00+0000')]);
    // Act
    await index.upsert(INBOX, [conversation(1, '2026-11-20T11:00:00+0000', 'new')]);
    const stale = await index.upsert(INBOX, [conversation(1, '2026-11-20T10:30:00+0000', 'stale')]);
    // Assess
    expect(stale).toBe(0);
    expect(sink.sent.at(-1)).toMatchObject({
      event_id: 't_1@2',
      change: 'updated',
      previous_updated_time: '2026-11-20T10:00:00+0000',
    });
    expect(sink.sent).toHaveLength(2);
  });

  it('a run killed between the index write and its event: recovery emits it, with the same event_id', async () => {
    // Prepare: the write lands, the process dies before PutEvents.
    const dead = new ConversationIndex(dynamo.client, tableName, {
      events: recordingSink({ failing: true }),
    });
    await dead.upsert(INBOX, [conversation(1, '2026-11-20T10:00:00+0000')]);
    const sink = recordingSink();
    const recovering = new ConversationIndex(dynamo.client, tableName, { events: sink, now: later });
    // Act
    const recovered = await recovering.emitPendingEvents(PAGE);
    const again = await recovering.emitPendingEvents(PAGE);
    // Assess
    expect([recovered, again]).toEqual([1, 0]);
    expect(sink.sent).toEqual([
      expect.objectContaining({
        event_id: 't_1@1',
        change: 'created',
        folder: 'inbox',
      }),
    ]);
  });

  it('a change written again before its event went out: both writes are delivered, in order', async () => {
    // Prepare
    const dead = new ConversationIndex(dynamo.client, tableName, {
      events: recordingSink({ failing: true }),
    });
    await dead.upsert(INBOX, [conversation(1, '2026-11-20T10:00:00+0000')]);
    const sink = recordingSink();
    const next = new ConversationIndex(dynamo.client, tableName, { events: sink, now: later });
    // Act
    await next.upsert(INBOX, [conversation(1, '2026-11-20T10:05:00+0000')]);
    const recovered = await next.emitPendingEvents(PAGE);
    // Assess: the second writer delivered the first write too (it held both), recovery finds nothing.
    expect(recovered).toBe(0);
    expect(sink.sent).toEqual([
      expect.objectContaining({ event_id: 't_1@1', change: 'created', previous_updated_time: null }),
      expect.objectContaining({
        event_id: 't_1@2',
        change: 'updated',
        previous_updated_time: '2026-11-20T10:00:00+0000',
        conversation: expect.objectContaining({ updated_time: '2026-11-20T10:05:00+0000' }),
      }),
    ]);
  });

  it('recovery leaves a fresh pending change to the writer that is about to deliver it', async () => {
    // Prepare
    const dead = new ConversationIndex(dynamo.client, tableName, {
      events: recordingSink({ failing: true }),
    });
    await dead.upsert(INBOX, [conversation(1, '2026-11-20T10:00:00+0000')]);
    const sink = recordingSink();
    const now = new ConversationIndex(dynamo.client, tableName, { events: sink });
    // Act
    const recovered = await now.emitPendingEvents(PAGE);
    // Assess
    expect(recovered).toBe(0);
    expect(sink.sent).toEqual([]);
  });
});

describe('folder counts kept by the writes', () => {
  it('count follows creations and moves without scanning the folder, and agrees with a recount', async () => {
    // Prepare
    const index = new ConversationIndex(dynamo.client, tableName);
    await index.upsert(
      INBOX,
      [1, 2, 3].map((n) => conversation(n, '2026-11-20T10:00:00+0000')),
    );
    // Act: one moves to other (same time, new folder), one is replayed, one is new in other.
    await index.upsert(OTHER, [
      conversation(2, '2026-11-20T10:00:00+0000'),
      conversation(4, '2026-11-20T10:00:00+0000'),
    ]);
    await index.upsert(INBOX, [conversation(1, '2026-11-20T10:00:00+0000')]);
    // Assess
    const counts = [await index.count(INBOX), await index.count(OTHER)];
    expect(counts).toEqual([2, 2]);
    expect([await index.recount(INBOX), await index.recount(OTHER)]).toEqual(counts);
  });
});

describe('PutEvents entries', () => {
  const detail = (n: number, conversationFields: Record<string, unknown> = {}): ConversationChangeDetail => ({
    event_id: `t_${n}@1`,
    revision: 1,
    page_id: PAGE,
    platform: 'messenger',
    folder: 'inbox',
    change: 'created',
    previous_updated_time: null,
    conversation: { id: `t_${n}`, updated_time: '2026-11-20T10:00:00+0000', ...conversationFields },
  });

  it('cuts the largest fields of a conversation too large for an event, keeping id and time', () => {
    // Prepare
    const huge = detail(1, { participants: { data: ['x'.repeat(300_000)] }, snippet: 'short' });
    // Act
    const entry = toEventEntry(huge, 'bus');
    // Assess
    const parsed = JSON.parse(entry.Detail) as ConversationChangeDetail;
    expect(Buffer.byteLength(entry.Detail)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(parsed.conversation).toEqual({
      id: 't_1',
      updated_time: '2026-11-20T10:00:00+0000',
      snippet: 'short',
      truncated_fields: ['participants'],
    });
    expect(entry).toMatchObject({
      Source: 'page-conversations',
      DetailType: 'Conversation Changed',
      EventBusName: 'bus',
    });
  });

  it('sends batches of at most 10 and retries only the entries EventBridge failed', async () => {
    // Prepare: EventBridge fails the third entry of the first request once.
    const requests: string[][] = [];
    const client = {
      async send(command: { input: { Entries?: Array<{ Detail?: string }> } }) {
        const ids = (command.input.Entries ?? []).map(
          (e) => (JSON.parse(e.Detail ?? '{}') as { event_id: string }).event_id,
        );
        requests.push(ids);
        return {
          FailedEntryCount: requests.length === 1 ? 1 : 0,
          Entries: ids.map((_, i) =>
            requests.length === 1 && i === 2 ? { ErrorCode: 'InternalFailure' } : { EventId: 'e' },
          ),
        };
      },
    } as unknown as Pick<EventBridgeClient, 'send'>;
    const sink = new EventBridgeSink({ client, eventBusName: 'bus', sleep: async () => {} });
    // Act
    const result = await sink.publish(Array.from({ length: 12 }, (_, i) => detail(i)));
    // Assess
    expect(result.undelivered).toEqual([]);
    expect(requests.map((ids) => ids.length)).toEqual([10, 2, 1]);
    expect(requests[2]).toEqual([detail(2).event_id]);
  });
});
