import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation } from '#lib/domain/conversation.js';
import type { EmulatedConversation } from '#lib/local/graph-emulator.js';
import { seedDemoPages } from '#lib/local/graph-emulator.js';
import { instagramAccountOf, type MessagingEvent, metaWebhookBody } from '#lib/local/webhook-demo.js';
import { startWebhookRig, type WebhookRig } from './support/webhook-rig.js';

const PAGE = '1000000000000001';
const OTHER_PAGE = '1000000000000002';
const INDEXED_FIELDS = [
  'id',
  'updated_time',
  'link',
  'snippet',
  'message_count',
  'unread_count',
  'participants',
];

let rig: WebhookRig;
beforeEach(async () => {
  rig = await startWebhookRig({ emulator: { pages: seedDemoPages({ pages: 2, perPartition: 5 }) } });
});
afterEach(async () => {
  await rig.close();
});

function seeded(pageId: string, platform: string, folder: string): EmulatedConversation {
  const conversation = rig.emulator.pages
    .get(pageId)
    ?.conversations.find((c) => c.platform === platform && c.folder === folder);
  if (conversation === undefined) throw new Error('no seeded conversation');
  return conversation;
}

const personOf = (conversation: EmulatedConversation) => conversation.participants.data[0]?.id ?? '';

/** The conversation as the index holds it (Graph's fields the sync asks for). */
function asIndexed(conversation: EmulatedConversation): Conversation {
  const record = conversation as unknown as Record<string, unknown>;
  return Object.fromEntries(
    INDEXED_FIELDS.map((f) => [f, record[f]]).filter(([, v]) => v !== undefined),
  ) as Conversation;
}

/** A person sends a message: Graph's conversation gets newer, and Meta delivers the webhook. */
async function personWrites(
  pageId: string,
  conversation: EmulatedConversation,
  at: Date,
  extra: Partial<MessagingEvent> = {},
) {
  rig.emulator.touch(pageId, [conversation.id], at);
  const body = metaWebhookBody('page', [
    { accountId: pageId, events: [{ personId: personOf(conversation), timestamp: at.getTime(), ...extra }] },
  ]);
  return { body, response: await rig.post(body) };
}

async function indexedSince(
  pageId: string,
  folder: 'inbox' | 'other',
  since: Date,
  platform: 'messenger' | 'instagram' = 'messenger',
) {
  return (await rig.index.query({ pageId, platform, folder, updatedSince: since, limit: 100 })).data;
}

describe('a message webhook refreshes that one conversation', () => {
  it('for a known person in the inbox: updated_since shows the change, one event, one Graph call', async () => {
    // Prepare: the index holds the conversation as the sync left it.
    const conversation = seeded(PAGE, 'messenger', 'inbox');
    const before = conversation.updated_time;
    await rig.index.write({ pageId: PAGE, platform: 'messenger', folder: 'inbox' }, [
      asIndexed(conversation),
    ]);
    const eventsBefore = (await rig.events()).length;
    rig.emulator.resetCalls();
    const at = new Date(Date.now() + 60_000);
    // Act
    const { response } = await personWrites(PAGE, conversation, at);
    await rig.queue.idle();
    // Assess
    expect(response.statusCode).toBe(200);
    const changed = await indexedSince(PAGE, 'inbox', new Date(at.getTime() - 1000));
    expect(changed.map((c) => [c.id, c.updated_time])).toEqual([
      [conversation.id, conversation.updated_time],
    ]);
    const events = (await rig.events()).slice(eventsBefore);
    expect(events).toEqual([
      expect.objectContaining({
        event_id: `${conversation.id}@2`,
        revision: 2,
        page_id: PAGE,
        platform: 'messenger',
        folder: 'inbox',
        change: 'updated',
        previous_updated_time: before,
      }),
    ]);
    const calls = rig.conversationCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params).toMatchObject({
      platform: 'MESSENGER',
      folder: 'inbox',
      user_id: personOf(conversation),
    });
  });

  it('searches folder by folder until found: one call per folder searched, a created event', async () => {
    // Prepare
    const conversation = seeded(PAGE, 'messenger', 'other');
    rig.emulator.resetCalls();
    // Act
    await personWrites(PAGE, conversation, new Date(Date.now() + 60_000));
    await rig.queue.idle();
    // Assess
    expect(rig.conversationCalls().map((call) => call.params.folder)).toEqual(['inbox', 'other']);
    const events = await rig.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ folder: 'other', change: 'created', previous_updated_time: null });
    expect(await rig.index.count({ pageId: PAGE, platform: 'messenger', folder: 'other' })).toBe(1);
  });

  it('a duplicate delivery emits no second event and makes no second refresh', async () => {
    // Prepare
    const conversation = seeded(PAGE, 'messenger', 'inbox');
    const { body } = await personWrites(PAGE, conversation, new Date(Date.now() + 60_000));
    await rig.queue.idle();
    const callsAfterFirst = rig.conversationCalls().length;
    // Act: Meta delivers the same body again.
    const again = await rig.post(body);
    await rig.queue.idle();
    // Assess
    expect(again.statusCode).toBe(200);
    expect(await rig.events()).toHaveLength(1);
    expect(rig.conversationCalls()).toHaveLength(callsAfterFirst);
    expect(rig.outcomes.at(-1)).toEqual({ status: 'covered' });
  });

  it('100 deliveries for one conversation within a second: one refresh in flight per folder, one event per real change', async () => {
    // Prepare
    const conversation = seeded(PAGE, 'messenger', 'inbox');
    const start = Date.now() + 60_000;
    // Act: each message moves Graph's conversation and is delivered at once, all within a second.
    const answers = [];
    for (let i = 0; i < 100; i++) {
      answers.push((await personWrites(PAGE, conversation, new Date(start + i * 10))).response);
      // Spread over a second of real time, so that deliveries arrive while refreshes are in flight.
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
    await rig.queue.idle();
    // Assess
    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(Math.max(...rig.maxInFlight.values())).toBe(1);
    const refreshes = rig.outcomes.filter((outcome) => outcome.status === 'refreshed');
    expect(refreshes.length).toBeLessThan(100);
    const events = await rig.events();
    // No change is announced twice. (Two changes within one second of Graph's time share an event_id,
    // `<id>@<updated_time>`: each is still announced once, with its own content.)
    const distinct = new Set(events.map((event) => JSON.stringify(event)));
    expect(distinct.size).toBe(events.length);
    // Every event is a real change, each newer than the one before, and the last is Graph's state.
    const changes = refreshes.reduce(
      (sum, outcome) => sum + (outcome.status === 'refreshed' ? outcome.changed : 0),
      0,
    );
    expect(events).toHaveLength(changes);
    expect(events.at(-1)?.conversation).toEqual(asIndexed(conversation));
    expect(
      events
        .slice(1)
        .every(
          (event, i) =>
            'change' in event && event.previous_updated_time === events[i]?.conversation.updated_time,
        ),
    ).toBe(true);
  });

  it('a batch with several Pages and an echo refreshes each conversation once', async () => {
    // Prepare
    const first = seeded(PAGE, 'messenger', 'inbox');
    const second = seeded(OTHER_PAGE, 'messenger', 'inbox');
    const at = new Date(Date.now() + 60_000);
    rig.emulator.touch(PAGE, [first.id], at);
    rig.emulator.touch(OTHER_PAGE, [second.id], at);
    const body = metaWebhookBody('page', [
      { accountId: PAGE, events: [{ personId: personOf(first), timestamp: at.getTime() }] },
      {
        accountId: OTHER_PAGE,
        events: [{ personId: personOf(second), timestamp: at.getTime(), echo: true }],
      },
    ]);
    // Act
    const response = await rig.post(body);
    await rig.queue.idle();
    // Assess
    expect(response.statusCode).toBe(200);
    const events = await rig.events();
    expect(events.map((event) => `${event.page_id}/${event.conversation.id}`).sort()).toEqual(
      [`${PAGE}/${first.id}`, `${OTHER_PAGE}/${second.id}`].sort(),
    );
    expect(rig.conversationCalls(PAGE)).toHaveLength(1);
    expect(rig.conversationCalls(OTHER_PAGE)).toHaveLength(1);
  });

  it('an Instagram webhook reaches its Page through the account id', async () => {
    // Prepare
    const conversation = seeded(PAGE, 'instagram', 'inbox');
    const account = instagramAccountOf(rig.emulator, PAGE) ?? '';
    const at = new Date(Date.now() + 60_000);
    rig.emulator.touch(PAGE, [conversation.id], at);
    const body = metaWebhookBody('instagram', [
      { accountId: account, events: [{ personId: personOf(conversation), timestamp: at.getTime() }] },
    ]);
    // Act
    const response = await rig.post(body);
    await rig.queue.idle();
    // Assess
    expect(response.statusCode).toBe(200);
    expect(rig.conversationCalls(PAGE).map((call) => call.params.platform)).toEqual(['INSTAGRAM']);
    expect(
      (await indexedSince(PAGE, 'inbox', new Date(at.getTime() - 1000), 'instagram')).map((c) => c.id),
    ).toEqual([conversation.id]);
    expect(await rig.events()).toEqual([expect.objectContaining({ platform: 'instagram', page_id: PAGE })]);
  });

  it.each([
    ['an unknown Page', 'page', '1999999999999999'],
    ['an unknown Instagram account', 'instagram', '17841499999999999'],
  ] as const)('%s: 200 and no Graph call', async (_, object, accountId) => {
    // Prepare
    const body = metaWebhookBody(object, [
      { accountId, events: [{ personId: '2000000000000001', timestamp: Date.now() }] },
    ]);
    // Act
    const response = await rig.post(body);
    await rig.queue.idle();
    // Assess
    expect(response.statusCode).toBe(200);
    expect(rig.conversationCalls()).toHaveLength(0);
    expect(rig.outcomes).toEqual([expect.objectContaining({ status: 'ignored' })]);
  });

  it('a throttled Page: the refresh waits for the back-off, then lands', async () => {
    // Prepare: Graph throttled the page until shortly from now.
    const conversation = seeded(PAGE, 'messenger', 'inbox');
    const until = new Date(Date.now() + 1_200);
    await rig.backoff.record(PAGE, until, new Date());
    // Act
    await personWrites(PAGE, conversation, new Date(Date.now() + 60_000));
    await rig.queue.idle();
    // Assess
    expect(rig.outcomes[0]).toMatchObject({ status: 'deferred' });
    expect(rig.outcomes.at(-1)).toMatchObject({ status: 'refreshed', changed: 1, graphCalls: 1 });
    expect(rig.conversationCalls()).toHaveLength(1);
    expect(rig.emulator.calls.every((call) => call.at.getTime() >= until.getTime())).toBe(true);
    expect(await rig.events()).toHaveLength(1);
  });
});
