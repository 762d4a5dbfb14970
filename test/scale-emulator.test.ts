import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  emulatorToken,
  GENERATED_FIRST_PAGE_ID,
  type GraphEmulator,
  type GraphEmulatorOptions,
  generatedPageIds,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';

/** The emulator at a bench's scale: 100,000 Pages made from their id, and Graph's latency added. */

const NOW = new Date('2026-11-20T10:00:00Z');
const GENERATED = { count: 100_000 };

let emulator: GraphEmulator | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await emulator?.close();
  emulator = undefined;
});

async function start(options: GraphEmulatorOptions): Promise<GraphEmulator> {
  emulator = await startGraphEmulator({ now: () => NOW, ...options });
  return emulator;
}

/** A GET with the Page's own token, by node:http (no client timers, so fake timers see only the emulator's). */
function get(
  target: GraphEmulator,
  path: string,
  pageId: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${target.url}${path}`, {
      headers: { authorization: `Bearer ${emulatorToken(pageId)}` },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('generated Pages', () => {
  it('serves 100,000 Pages from their id, the same on every request, storing none', async () => {
    // Prepare
    const target = await start({ generated: GENERATED });
    const ids = generatedPageIds(GENERATED);
    const [first, middle, last] = [ids[0], ids[50_000], ids[99_999]] as [string, string, string];
    // Act
    const lists: Array<{ status: number; body: unknown }> = [];
    for (const pageId of [first, middle, last, middle]) {
      lists.push(await get(target, `/v24.0/${pageId}/conversations?fields=id,updated_time`, pageId));
    }
    const profile = await get(target, `/v24.0/${last}?fields=name,instagram_business_account`, last);
    // Assess
    expect(ids).toHaveLength(100_000);
    expect(first).toBe(String(GENERATED_FIRST_PAGE_ID));
    expect(last).toBe(String(GENERATED_FIRST_PAGE_ID + 99_999n));
    for (const list of lists) {
      expect(list.status).toBe(200);
      expect((list.body as { data: unknown[] }).data).toHaveLength(1);
    }
    // Cursors carry a nonce, as Graph's do: the data is what must not change.
    const data = (i: number) => (lists[i]?.body as { data: unknown[] } | undefined)?.data;
    expect(data(3)).toEqual(data(1));
    expect(profile).toEqual({
      status: 200,
      body: {
        name: `Page ${last}`,
        instagram_business_account: { id: expect.stringMatching(/^178414\d{11}$/) },
        id: last,
      },
    });
    expect(target.pages.size).toBe(0);
  });

  it.each([
    ['past the last', String(GENERATED_FIRST_PAGE_ID + 100_000n)],
    ['before the first', String(GENERATED_FIRST_PAGE_ID - 1n)],
  ])('answers an id %s as Graph answers an unknown object', async (_, pageId) => {
    // Prepare
    const target = await start({ generated: GENERATED });
    // Act
    const answer = await get(target, `/v24.0/${pageId}/conversations`, pageId);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 100, error_subcode: 33 } });
  });

  it('keeps a generated Page once a test changes it, and only that one', async () => {
    // Prepare
    const target = await start({ generated: { count: 10, perPartition: 2 } });
    const [pageId] = generatedPageIds({ count: 10 }) as [string];
    // Act
    target.addConversations(pageId, 'messenger', 'inbox', 3, NOW);
    const list = await get(target, `/v24.0/${pageId}/conversations`, pageId);
    // Assess
    expect((list.body as { data: unknown[] }).data).toHaveLength(5);
    expect([...target.pages.keys()]).toEqual([pageId]);
  });

  it('leaves the demo Pages as they were when nothing is generated', async () => {
    // Act
    const target = await start({});
    // Assess
    expect(target.pages.size).toBe(3);
  });
});

describe('added latency', () => {
  it('answers only once the latency has passed (fake timers)', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const target = await start({ generated: { count: 1 }, latencyMs: 200 });
    const [pageId] = generatedPageIds({ count: 1 }) as [string];
    let answered = false;
    // Act
    const answer = get(target, `/v24.0/${pageId}/conversations`, pageId).then((value) => {
      answered = true;
      return value;
    });
    while (vi.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(199);
    const early = answered;
    await vi.advanceTimersByTimeAsync(1);
    // Assess
    expect(early).toBe(false);
    expect((await answer).status).toBe(200);
    expect(target.callCount(pageId)).toBe(1);
  });

  it.each([
    ['a negative number', -1],
    ['a range upside down', [300, 150] as const],
    ['not a number', Number.NaN],
  ])('refuses %s', async (_, latencyMs) => {
    await expect(start({ latencyMs })).rejects.toThrow(/latencyMs takes milliseconds/);
  });
});
