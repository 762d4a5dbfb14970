import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  DEMO_PAGE_IDS,
  DEMO_USER_TOKEN,
  EMULATOR_APP,
  type GraphEmulator,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';

// The emulator's clock: token lifetimes are read against it.
let clock = Date.parse('2026-12-01T09:00:00Z');
let emulator: GraphEmulator;
beforeAll(async () => {
  emulator = await startGraphEmulator({ pages: [], now: () => new Date(clock) });
});
afterAll(() => emulator.close());

async function graph(path: string, token?: string, method = 'GET') {
  const response = await fetch(`${emulator.url}/v24.0${path}`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  // biome-ignore lint/suspicious/noExplicitAny: Graph bodies of several shapes, read by assertions only
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the emulator’s onboarding edges', () => {
  test('/me/accounts pages by cursor through every Page, with tasks and Instagram accounts', async () => {
    const user = emulator.createUser({
      pages: 5,
      page: (i) => ({ instagram: i === 1, tasks: ['MODERATE'] }),
    });
    const fields = 'id,name,access_token,tasks,instagram_business_account';
    const first = await graph(`/me/accounts?fields=${fields}&limit=2`, user.token);
    const second = await graph(
      `/me/accounts?fields=${fields}&limit=2&after=${first.body.paging.cursors.after}`,
      user.token,
    );
    const third = await graph(
      `/me/accounts?fields=${fields}&limit=2&after=${second.body.paging.cursors.after}`,
      user.token,
    );
    expect(first.body.data.map((p: { id: string }) => p.id)).toEqual(user.pageIds.slice(0, 2));
    expect(first.body.data[1]).toMatchObject({
      tasks: ['MODERATE'],
      instagram_business_account: { id: expect.stringMatching(/^178414/) },
    });
    expect(first.body.data[0]).not.toHaveProperty('instagram_business_account');
    expect(first.body.paging.next).toContain('/me/accounts?');
    expect(third.body.data).toHaveLength(1);
    expect(third.body.paging).not.toHaveProperty('next');
  });

  test('debug_token lists granted scopes with their target Pages; fb_exchange_token needs the app secret', async () => {
    const user = emulator.createUser({
      pages: 2,
      page: (i) => (i === 0 ? { withoutScopes: ['pages_messaging'] } : {}),
    });
    const debug = await graph(
      `/debug_token?input_token=${user.token}`,
      `${EMULATOR_APP.id}|${EMULATOR_APP.secret}`,
    );
    expect(debug.body.data).toMatchObject({ is_valid: true, type: 'USER', app_id: EMULATOR_APP.id });
    expect(debug.body.data.granular_scopes).toContainEqual({
      scope: 'pages_messaging',
      target_ids: [user.pageIds[1]],
    });
    const wrong = await graph(
      `/oauth/access_token?grant_type=fb_exchange_token&client_id=${EMULATOR_APP.id}&client_secret=nope&fb_exchange_token=${user.token}`,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ type: 'OAuthException', fbtrace_id: expect.any(String) });
    const exchanged = await graph(
      `/oauth/access_token?grant_type=fb_exchange_token&client_id=${EMULATOR_APP.id}&client_secret=${EMULATOR_APP.secret}&fb_exchange_token=${user.token}`,
    );
    expect(exchanged.body).toMatchObject({
      token_type: 'bearer',
      access_token: expect.any(String),
      expires_in: 60 * 24 * 60 * 60,
    });
    expect((await graph('/me/accounts', exchanged.body.access_token)).body.data).toHaveLength(2);
  });

  test('a Page node answers its own token only; subscribed_apps takes a POST', async () => {
    const [pageId = ''] = emulator.createUser({ pages: 1, page: () => ({ instagram: true }) }).pageIds;
    const token = emulator.pages.get(pageId)?.accessToken ?? '';
    const node = await graph(`/${pageId}?fields=name,instagram_business_account`, token);
    expect(node.body).toEqual({
      id: pageId,
      name: 'Emulated Page 1',
      instagram_business_account: { id: expect.any(String) },
    });
    expect((await graph(`/${pageId}?fields=name`, 'EMULATOR-TOKEN-other')).body.error.code).toBe(190);
    expect(
      (await graph(`/${pageId}/subscribed_apps?subscribed_fields=messages`, token, 'POST')).body,
    ).toEqual({ success: true });
    expect(emulator.subscribedFields(pageId)).toEqual(['messages']);
  });
});

const APP_TOKEN = `${EMULATOR_APP.id}|${EMULATOR_APP.secret}`;
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('the emulator’s token lifetimes', () => {
  test('a short-lived user token lasts an hour, and so do the Page tokens listed with it; listed with the exchanged token they never expire', async () => {
    // Prepare
    const user = emulator.createUser({ pages: 1, firstPageId: 2_800_000_000_000_001n });
    const [pageId = ''] = user.pageIds;
    const pageToken = emulator.pages.get(pageId)?.accessToken ?? '';
    const debug = async (token: string) =>
      (await graph(`/debug_token?input_token=${token}`, APP_TOKEN)).body.data as Record<string, unknown>;
    // Act
    const userInfo = await debug(user.token);
    await graph('/me/accounts?fields=id,access_token', user.token);
    const pageShort = await debug(pageToken);
    const exchanged = await graph(
      `/oauth/access_token?grant_type=fb_exchange_token&client_id=${EMULATOR_APP.id}&client_secret=${EMULATOR_APP.secret}&fb_exchange_token=${user.token}`,
    );
    const longToken = exchanged.body.access_token as string;
    const longInfo = await debug(longToken);
    await graph('/me/accounts?fields=id,access_token', longToken);
    const pageLong = await debug(pageToken);
    // Assess
    expect(userInfo).toMatchObject({ type: 'USER', is_valid: true, expires_at: seconds(clock) + 3600 });
    expect(pageShort).toMatchObject({
      type: 'PAGE',
      profile_id: pageId,
      is_valid: true,
      expires_at: seconds(clock) + 3600,
    });
    expect(longInfo).toMatchObject({
      type: 'USER',
      is_valid: true,
      expires_at: seconds(clock) + 60 * 86_400,
    });
    expect(pageLong).toMatchObject({ type: 'PAGE', profile_id: pageId, expires_at: 0 });
  });

  test('past its hour a user token is refused (190/463) and debug_token says it is not valid; a Page token at /me/accounts is told the Page has no such edge', async () => {
    const user = emulator.createUser({ pages: 1, firstPageId: 2_810_000_000_000_001n });
    const pageToken = emulator.pages.get(user.pageIds[0] ?? '')?.accessToken ?? '';
    clock += 2 * 60 * 60 * 1000;
    const accounts = await graph('/me/accounts', user.token);
    const debug = await graph(`/debug_token?input_token=${user.token}`, APP_TOKEN);
    const wrongKind = await graph('/me/accounts', pageToken);
    expect(accounts).toMatchObject({ status: 400, body: { error: { code: 190, error_subcode: 463 } } });
    expect(debug.body.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 463 } });
    expect(wrongKind.body.error).toMatchObject({
      code: 100,
      message: '(#100) Tried accessing nonexisting field (accounts) on node type (Page)',
    });
  });

  test('a proof given with a user token must be right; subscribed_apps answers GET with the subscribed fields', async () => {
    const user = emulator.createUser({ pages: 1, lifetime: 'never', firstPageId: 2_820_000_000_000_001n });
    const [pageId = ''] = user.pageIds;
    const token = emulator.pages.get(pageId)?.accessToken ?? '';
    const time = String(seconds(clock));
    const proof = (secret: string) =>
      createHmac('sha256', secret).update(`${user.token}|${time}`).digest('hex');
    const right = await graph(
      `/me/accounts?appsecret_proof=${proof(EMULATOR_APP.secret)}&appsecret_time=${time}`,
      user.token,
    );
    const wrong = await graph(
      `/me/accounts?appsecret_proof=${proof('not-the-secret')}&appsecret_time=${time}`,
      user.token,
    );
    const none = await graph(`/${pageId}/subscribed_apps`, token);
    await graph(`/${pageId}/subscribed_apps?subscribed_fields=messages,message_echoes`, token, 'POST');
    const some = await graph(`/${pageId}/subscribed_apps`, token);
    expect(right.status).toBe(200);
    expect(wrong.body.error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
    expect(none.body).toEqual({ data: [] });
    expect(some.body.data).toEqual([
      expect.objectContaining({ id: EMULATOR_APP.id, subscribed_fields: ['messages', 'message_echoes'] }),
    ]);
  });
});

describe('the demo’s user (npm start prints its token)', () => {
  test('manages two demo Pages and two more with conversations, never expires, and the first demo Page has its Instagram account linked, the one its Instagram threads name', async () => {
    // Prepare: an emulator with the demo's Pages
    const demo = await startGraphEmulator();
    try {
      // Act
      const user = demo.createDemoUser();
      const accounts = await fetch(
        `${demo.url}/v24.0/me/accounts?fields=id,name,instagram_business_account`,
        {
          headers: { authorization: `Bearer ${DEMO_USER_TOKEN}` },
        },
      );
      const body = (await accounts.json()) as {
        data: Array<{ id: string; name: string; instagram_business_account?: { id: string } }>;
      };
      const debug = await fetch(`${demo.url}/v24.0/debug_token?input_token=${DEMO_USER_TOKEN}`, {
        headers: { authorization: `Bearer ${APP_TOKEN}` },
      });
      // Assess
      const bakery = demo.pages.get(DEMO_PAGE_IDS[0]);
      const threadAccount = bakery?.conversations.find((c) => c.platform === 'instagram')?.participants
        .data[1]?.id;
      expect(user.token).toBe(DEMO_USER_TOKEN);
      expect(body.data.map((page) => page.name)).toEqual([
        'Demo Bakery',
        'Demo Bike Shop',
        'Demo Florist',
        'Demo Cafe',
      ]);
      expect(body.data[0]?.instagram_business_account?.id).toBe(threadAccount);
      expect(body.data[1]).not.toHaveProperty('instagram_business_account');
      expect(demo.pages.get(user.pageIds[2] ?? '')?.conversations.length).toBeGreaterThan(0);
      expect(((await debug.json()) as { data: { expires_at: number } }).data.expires_at).toBe(0);
    } finally {
      await demo.close();
    }
  });
});
