import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { ConfigurationError, PageTokenInvalidError } from '#lib/domain/errors.js';
import { EMULATOR_APP } from '#lib/local/graph-emulator.js';
import { connectPages } from '#lib/pages/connect.js';
import { addPage } from '#lib/pages/manage-pages.js';
import { checkPageToken } from '#lib/pages/token-check.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { PREFIX, useOnboardingRig } from './support/onboarding-rig.js';

// One clock for the emulator (token lifetimes), the Graph client (appsecret_proof's time) and connect.
let clock = Date.parse('2026-12-01T09:00:00Z');
const now = () => new Date(clock);
const rig = useOnboardingRig({ emulatorNow: now });
const HOUR = 60 * 60 * 1000;

async function onboarding() {
  const { registry, vault, graph } = await rig.onboarding({ now });
  const started: string[] = [];
  const deps = {
    registry,
    vault,
    graph,
    startSync: async (pageId: string) => {
      started.push(pageId);
      return 'started';
    },
  };
  return { deps, registry, started };
}

const writes = () => rig.secrets.calls(CreateSecretCommand) + rig.secrets.calls(PutSecretValueCommand);
const callsTo = (path: string) => rig.emulator.calls.filter((call) => call.path.endsWith(path));

describe('connect: tokens that last', () => {
  test('with the app id and secret, a short-lived user token is exchanged: its Page tokens never expire, are stored with the app secret, and every call carries appsecret_proof', async () => {
    // Prepare: a user token as Graph API Explorer gives it, good for an hour
    const { deps, registry } = await onboarding();
    const user = rig.emulator.createUser({ pages: 2, firstPageId: 3_100_000_000_000_001n });
    rig.emulator.resetCalls();
    // Act
    const report = await connectPages(deps, { userToken: user.token, app: { ...EMULATOR_APP }, now });
    // Assess
    expect(report.exchanged?.expiresAt).toEqual(new Date(clock + 60 * 24 * HOUR));
    expect(report.rows.map((row) => [row.action, row.tokenExpiresAt])).toEqual([
      ['registered', undefined],
      ['registered', undefined],
    ]);
    expect(callsTo('/oauth/access_token')).toHaveLength(1);
    const accounts = callsTo('/me/accounts');
    expect(accounts.length).toBeGreaterThan(0);
    // The emulator checks a proof it is given: these calls succeeded with one.
    for (const call of accounts) expect(call.params.appsecret_time).toBe(String(Math.floor(clock / 1000)));
    const tokens = new SecretsManagerTokenSource({ client: rig.secrets.client, prefix: PREFIX, registry });
    const stored = await tokens.get(user.pageIds[0] ?? '');
    expect(stored.appSecret).toBe(EMULATOR_APP.secret);
    expect(JSON.stringify(report)).not.toContain(user.token);
  });

  test('without the app, Page tokens from a short-lived user token expire within the hour: refused, with how to get lasting ones, and nothing stored; allowed, they are stored with a note', async () => {
    // Prepare
    const { deps, registry, started } = await onboarding();
    const user = rig.emulator.createUser({ pages: 3, firstPageId: 3_200_000_000_000_001n });
    // Act
    const refused = await connectPages(deps, { userToken: user.token, now });
    const writesAfterRefusal = writes();
    const allowed = await connectPages(deps, { userToken: user.token, allowExpiringTokens: true, now });
    // Assess
    const expiry = new Date(clock + HOUR).toISOString();
    expect(refused.rows.map((row) => row.action)).toEqual(['refused', 'refused', 'refused']);
    expect(refused.rows[0]?.missing).toEqual([`its Page token expires ${expiry} (in 60 minutes)`]);
    expect(refused.rows[0]?.tokenExpiresAt).toEqual(new Date(clock + HOUR));
    expect(writesAfterRefusal).toBe(0);
    expect(started).toEqual(user.pageIds.filter((pageId) => allowed.rows.some((r) => r.pageId === pageId)));
    expect(allowed.rows.map((row) => row.action)).toEqual(['registered', 'registered', 'registered']);
    expect(allowed.rows[1]?.missing).toEqual([
      `stored although its Page token expires ${expiry} (in 60 minutes)`,
    ]);
    expect(await registry.listPageIds()).toEqual(user.pageIds);
  });

  test('a user token past its hour is refused before anything is stored, with Graph’s reason', async () => {
    const { deps, registry } = await onboarding();
    const user = rig.emulator.createUser({ pages: 1, firstPageId: 3_300_000_000_000_001n });
    clock += 2 * HOUR;
    const attempt = connectPages(deps, { userToken: user.token, now });
    await expect(attempt).rejects.toBeInstanceOf(PageTokenInvalidError);
    await expect(attempt).rejects.toThrow(
      /user access token is not valid: Error validating access token: Session has expired/,
    );
    expect(await registry.listPageIds()).toEqual([]);
    expect(writes()).toBe(0);
  });
});

describe('the wrong kind of token', () => {
  test('connect given a Page token names the kind it takes and the command for that Page; add given a user token, or another Page’s, likewise', async () => {
    // Prepare
    const { deps, registry } = await onboarding();
    const user = rig.emulator.createUser({
      pages: 2,
      lifetime: 'never',
      firstPageId: 3_400_000_000_000_001n,
    });
    const [first = '', second = ''] = user.pageIds;
    const pageToken = rig.emulator.pages.get(first)?.accessToken ?? '';
    // Act
    const connect = connectPages(deps, { userToken: pageToken, now });
    const addUser = addPage(deps, first, { accessToken: user.token }, { now });
    const addOther = addPage(deps, second, { accessToken: pageToken }, { now });
    // Assess
    await expect(connect).rejects.toBeInstanceOf(ConfigurationError);
    await expect(connect).rejects.toThrow(
      `This is a Page access token (of Page ${first}); connect takes a user access token`,
    );
    await expect(connect).rejects.toThrow(`npm run pages -- add ${first} --token-file PATH`);
    await expect(addUser).rejects.toThrow(
      "This is a user access token; add takes the Page's own access token",
    );
    await expect(addOther).rejects.toThrow(
      `This is the Page access token of Page ${first}, not of Page ${second}.`,
    );
    expect(await registry.listPageIds()).toEqual([]);
    expect(writes()).toBe(0);
  });

  test('add refuses a Page token that expires within a week, saying how to get one that lasts', async () => {
    const { deps, registry } = await onboarding();
    const user = rig.emulator.createUser({ pages: 1, firstPageId: 3_500_000_000_000_001n });
    const [pageId = ''] = user.pageIds;
    // Listed with the short-lived user token, the Page token lasts as long as it.
    for await (const _ of deps.graph.managedPages({ accessToken: user.token })) {
      // walking the listing is the point
    }
    const token = rig.emulator.pages.get(pageId)?.accessToken ?? '';
    await expect(addPage(deps, pageId, { accessToken: token }, { now })).rejects.toThrow(
      `Page ${pageId} was not added: its Page token expires ${new Date(clock + HOUR).toISOString()} (in 60 minutes). Get tokens that last`,
    );
    expect(await registry.listPageIds()).toEqual([]);
    const allowed = await addPage(deps, pageId, { accessToken: token }, { now, allowExpiringTokens: true });
    expect(allowed).toMatchObject({ outcome: 'created', firstSync: 'started' });
    expect(allowed.warning).toMatch(/^stored although its Page token expires/);
  });
});

describe('onboarding calls go through the product’s Graph client', () => {
  test('a transient failure is retried, a token Graph echoes is scrubbed, and an answer over 5 MB is refused', async () => {
    // Prepare
    const { deps } = await onboarding();
    const user = rig.emulator.createUser({
      pages: 1,
      lifetime: 'never',
      firstPageId: 3_600_000_000_000_001n,
    });
    rig.emulator.resetCalls();
    // Act: a transient 500 on the first call (debug_token)
    rig.emulator.inject({
      kind: 'graph-error',
      status: 500,
      error: {
        message: 'An unexpected error has occurred.',
        type: 'OAuthException',
        code: 2,
        is_transient: true,
      },
    });
    const retried = await connectPages(deps, { userToken: user.token, now });
    rig.emulator.inject({
      kind: 'graph-error',
      status: 400,
      error: { message: `Malformed access token ${user.token}`, type: 'OAuthException', code: 190 },
    });
    const echoed = await connectPages(deps, { userToken: user.token, now }).catch((error: Error) => error);
    rig.emulator.inject({ kind: 'http', status: 200, body: `{"data":"${'x'.repeat(6 * 1024 * 1024)}"}` });
    const oversized = await connectPages(deps, { userToken: user.token, now }).catch((error: Error) => error);
    // Assess
    expect(retried.rows.map((row) => row.action)).toEqual(['registered']);
    expect(callsTo('/debug_token').filter((call) => call.status === 500)).toHaveLength(1);
    expect(echoed).toBeInstanceOf(PageTokenInvalidError);
    expect((echoed as Error).message).toContain('[redacted]');
    expect((echoed as Error).message).not.toContain(user.token);
    expect((oversized as Error).message).toBe('Graph answered with a body over 5 MB.');
  });
});

describe('when Graph throttles debug_token', () => {
  test('a Page token is judged by the expiry its user token implies, said so, and the rest are not asked', async () => {
    // Prepare: Graph's app-level throttle (code 4) on the next call
    const { deps } = await onboarding();
    const [pageId = ''] = rig.emulator.createUser({ pages: 1, firstPageId: 3_700_000_000_000_001n }).pageIds;
    const token = rig.emulator.pages.get(pageId)?.accessToken ?? '';
    const base = { app: undefined, allowExpiring: false, now: now() };
    rig.emulator.inject({
      kind: 'graph-error',
      status: 403,
      error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 },
    });
    rig.emulator.resetCalls();
    // Act
    const throttled = await checkPageToken(deps.graph, token, {
      ...base,
      implied: new Date(clock + HOUR),
      ask: true,
    });
    const notAsked = await checkPageToken(deps.graph, token, { ...base, implied: undefined, ask: false });
    // Assess
    expect(throttled).toMatchObject({
      throttled: true,
      refusal: expect.stringMatching(/^its Page token expires .* \(in 60 minutes\)$/),
    });
    expect(throttled.note).toMatch(
      /^expiry inferred from the user token \(debug_token failed: Graph is throttling/,
    );
    expect(notAsked).toEqual({
      expiresAt: undefined,
      refusal: undefined,
      note: 'expiry inferred from the user token (Graph throttled debug_token)',
      throttled: true,
    });
    expect(rig.emulator.callCount()).toBe(1);
  });
});
