import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EMULATOR_APP, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';

let emulator: GraphEmulator;
beforeAll(async () => {
  emulator = await startGraphEmulator({ pages: [] });
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
    expect(exchanged.body).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
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
