import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation } from '#lib/domain/conversation.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import type { ConversationIndex } from '#lib/store/conversation-index.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * Tombstones over HTTP: `updated_since` leaves them out, `include_removed=true` merges them in by
 * their removal time, with cursors both ways, until TOMBSTONE_DAYS have passed (checked on read).
 */

const PAGE = '2000000000000001';
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 86_400_000;

const at = (second: number): string =>
  new Date(T0 + second * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
const conversation = (n: number, second: number): Conversation => ({
  id: `t_${n}`,
  updated_time: at(second),
  snippet: `message ${n}`,
});

interface Answer {
  data: Array<Record<string, unknown>>;
  paging?: { cursors: { before?: string; after?: string }; next?: string; previous?: string };
}

let harness: Harness;
let clock: number;
let index: ConversationIndex;
beforeEach(async () => {
  clock = T0;
  harness = await startHarness({
    emulator: { pages: [seedPage(PAGE, { perPartition: 0, now: new Date(T0) })] },
    registered: true,
    now: () => new Date(clock),
    env: { TOMBSTONE_DAYS: '2' },
  });
  index = harness.services.sync.index;
});
afterEach(async () => {
  await harness.close();
});

const since = encodeURIComponent(new Date(T0 - 3_600_000).toISOString());
const get = async (query: string) => {
  const answer = await harness.call(`/pages/${PAGE}/conversations?updated_since=${since}&${query}`);
  return { status: answer.status, body: answer.body as Answer };
};
const follow = async (link: string | undefined) => {
  const url = new URL(link as string);
  return (await harness.call(url.pathname + url.search)).body as Answer;
};
const idsOf = (answer: Answer) =>
  answer.data.map((item) => (item.removed === true ? `-${item.id}` : item.id));

/** Five live conversations at seconds 10..50, and three removed at +60 s, +120 s, +180 s. */
async function prepareFolder(): Promise<void> {
  await index.write(
    INBOX,
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => conversation(n, n * 10)),
  );
  for (const [n, minutes] of [
    [6, 1],
    [7, 2],
    [8, 3],
  ] as const) {
    clock = T0 + minutes * 60_000;
    await index.tombstone(
      { pageId: PAGE, platform: 'messenger' },
      [{ id: `t_${n}`, revision: 1 }],
      'not_listed',
    );
  }
}

describe('updated_since and tombstones', () => {
  it('leaves tombstones out, and each item carries its revision', async () => {
    // Prepare
    await prepareFolder();
    // Act
    const { status, body } = await get('fields=id,updated_time');
    // Assess
    expect(status).toBe(200);
    expect(body.data).toEqual(
      [5, 4, 3, 2, 1].map((n) => ({ id: `t_${n}`, updated_time: at(n * 10), revision: 1 })),
    );
  });

  it('with include_removed=true, merges them in by removal time, as ids and times only', async () => {
    // Prepare
    await prepareFolder();
    // Act
    const { status, body } = await get('include_removed=true');
    // Assess
    expect(status).toBe(200);
    expect(idsOf(body)).toEqual(['-t_8', '-t_7', '-t_6', 't_5', 't_4', 't_3', 't_2', 't_1']);
    expect(body.data[0]).toEqual({
      id: 't_8',
      updated_time: at(80),
      revision: 2,
      removed: true,
      removed_time: new Date(T0 + 180_000).toISOString(),
      reason: 'not_listed',
    });
  });

  it('pages through both lists with after and back with before, neither repeating nor skipping', async () => {
    // Prepare: interleave: a conversation updated after the removals.
    await prepareFolder();
    clock = T0 + 10 * 60_000;
    await index.write(INBOX, [conversation(9, 150)]);
    // Act
    const pages: Answer[] = [(await get('include_removed=true&limit=3')).body];
    while (pages.at(-1)?.paging?.next !== undefined) pages.push(await follow(pages.at(-1)?.paging?.next));
    // A full last page still offers `next` (DynamoDB cannot tell there is no more): it leads to none.
    const shown = pages.filter((page) => page.data.length > 0);
    const back: Answer[] = [await follow(shown.at(-1)?.paging?.previous)];
    while (back.at(-1)?.paging?.previous !== undefined)
      back.push(await follow(back.at(-1)?.paging?.previous));
    // Assess
    const all = ['-t_8', 't_9', '-t_7', '-t_6', 't_5', 't_4', 't_3', 't_2', 't_1'];
    expect(shown.map(idsOf)).toEqual([all.slice(0, 3), all.slice(3, 6), all.slice(6, 9)]);
    expect(pages.length - shown.length).toBeLessThanOrEqual(1);
    expect(back.map(idsOf)).toEqual([all.slice(3, 6), all.slice(0, 3)]);
  });

  it('lists a tombstone no more once TOMBSTONE_DAYS have passed, though DynamoDB has not yet deleted it', async () => {
    // Prepare
    await prepareFolder();
    // Act: t_6 was removed at +1 min, t_8 at +3 min; two days (the setting) after +2 min.
    clock = T0 + 2 * DAY + 2 * 60_000;
    const { body } = await get('include_removed=true');
    // Assess
    expect(idsOf(body)).toEqual(['-t_8', 't_5', 't_4', 't_3', 't_2', 't_1']);
    expect((await index.readState(PAGE, 'messenger', ['t_6', 't_8'])).has('t_6')).toBe(false);
  });

  it.each([
    ['without updated_since', '/conversations?include_removed=true', 'include_removed'],
    ['not true or false', `/conversations?updated_since=${since}&include_removed=yes`, 'include_removed'],
  ])('include_removed %s is 400 invalid_request naming it', async (_, path, parameter) => {
    // Act
    const answer = await harness.call(`/pages/${PAGE}${path}`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request', parameter } });
  });
});
