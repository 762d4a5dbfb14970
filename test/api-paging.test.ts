import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import { type ConversationsAnswer, graphTruth, pathOf } from './support/truth.js';

const PAGE = DEMO_PAGE_IDS[0];
const OTHER_PAGE = DEMO_PAGE_IDS[1];

describe('paging through GET /pages/{pageId}/conversations', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ emulator: { shortPageEvery: 3 } });
  });
  afterAll(() => harness.close());

  async function walk(path: string) {
    const seen: string[] = [];
    const answers: ConversationsAnswer[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const { status, body } = await harness.call(next);
      expect(status).toBe(200);
      const answer = body as ConversationsAnswer;
      answers.push(answer);
      seen.push(...answer.data.map((conversation) => conversation.id));
      next = answer.paging?.next === undefined ? undefined : pathOf(answer.paging.next);
    }
    return { seen, answers };
  }

  test('walking after cursors returns every conversation exactly once, in Graph order', async () => {
    // Prepare
    const truth = graphTruth(harness.emulator, PAGE, 'messenger', 'inbox').map((c) => c.id);
    // Act
    const { seen, answers } = await walk(`/pages/${PAGE}/conversations?folder=inbox&limit=7`);
    // Assess
    expect(truth.length).toBeGreaterThan(14);
    expect(seen).toEqual(truth);
    expect(answers.length).toBeGreaterThan(2);
    expect(answers.at(-1)?.paging?.next).toBeUndefined();
  });

  test('instagram conversations page the same way', async () => {
    const truth = graphTruth(harness.emulator, PAGE, 'instagram', 'other').map((c) => c.id);
    const { seen } = await walk(`/pages/${PAGE}/conversations?platform=INSTAGRAM&folder=other&limit=4`);
    expect(seen).toEqual(truth);
  });

  test('a before cursor returns the previous page', async () => {
    // Prepare
    const first = (await harness.call(`/pages/${PAGE}/conversations?folder=inbox&limit=5`))
      .body as ConversationsAnswer;
    const nextLink = first.paging?.next;
    expect(nextLink).toBeDefined();
    const second = (await harness.call(pathOf(nextLink as string))).body as ConversationsAnswer;
    const previousLink = second.paging?.previous;
    expect(previousLink).toBeDefined();
    // Act
    const back = await harness.call(pathOf(previousLink as string));
    // Assess
    expect(back.status).toBe(200);
    expect((back.body as ConversationsAnswer).data.map((c) => c.id)).toEqual(first.data.map((c) => c.id));
  });

  test('answers carry only opaque cursors and links to this API, never Graph URLs or tokens', async () => {
    const { text, body } = await harness.call(`/pages/${PAGE}/conversations?limit=3`);
    const answer = body as ConversationsAnswer;
    expect(answer.paging?.next?.startsWith(harness.api.url)).toBe(true);
    expect(answer.paging?.cursors.after).toMatch(/^[A-Za-z0-9_-]{22}a$/);
    expect(text).not.toContain(harness.emulator.url);
    expect(text).not.toContain('access_token');
    expect(text).not.toContain(harness.emulator.pages.get(PAGE)?.accessToken ?? '<none>');
  });

  test('default fields are the useful set, and fields= narrows them', async () => {
    const full = (await harness.call(`/pages/${PAGE}/conversations?limit=1`)).body as ConversationsAnswer;
    expect(Object.keys(full.data[0] ?? {}).sort()).toEqual(
      ['id', 'link', 'message_count', 'participants', 'snippet', 'unread_count', 'updated_time'].sort(),
    );
    const narrow = (await harness.call(`/pages/${PAGE}/conversations?limit=1&fields=updated_time`))
      .body as ConversationsAnswer;
    expect(Object.keys(narrow.data[0] ?? {}).sort()).toEqual(['id', 'updated_time']);
  });

  test('user_id narrows to that person, as Graph does', async () => {
    const target = graphTruth(harness.emulator, PAGE, 'messenger', 'inbox')[0];
    const userId = target?.participants.data.find((p) => p.id !== PAGE)?.id as string;
    const { status, body } = await harness.call(
      `/pages/${PAGE}/conversations?folder=inbox&user_id=${userId}`,
    );
    expect(status).toBe(200);
    const ids = (body as ConversationsAnswer).data.map((c) => c.id);
    expect(ids).toContain(target?.id);
  });

  describe('cursors that must be refused', () => {
    let after: string;
    beforeAll(async () => {
      const first = (await harness.call(`/pages/${PAGE}/conversations?folder=inbox&limit=5`))
        .body as ConversationsAnswer;
      after = first.paging?.cursors.after as string;
    });

    test.each([
      ['another page', () => `/pages/${OTHER_PAGE}/conversations?folder=inbox&limit=5&after=${after}`],
      ['another folder', () => `/pages/${PAGE}/conversations?folder=other&limit=5&after=${after}`],
      ['another limit', () => `/pages/${PAGE}/conversations?folder=inbox&limit=6&after=${after}`],
      [
        'another platform',
        () => `/pages/${PAGE}/conversations?platform=instagram&folder=inbox&limit=5&after=${after}`,
      ],
      ['the other direction', () => `/pages/${PAGE}/conversations?folder=inbox&limit=5&before=${after}`],
      ['a tampered key', () => `/pages/${PAGE}/conversations?folder=inbox&limit=5&after=${flip(after)}`],
      ['an unknown key', () => `/pages/${PAGE}/conversations?folder=inbox&limit=5&after=${'A'.repeat(22)}a`],
      [
        'a Graph cursor',
        () => `/pages/${PAGE}/conversations?folder=inbox&limit=5&after=QVFIUjBhZAk5ZAmZA5NEt`,
      ],
    ])('a cursor of %s is invalid_cursor and costs no Graph call', async (_name, path) => {
      // Prepare
      const callsBefore = harness.emulator.callCount();
      // Act
      const { status, body } = await harness.call(path());
      // Assess
      expect(status).toBe(400);
      expect((body as { error: { code: string } }).error.code).toBe('invalid_cursor');
      expect(harness.emulator.callCount()).toBe(callsBefore);
    });
  });

  test('a stored cursor that Graph rejects (its conversation was deleted) says to start again', async () => {
    // Prepare
    const first = (await harness.call(`/pages/${PAGE}/conversations?folder=other&limit=3`))
      .body as ConversationsAnswer;
    const last = first.data.at(-1)?.id as string;
    harness.emulator.deleteConversation(PAGE, last);
    // Act
    const { status, body } = await harness.call(pathOf(first.paging?.next as string));
    // Assess
    expect(status).toBe(400);
    const error = (body as { error: { code: string; message: string; graph?: { code: number } } }).error;
    expect(error.code).toBe('invalid_cursor');
    expect(error.message).toMatch(/first page/);
    expect(error.graph?.code).toBe(100);
  });
});

describe('cursor expiry', () => {
  test('a cursor past its time is invalid_cursor even though the embedded DynamoDB never deletes it', async () => {
    // Prepare
    let now = new Date('2026-11-25T12:00:00Z');
    const harness = await startHarness({ now: () => now });
    try {
      const first = (await harness.call(`/pages/${PAGE}/conversations?limit=2`)).body as ConversationsAnswer;
      const next = pathOf(first.paging?.next as string);
      now = new Date(now.getTime() + 7 * 3600 * 1000);
      // Act
      const { status, body } = await harness.call(next);
      // Assess
      expect(status).toBe(400);
      expect((body as { error: { code: string } }).error.code).toBe('invalid_cursor');
    } finally {
      await harness.close();
    }
  });
});

function flip(cursor: string): string {
  const first = cursor[0] === 'A' ? 'B' : 'A';
  return first + cursor.slice(1);
}
