import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Change, createPageConversationsClient, isApiError } from '#lib/client/index.js';
import type { Conversation } from '#lib/domain/conversation.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { type Harness, startHarness } from './support/harness.js';

/** `GET /pages/{pageId}/changes` over HTTP and through the typed client, with an injected clock. */

const PAGE = '2000000000000001';
const OTHER_PAGE = '2000000000000002';
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 86_400_000;

const at = (second: number): string =>
  new Date(T0 + second * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
const conversation = (n: number, second: number, snippet = 'hi'): Conversation => ({
  id: `t_${n}`,
  updated_time: at(second),
  snippet,
});

interface Answer {
  data: Array<Record<string, unknown> & { event_id: string; detail_type: string }>;
  paging: { cursors: { after: string }; next?: string };
}

let harness: Harness;
let clock: number;
beforeEach(async () => {
  clock = T0;
  harness = await startHarness({
    emulator: {
      pages: [PAGE, OTHER_PAGE].map((id) => seedPage(id, { perPartition: 0, now: new Date(T0) })),
    },
    registered: true,
    now: () => new Date(clock),
    env: { CHANGES_DAYS: '3' },
  });
});
afterEach(async () => {
  await harness.close();
});

const changes = async (query = '', pageId = PAGE) => {
  const answer = await harness.call(`/pages/${pageId}/changes${query}`);
  return { status: answer.status, body: answer.body as Answer };
};
const idsOf = (answer: Answer) => answer.data.map((change) => change.event_id);
/** The harness's own index: the container the API and the sync share in these tests. */
const index = () => harness.services.sync.index;

async function failure(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('the changes feed over HTTP', () => {
  it('lists every write in order with its DetailType once it has settled, paging by after', async () => {
    // Prepare: created, updated twice within one second, moved, removed; a millisecond apart.
    const step = () => {
      clock += 1;
    };
    await index().write(INBOX, [conversation(1, 0)]);
    step();
    await index().write(INBOX, [conversation(2, 1)]);
    step();
    await index().write(INBOX, [conversation(1, 2, 'again')]);
    step();
    await index().write(INBOX, [conversation(1, 2, 'and again')]);
    step();
    await index().write({ ...INBOX, folder: 'other' }, [conversation(2, 1)]);
    step();
    await index().tombstone(
      { pageId: PAGE, platform: 'messenger' },
      [{ id: 't_1', revision: 3 }],
      'not_listed',
    );
    const early = await changes();
    clock += 11_000;
    // Act
    const first = await changes('?limit=2');
    const url = new URL(first.body.paging.next as string);
    const second = await harness.call(url.pathname + url.search);
    const third = await changes(`?after=${(second.body as Answer).paging.cursors.after}`);
    // Assess
    expect(early.status).toBe(200);
    expect(early.body.data).toEqual([]);
    expect(idsOf(first.body)).toEqual(['t_1@1', 't_2@1']);
    expect(idsOf(second.body as Answer)).toEqual(['t_1@2', 't_1@3']);
    expect((third.body.data as Answer['data']).map((c) => [c.event_id, c.detail_type])).toEqual([
      ['t_2@2', 'Conversation Moved'],
      ['t_1@4', 'Conversation Removed'],
    ]);
    expect(third.body.paging.next).toBeUndefined();
    expect(third.body.paging.cursors.after).toEqual(expect.any(String));
  });

  it('the typed client walks it as an async iterator and resumes from the cursor it returned', async () => {
    // Prepare
    const client = createPageConversationsClient({ baseUrl: harness.api.url, auth: { type: 'none' } });
    await index().write(
      INBOX,
      [1, 2, 3, 4, 5].map((n) => conversation(n, n)),
    );
    clock += 11_000;
    const walk = async (after?: string) => {
      const seen: Change[] = [];
      const iterator = client.changes(PAGE, { limit: 2, ...(after === undefined ? {} : { after }) });
      for (;;) {
        const step = await iterator.next();
        if (step.done === true) return { seen: seen.map((c) => c.event_id), cursor: step.value };
        seen.push(step.value);
      }
    };
    // Act
    const first = await walk();
    await index().write(INBOX, [conversation(6, 6)]);
    clock += 11_000;
    const second = await walk(first.cursor);
    const idle = await walk(second.cursor);
    // Assess
    expect(first.seen).toEqual(['t_1@1', 't_2@1', 't_3@1', 't_4@1', 't_5@1']);
    expect(second.seen).toEqual(['t_6@1']);
    expect(idle.seen).toEqual([]);
  });

  it('does not pass a container that died before recording its write until recovery records it', async () => {
    // Prepare: another container writes t_1 and dies before its feed record; this one writes t_2 later.
    const client = harness.dynamo.client;
    const dying = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: { constructor: { name: string } }) => {
          if (command.constructor.name === 'BatchWriteItemCommand') throw new Error('the container died');
          return target.send(command as never);
        };
      },
    }) as DynamoDBClient;
    const events = { publish: async () => ({ undelivered: [] }) };
    await new ConversationIndex(client, harness.tableName, { events, now: () => new Date(clock) }).write(
      INBOX,
      [],
    );
    await new ConversationIndex(dying, harness.tableName, { events, now: () => new Date(clock) }).write(
      INBOX,
      [conversation(1, 0)],
    );
    clock += 1_000;
    await index().write(INBOX, [conversation(2, 1)]);
    clock += 60_000;
    // Act
    const whileDead = await changes();
    const recovered = await index().emitPendingEvents(PAGE);
    const after = await changes(`?after=${whileDead.body.paging.cursors.after}`);
    // Assess
    expect(whileDead.body.data).toEqual([]);
    expect(recovered).toBe(1);
    expect(idsOf(after.body)).toEqual(['t_1@1', 't_2@1']);
  });

  it('refuses a cursor older than CHANGES_DAYS, saying to re-read from updated_since', async () => {
    // Prepare
    await index().write(INBOX, [conversation(1, 0)]);
    clock += 11_000;
    const { body } = await changes();
    clock += 3 * DAY;
    // Act
    const stale = await changes(`?after=${body.paging.cursors.after}`);
    const fresh = await changes();
    // Assess
    expect(stale.status).toBe(400);
    expect(stale.body).toMatchObject({
      error: { code: 'invalid_cursor', message: expect.stringMatching(/CHANGES_DAYS.*updated_since/) },
    });
    expect(fresh.status).toBe(200);
  });

  it('a cursor that keeps polling an idle Page never ages out', async () => {
    // Prepare
    let { body } = await changes();
    // Act: poll once a day for a week, nothing written.
    for (let day = 0; day < 7; day++) {
      clock += DAY;
      ({ body } = await changes(`?after=${body.paging.cursors.after}`));
    }
    // Assess
    expect(body.data).toEqual([]);
    expect(body.paging.cursors.after).toEqual(expect.any(String));
  });

  it.each([
    ['of another Page', async () => (await changes('', OTHER_PAGE)).body.paging.cursors.after],
    ['made up', async () => 'c1.bm90IGEgY3Vyc29y'],
    ['not base64url JSON', async () => 'c1.~~~'],
  ])('a cursor %s is 400 invalid_cursor', async (_, cursorOf) => {
    // Act
    const answer = await changes(`?after=${await cursorOf()}`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_cursor' } });
  });

  it('answers 400 for a limit out of range, and 404 for a Page the registry does not hold', async () => {
    // Prepare
    await harness.services.registry.remove(OTHER_PAGE);
    const client = createPageConversationsClient({ baseUrl: harness.api.url, auth: { type: 'none' } });
    // Act
    const limit = await changes('?limit=101');
    const unknown = await failure(() => client.listChanges(OTHER_PAGE));
    // Assess
    expect(limit.status).toBe(400);
    expect(limit.body).toMatchObject({ error: { code: 'invalid_request', parameter: 'limit' } });
    expect(isApiError(unknown) && unknown.status === 404 && unknown.code).toBe('unknown_page');
  });
});
