import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Folder, Platform } from '../lib/domain/vocabulary.js';
import {
  DEMO_PAGE_IDS,
  type EmulatedConversation,
  type EmulatedPage,
  emulatorToken,
  type GraphEmulator,
  type GraphEmulatorOptions,
  seedDemoPages,
  seedPage,
  startGraphEmulator,
} from '../lib/local/graph-emulator.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const PAGE = '1000000000000001';
const OTHER_PAGE = '1000000000000002';
const SECRET_PAGE = '1000000000000003';
const SECRET = 'emulator-app-secret-3';

interface Item {
  id: string;
  updated_time?: string;
  [field: string]: unknown;
}
interface ListAnswer {
  data: Item[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}
interface ErrorAnswer {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}
interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

let emulator: GraphEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A clock the test moves by hand. */
function clock(start = NOW): { now: () => Date; advance: (seconds: number) => void } {
  let time = start.getTime();
  return { now: () => new Date(time), advance: (seconds) => (time += seconds * 1000) };
}

async function start(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  emulator = await startGraphEmulator({
    pages: seedDemoPages({ now: NOW }),
    now: () => NOW,
    ...options,
  });
  return emulator;
}

async function call<T = ListAnswer>(
  target: GraphEmulator,
  path: string,
  /** null: no Authorization header. */
  token: string | null = emulatorToken(PAGE),
  init: RequestInit = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const response = await fetch(`${target.url}${path}`, { ...init, headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

function getError(target: GraphEmulator, path: string, token: string | null = emulatorToken(PAGE)) {
  return call<ErrorAnswer>(target, path, token);
}

/** Follows `paging.next` links to the end, as a naive Graph client would. */
async function walk(target: GraphEmulator, firstPath: string): Promise<ListAnswer[]> {
  const pages: ListAnswer[] = [];
  let link: string | undefined = `${target.url}${firstPath}`;
  while (link !== undefined && pages.length < 500) {
    const response = await fetch(link);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ListAnswer;
    pages.push(body);
    link = body.paging?.next;
  }
  return pages;
}

/** Graph's order, computed independently: newest first, ties by the numerically higher id. */
function truth(
  target: GraphEmulator,
  pageId: string,
  platform: Platform,
  folder: Folder,
): EmulatedConversation[] {
  const page = target.pages.get(pageId);
  if (page === undefined) throw new Error(`no page ${pageId}`);
  return page.conversations
    .filter((c) => c.platform === platform && c.folder === folder)
    .sort((a, b) => {
      if (a.updated_time !== b.updated_time) return a.updated_time < b.updated_time ? 1 : -1;
      return BigInt(a.id.slice(2)) < BigInt(b.id.slice(2)) ? 1 : -1;
    });
}

function proof(token: string, time: number, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${token}|${time}`).digest('hex');
}

const LIST = `/v24.0/${PAGE}/conversations`;

describe('paging', () => {
  it('walking next visits every conversation of a partition exactly once, in Graph order', async () => {
    // Prepare
    const target = await start();
    const expected = truth(target, PAGE, 'messenger', 'inbox').map((c) => c.id);
    // Act
    const pages = await walk(target, `${LIST}?access_token=${emulatorToken(PAGE)}&limit=7`);
    // Assess
    const seen = pages.flatMap((p) => p.data.map((item) => item.id));
    expect(expected.length).toBe(30);
    expect(seen).toEqual(expected);
    expect(pages.length).toBe(Math.ceil(30 / 7));
    expect(pages.at(-1)?.paging?.next).toBeUndefined();
  });

  it('walking next with short pages and shared seconds still visits every conversation exactly once', async () => {
    // Prepare
    const page = seedPage('2000000000000001', { perPartition: 40, sharedSecond: true, now: NOW });
    const target = await start({ pages: [page], shortPageEvery: 2 });
    const expected = truth(target, page.id, 'instagram', 'other');
    const seconds = new Set(expected.map((c) => c.updated_time));
    // Act
    const pages = await walk(
      target,
      `/v24.0/${page.id}/conversations?access_token=${page.accessToken}&platform=INSTAGRAM&folder=other&limit=5`,
    );
    // Assess
    expect(seconds.size).toBeLessThan(expected.length / 3);
    const seen = pages.flatMap((p) => p.data.map((item) => item.id));
    expect(seen).toEqual(expected.map((c) => c.id));
    const shortWithNext = pages.filter((p) => p.data.length === 4 && p.paging?.next !== undefined);
    expect(shortWithNext.length).toBeGreaterThanOrEqual(2);
  });

  it('the previous link and a before cursor return the page before', async () => {
    // Prepare
    const target = await start();
    const first = await call(target, `${LIST}?limit=5`);
    const next = first.body.paging?.next ?? '';
    const second = (await (await fetch(next)).json()) as ListAnswer;
    const previous = second.paging?.previous ?? '';
    const before = encodeURIComponent(second.paging?.cursors.before ?? '');
    // Act
    const viaLink = (await (await fetch(previous)).json()) as ListAnswer;
    const viaCursor = await call(target, `${LIST}?limit=5&before=${before}`);
    // Assess
    const ids = (answer: ListAnswer) => answer.data.map((item) => item.id);
    expect(first.body.paging?.previous).toBeUndefined();
    expect(ids(viaLink)).toEqual(ids(first.body));
    expect(ids(viaCursor.body)).toEqual(ids(first.body));
    expect(viaCursor.body.paging?.previous).toBeUndefined();
    expect(viaCursor.body.paging?.next).toBeDefined();
  });

  it('paging links are absolute, carry the token and the query, and cursors look like Graph cursors', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await call(target, `${LIST}?limit=3&fields=snippet&unknown_param=1`);
    // Assess
    const next = new URL(answer.body.paging?.next ?? '');
    expect(next.origin).toBe(target.url);
    expect(next.pathname).toBe(LIST);
    expect(next.searchParams.get('access_token')).toBe(emulatorToken(PAGE));
    expect(next.searchParams.get('fields')).toBe('snippet');
    expect(next.searchParams.get('limit')).toBe('3');
    expect(next.searchParams.get('after')).toBe(answer.body.paging?.cursors.after);
    const cursor = answer.body.paging?.cursors.after ?? '';
    expect(cursor).toMatch(/^QVFIU[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeGreaterThanOrEqual(60);
  });

  it('an empty result is data [] with no paging at all', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await call(target, `${LIST}?user_id=999`);
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: [] });
  });

  it('a limit over 100 is served as 100, and unknown parameters are ignored', async () => {
    // Prepare
    const page = seedPage('2000000000000002', { perPartition: 120, now: NOW });
    const target = await start({ pages: [page] });
    // Act
    const answer = await call(
      target,
      `/v24.0/${page.id}/conversations?limit=150&whatever=1`,
      page.accessToken,
    );
    // Assess
    expect(answer.body.data).toHaveLength(100);
    expect(new URL(answer.body.paging?.next ?? '').searchParams.get('limit')).toBe('100');
  });

  it('user_id keeps only the conversations with that participant', async () => {
    // Prepare
    const target = await start();
    const wanted = truth(target, PAGE, 'messenger', 'inbox')[3];
    const userId = wanted?.participants.data[0]?.id ?? '';
    // Act
    const answer = await call(target, `${LIST}?user_id=${userId}&fields=participants`);
    // Assess
    expect(answer.body.data.map((item) => item.id)).toEqual([wanted?.id]);
  });
});

describe('fields', () => {
  it('without fields Graph returns only id and updated_time', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await call(target, LIST);
    // Assess
    expect(answer.body.data).toHaveLength(25);
    for (const item of answer.body.data) expect(Object.keys(item).sort()).toEqual(['id', 'updated_time']);
    expect(answer.body.data[0]?.updated_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
  });

  it('fields returns the requested fields and id, nothing else', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await call(target, `${LIST}?fields=snippet,participants,message_count`);
    // Assess
    const item = answer.body.data[0];
    expect(Object.keys(item ?? {}).sort()).toEqual(['id', 'message_count', 'participants', 'snippet']);
    expect(typeof item?.snippet).toBe('string');
  });

  it('an unknown field is error 100 naming it', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, `${LIST}?fields=id,messages`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(100);
    expect(answer.body.error.message).toBe(
      '(#100) Tried accessing nonexisting field (messages) on node type (Conversation)',
    );
  });

  it('instagram rejects messenger-only fields and serves its own', async () => {
    // Prepare
    const target = await start();
    // Act
    const rejected = await getError(target, `${LIST}?platform=instagram&fields=id,snippet`);
    const accepted = await call(target, `${LIST}?platform=instagram&fields=participants,unread_count`);
    // Assess
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.message).toBe(
      '(#100) Tried accessing nonexisting field (snippet) on node type (Conversation)',
    );
    const participants = accepted.body.data[0]?.participants as { data: Array<{ username?: string }> };
    expect(participants.data.every((p) => typeof p.username === 'string')).toBe(true);
  });
});

describe('parameters and paths', () => {
  it.each([
    ['platform=WHATSAPP', '(#100) param platform must be one of {MESSENGER, INSTAGRAM}'],
    ['folder=archive', '(#100) param folder must be one of {inbox, other, page_done, spam}'],
    ['limit=0', '(#100) Param limit must be a positive integer'],
    ['limit=ten', '(#100) Param limit must be a positive integer'],
    ['user_id=abc', '(#100) Param user_id must be a valid ID string (e.g., "123")'],
  ])('%s is error 100', async (query, message) => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, `${LIST}?${query}`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 100, type: 'OAuthException', message });
  });

  it('an unknown path is error 2500 naming the unknown components', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, `/v24.0/${PAGE}/messages`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 2500, message: 'Unknown path components: /messages' });
  });

  it('a POST is error 100', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await call<ErrorAnswer>(target, LIST, emulatorToken(PAGE), { method: 'POST' });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(100);
  });

  it('every answer carries trace, request id and api version headers, errors their fbtrace_id', async () => {
    // Prepare
    const target = await start();
    // Act
    const ok = await call(target, `/v21.0/${PAGE}/conversations`);
    const failed = await getError(target, `/v21.0/${PAGE}/conversations?limit=-1`);
    // Assess
    expect(ok.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(ok.headers.get('facebook-api-version')).toBe('v21.0');
    expect(ok.headers.get('x-fb-request-id')).toBeTruthy();
    expect(failed.headers.get('x-fb-trace-id')).toBe(failed.body.error.fbtrace_id);
    expect(failed.body.error.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{11}$/);
  });
});

describe('tokens and appsecret_proof', () => {
  it('a missing token is error 104', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, LIST, null);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 104,
      type: 'OAuthException',
      message: 'An access token is required to request this resource.',
    });
  });

  it('an unparseable token is error 190 without subcode', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, LIST, 'not-a-token');
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 190,
      type: 'OAuthException',
      message: 'Invalid OAuth access token - Cannot parse access token',
    });
    expect(answer.body.error.error_subcode).toBeUndefined();
  });

  it("another page's token is error 190 with subcode 460", async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, LIST, emulatorToken(OTHER_PAGE));
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 190, error_subcode: 460, type: 'OAuthException' });
  });

  it('the token is accepted from an OAuth header and from the access_token parameter', async () => {
    // Prepare
    const target = await start();
    const token = emulatorToken(PAGE);
    // Act
    const viaHeader = await fetch(`${target.url}${LIST}`, { headers: { authorization: `OAuth ${token}` } });
    const viaParam = await fetch(`${target.url}${LIST}?access_token=${token}`);
    // Assess
    expect(viaHeader.status).toBe(200);
    expect(viaParam.status).toBe(200);
  });

  it('an unknown page is error 100 subcode 33', async () => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, '/v24.0/4242/conversations');
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: 'GraphMethodException',
      message:
        "Unsupported get request. Object with ID '4242' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
    });
  });

  describe('appsecret_proof', () => {
    const token = emulatorToken(SECRET_PAGE);
    const path = `/v24.0/${SECRET_PAGE}/conversations`;
    const seconds = Math.floor(NOW.getTime() / 1000);

    it('is required on a page with an app secret', async () => {
      // Prepare
      const target = await start();
      // Act
      const answer = await getError(target, path, token);
      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 100,
        message: 'API calls from the server require an appsecret_proof argument',
      });
    });

    it('is accepted when valid and fresh', async () => {
      // Prepare
      const target = await start();
      const time = seconds - 200;
      // Act
      const answer = await call(
        target,
        `${path}?appsecret_proof=${proof(token, time)}&appsecret_time=${time}`,
        token,
      );
      // Assess
      expect(answer.status).toBe(200);
      expect(answer.body.data.length).toBeGreaterThan(0);
    });

    it.each([
      ['signed with another secret', proof(token, seconds, 'wrong-secret'), seconds],
      ['expired', proof(token, seconds - 301), seconds - 301],
      ['for another time', proof(token, seconds), seconds - 1],
    ])('is rejected when %s', async (_case, given, time) => {
      // Prepare
      const target = await start();
      // Act
      const answer = await getError(target, `${path}?appsecret_proof=${given}&appsecret_time=${time}`, token);
      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 100,
        message: 'Invalid appsecret_proof provided in the API argument',
      });
    });
  });
});

describe('cursors', () => {
  it.each(['after', 'before'])('an undecodable %s cursor is error 100 without subcode', async (direction) => {
    // Prepare
    const target = await start();
    // Act
    const answer = await getError(target, `${LIST}?${direction}=QVFIUnotacursor`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(100);
    expect(answer.body.error.message).toBe(`(#100) The ${direction} cursor is invalid`);
    expect(answer.body.error.error_subcode).toBeUndefined();
  });

  it('the cursor of a deleted conversation is error 100', async () => {
    // Prepare
    const target = await start();
    const first = await call(target, `${LIST}?limit=5`);
    const last = first.body.data.at(-1)?.id ?? '';
    target.deleteConversation(PAGE, last);
    // Act
    const answer = await fetch(first.body.paging?.next ?? '');
    const body = (await answer.json()) as ErrorAnswer;
    // Assess
    expect(answer.status).toBe(400);
    expect(body.error).toMatchObject({ code: 100, message: '(#100) The after cursor is invalid' });
  });

  it('the cursor of a conversation moved to another folder is error 100', async () => {
    // Prepare
    const target = await start();
    const first = await call(target, `${LIST}?limit=5`);
    target.moveConversation(PAGE, first.body.data.at(-1)?.id ?? '', 'page_done');
    // Act
    const answer = await fetch(first.body.paging?.next ?? '');
    // Assess
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as ErrorAnswer).error.code).toBe(100);
  });
});

describe('rate limits', () => {
  it('a call beyond the window is 613 with usage headers, until the regain time has passed', async () => {
    // Prepare
    const time = clock();
    const target = await start({
      now: time.now,
      rateLimit: { callsPerWindow: 3, windowSeconds: 3600, regainMinutes: 10 },
    });
    for (let i = 0; i < 3; i++) expect((await call(target, LIST)).status).toBe(200);
    // Act
    const throttled = await getError(target, LIST);
    time.advance(9 * 60);
    const stillThrottled = await getError(target, LIST);
    time.advance(61);
    const regained = await call(target, LIST);
    // Assess
    expect(throttled.status).toBe(400);
    expect(throttled.body.error).toMatchObject({
      code: 613,
      type: 'OAuthException',
      message: '(#613) Calls to this api have exceeded the rate limit.',
    });
    const usage = JSON.parse(throttled.headers.get('x-business-use-case-usage') ?? '{}') as Record<
      string,
      Array<{ type: string; call_count: number; estimated_time_to_regain_access: number }>
    >;
    expect(usage[PAGE]?.[0]?.type).toBe('pages');
    expect(usage[PAGE]?.[0]?.call_count).toBeGreaterThanOrEqual(100);
    expect(usage[PAGE]?.[0]?.estimated_time_to_regain_access).toBe(10);
    expect(stillThrottled.body.error.code).toBe(613);
    expect(regained.status).toBe(200);
  });

  it('usage headers are absent at zero usage and present once calls add up', async () => {
    // Prepare
    const target = await start({
      rateLimit: { callsPerWindow: 1000, windowSeconds: 3600, regainMinutes: 5 },
    });
    // Act
    const first = await call(target, LIST);
    for (let i = 0; i < 8; i++) await call(target, LIST);
    const tenth = await call(target, LIST);
    // Assess
    expect(first.headers.get('x-app-usage')).toBeNull();
    expect(first.headers.get('x-business-use-case-usage')).toBeNull();
    expect(JSON.parse(tenth.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 1 });
    const usage = JSON.parse(tenth.headers.get('x-business-use-case-usage') ?? '{}') as Record<
      string,
      unknown
    >;
    expect(usage[PAGE]).toEqual([
      { type: 'pages', call_count: 1, total_cputime: 0, total_time: 1, estimated_time_to_regain_access: 0 },
    ]);
  });

  it('without a rate limit there are no usage headers', async () => {
    // Prepare
    const target = await start();
    // Act
    for (let i = 0; i < 5; i++) await call(target, LIST);
    const answer = await call(target, LIST);
    // Assess
    expect(answer.headers.get('x-app-usage')).toBeNull();
  });
});

describe('injected faults', () => {
  it('a graph-error fault answers its envelope and headers the given number of times, then normally', async () => {
    // Prepare
    const target = await start();
    target.inject({
      kind: 'graph-error',
      times: 2,
      status: 500,
      error: {
        message: 'An unexpected error has occurred.',
        type: 'OAuthException',
        code: 2,
        is_transient: true,
      },
      headers: { 'x-app-usage': '{"call_count":95,"total_cputime":1,"total_time":1}' },
    });
    // Act
    const first = await getError(target, LIST);
    const second = await getError(target, LIST);
    const third = await call(target, LIST);
    // Assess
    expect(first.status).toBe(500);
    expect(first.body.error).toMatchObject({ code: 2, is_transient: true });
    expect(first.body.error.fbtrace_id).toBeTruthy();
    expect(first.headers.get('x-app-usage')).toContain('95');
    expect(second.status).toBe(500);
    expect(third.status).toBe(200);
    expect(target.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('a fault for one page leaves other pages alone', async () => {
    // Prepare
    const target = await start();
    target.inject({ kind: 'http', pageId: OTHER_PAGE, status: 502, body: '<html>Bad Gateway</html>' });
    // Act
    const mine = await call(target, LIST);
    const theirs = await fetch(`${target.url}/v24.0/${OTHER_PAGE}/conversations`, {
      headers: { authorization: `Bearer ${emulatorToken(OTHER_PAGE)}` },
    });
    // Assess
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(502);
    expect(theirs.headers.get('content-type')).toContain('text/html');
    expect(await theirs.text()).toBe('<html>Bad Gateway</html>');
  });

  it('a malformed fault answers 200 with truncated JSON', async () => {
    // Prepare
    const target = await start();
    target.inject({ kind: 'malformed' });
    // Act
    const response = await fetch(`${target.url}${LIST}?access_token=${emulatorToken(PAGE)}`);
    const text = await response.text();
    // Assess
    expect(response.status).toBe(200);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('a reset fault drops the connection without an answer', async () => {
    // Prepare
    const target = await start();
    target.inject({ kind: 'reset' });
    // Act
    const outcome = await fetch(`${target.url}${LIST}?access_token=${emulatorToken(PAGE)}`).then(
      () => 'answered',
      () => 'failed',
    );
    // Assess
    expect(outcome).toBe('failed');
    expect(target.calls).toHaveLength(1);
    expect(target.calls[0]?.status).toBe(0);
  });

  it('a hang fault never answers, and close() still returns promptly', async () => {
    // Prepare
    const target = await start();
    target.inject({ kind: 'hang' });
    const pending = fetch(`${target.url}${LIST}?access_token=${emulatorToken(PAGE)}`).then(
      () => 'answered',
      () => 'failed',
    );
    while (target.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Act
    const started = Date.now();
    await target.close();
    const elapsed = Date.now() - started;
    // Assess
    expect(elapsed).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });
});

describe('changes to the data', () => {
  it('touch() moves a conversation to the top with new activity', async () => {
    // Prepare
    const time = clock();
    const target = await start({ now: time.now });
    const oldest = truth(target, PAGE, 'messenger', 'inbox').at(-1);
    const before = { ...oldest };
    time.advance(90.5);
    // Act
    target.touch(PAGE, [oldest?.id ?? '']);
    const answer = await call(target, `${LIST}?fields=updated_time,message_count,unread_count,snippet`);
    // Assess
    const top = answer.body.data[0];
    expect(top?.id).toBe(oldest?.id);
    expect(top?.updated_time).toBe('2026-11-20T10:01:30+0000');
    expect(top?.message_count).toBe((before.message_count ?? 0) + 1);
    expect(top?.unread_count).toBe((before.unread_count ?? 0) + 1);
    expect(top?.snippet).not.toBe(before.snippet);
  });

  it('addConversations() adds new conversations with unique ids at the top of their partition', async () => {
    // Prepare
    const target = await start();
    const at = new Date('2026-11-20T10:05:00Z');
    // Act
    const added = target.addConversations(PAGE, 'instagram', 'inbox', 3, at);
    const answer = await call(target, `${LIST}?platform=INSTAGRAM&limit=3`);
    // Assess
    const ids = target.pages.get(PAGE)?.conversations.map((c) => c.id) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
    expect(answer.body.data.map((item) => item.id).sort()).toEqual(added.map((c) => c.id).sort());
    expect(answer.body.data.every((item) => item.updated_time === '2026-11-20T10:05:00+0000')).toBe(true);
  });

  it('records every call without its token or proof, and counts calls per page', async () => {
    // Prepare
    const target = await start();
    const token = emulatorToken(SECRET_PAGE);
    const time = Math.floor(NOW.getTime() / 1000);
    // Act
    await call(target, `${LIST}?access_token=${emulatorToken(PAGE)}&limit=2`, null);
    await call(
      target,
      `/v24.0/${SECRET_PAGE}/conversations?appsecret_proof=${proof(token, time)}&appsecret_time=${time}`,
      token,
    );
    // Assess
    expect(target.callCount()).toBe(2);
    expect(target.callCount(PAGE)).toBe(1);
    expect(target.calls[0]).toMatchObject({ pageId: PAGE, path: LIST, params: { limit: '2' }, status: 200 });
    expect(target.calls[1]?.params).toEqual({ appsecret_time: String(time) });
    target.resetCalls();
    expect(target.callCount()).toBe(0);
  });

  it('a page factory creates pages on first use and keeps them', async () => {
    // Prepare
    let created = 0;
    const target = await start({
      pages: [],
      pageFactory: (pageId) => {
        if (!pageId.startsWith('77')) return undefined;
        created++;
        return seedPage(pageId, { perPartition: 3, now: NOW });
      },
    });
    // Act
    const first = await call(target, '/v24.0/7700/conversations', emulatorToken('7700'));
    const second = await call(target, '/v24.0/7700/conversations', emulatorToken('7700'));
    const unknown = await getError(target, '/v24.0/8800/conversations', emulatorToken('8800'));
    // Assess
    expect(first.body.data).toHaveLength(3);
    expect(second.body.data.map((i) => i.id)).toEqual(first.body.data.map((i) => i.id));
    expect(created).toBe(1);
    expect(target.pages.has('7700')).toBe(true);
    expect(unknown.body.error.error_subcode).toBe(33);
  });
});

describe('seeding', () => {
  it('demo pages are deterministic and cover both platforms and all four folders', () => {
    // Prepare
    const options = { now: NOW, seed: 7 };
    // Act
    const pages = seedDemoPages(options);
    const again = seedDemoPages(options);
    // Assess
    expect(pages).toEqual(again);
    expect(pages.map((p) => p.id)).toEqual([...DEMO_PAGE_IDS]);
    const partitions = (page: EmulatedPage) =>
      new Set(page.conversations.map((c) => `${c.platform}/${c.folder}`));
    for (const page of pages) {
      expect(partitions(page).size).toBe(8);
      expect(new Set(page.conversations.map((c) => c.id)).size).toBe(page.conversations.length);
      expect(page.accessToken).toBe(emulatorToken(page.id));
      expect(page.accessToken.startsWith('EAA')).toBe(false);
      for (const c of page.conversations) expect(c.id).toMatch(/^t_\d+$/);
    }
    expect(pages[2]?.appSecret).toBe(SECRET);
    expect(pages[0]?.appSecret).toBeUndefined();
  });

  it('seeded times fall in the 60 days before now, some sharing a second', () => {
    // Prepare
    const oldest = NOW.getTime() - 61 * 24 * 3600 * 1000;
    // Act
    const page = seedPage(PAGE, { perPartition: 30, now: NOW });
    // Assess
    const times = page.conversations.map((c) => Date.parse(c.updated_time.replace('+0000', 'Z')));
    expect(times.every((t) => t < NOW.getTime() && t > oldest && t % 1000 === 0)).toBe(true);
    expect(new Set(times).size).toBeLessThan(times.length);
  });

  it('instagram participants have usernames and messenger participants have PSIDs', () => {
    // Prepare
    const page = seedPage(PAGE, { perPartition: 5, now: NOW });
    // Act
    const instagram = page.conversations.filter((c) => c.platform === 'instagram');
    const messenger = page.conversations.filter((c) => c.platform === 'messenger');
    // Assess
    for (const c of instagram) {
      for (const p of c.participants.data)
        expect(p).toMatchObject({ username: expect.any(String), id: expect.stringMatching(/^\d+$/) });
    }
    for (const c of messenger) {
      for (const p of c.participants.data) expect(p.id).toMatch(/^\d+$/);
      expect(c.participants.data.some((p) => p.id === PAGE)).toBe(true);
    }
  });
});
