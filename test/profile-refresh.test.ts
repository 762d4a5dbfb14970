import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator.js';
import { PROFILE_REFRESH_MS } from '#lib/sync/page-record.js';
import { syncPage } from '#lib/sync/page-run.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * The contract: a Page's name and Instagram account "are refreshed by the scheduled sync at most once
 * a day". Runs on a clock the test moves; the profile calls counted at the emulator.
 */

const PAGE = DEMO_PAGE_IDS[0];
const HOUR = 60 * 60 * 1000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(
  env: Record<string, string> = {},
): Promise<{ harness: Harness; advance: (ms: number) => void }> {
  let time = Date.now();
  harness = await startHarness({
    registered: true,
    now: () => new Date(time),
    // Reconciliation (a daily full scan) off: its calls are not the profile's.
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox', RECONCILE_EVERY_HOURS: '0', ...env },
  });
  return { harness, advance: (ms) => (time += ms) };
}

/** `GET /{page-id}?fields=name,...`: the profile call, as the emulator saw it. */
const profileCalls = (target: Harness) =>
  target.emulator.calls.filter((call) => call.path === `/v24.0/${PAGE}`).length;

describe('the profile refresh of a scheduled run', () => {
  it('reads the profile once for two runs within a day, and again a day later', async () => {
    // Prepare
    const { harness: target, advance } = await start();
    const page = target.emulator.pages.get(PAGE);
    if (page === undefined) throw new Error('no demo page');
    // Act
    const first = await syncPage(target.services.sync, PAGE);
    const afterFirst = profileCalls(target);
    page.name = 'Demo Bakery & Café';
    advance(PROFILE_REFRESH_MS - HOUR);
    const second = await syncPage(target.services.sync, PAGE);
    const afterSecond = profileCalls(target);
    const nameWithinTheDay = (await target.services.sync.registry?.get(PAGE))?.name;
    advance(HOUR);
    const third = await syncPage(target.services.sync, PAGE);
    const afterThird = profileCalls(target);
    const record = await target.services.sync.registry?.get(PAGE);
    // Assess
    expect([first.outcome, second.outcome, third.outcome]).toEqual(['complete', 'complete', 'complete']);
    expect([afterFirst, afterSecond, afterThird]).toEqual([1, 1, 2]);
    // A run is one list call per partition, plus the profile call on the day's first run.
    expect([first.graphCalls, second.graphCalls, third.graphCalls]).toEqual([2, 1, 2]);
    expect(nameWithinTheDay).toBe('Demo Bakery');
    expect(record?.name).toBe('Demo Bakery & Café');
    expect(record?.profileRefreshedAt).toBe(
      new Date(Date.parse(record?.profileRefreshedAt ?? '')).toISOString(),
    );
  });

  it('reads it again on the next run when that day read failed', async () => {
    // Prepare: the first run's profile reader fails, as Graph or the network may.
    const { harness: target, advance } = await start();
    const failing = {
      ...target.services.sync,
      profiles: {
        pageProfile: () => Promise.reject(new Error('connection reset')),
      },
    };
    // Act
    const first = await syncPage(failing, PAGE);
    advance(HOUR);
    const second = await syncPage(target.services.sync, PAGE);
    // Assess
    expect([first.outcome, second.outcome]).toEqual(['complete', 'complete']);
    expect(profileCalls(target)).toBe(1);
    expect((await target.services.sync.registry?.get(PAGE))?.profileRefreshedAt).toBeDefined();
  });
});

describe("the day's reads in the registry", () => {
  it('write the registry item once for the profile and the subscription, and move the Instagram mapping', async () => {
    // Prepare: the subscription checked too; a first run (its token marked valid), a day, and the
    // Page's Instagram account changes at Meta.
    const { harness: target, advance } = await start({ WEBHOOK_SUBSCRIPTION_CHECK: 'true' });
    const registry = target.services.sync.registry;
    const page = target.emulator.pages.get(PAGE);
    if (page === undefined || registry === undefined) throw new Error('no demo page or registry');
    await syncPage(target.services.sync, PAGE);
    advance(PROFILE_REFRESH_MS);
    const before = page.instagramAccountId;
    page.instagramAccountId = '17841400000000999';
    const registryWrites: string[] = [];
    target.dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } };
        const pk = input.Key?.pk?.S ?? input.Item?.pk?.S;
        const writes = ['UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand'];
        if (pk === 'PAGES' && writes.includes(context.commandName ?? '')) registryWrites.push(pk);
        return next(args);
      },
      { step: 'initialize', name: 'countRegistryWrites' },
    );
    // Act
    const run = await syncPage(target.services.sync, PAGE);
    // Assess: profile and subscription read, one write of the item under the registry's key.
    expect(run.outcome).toBe('complete');
    expect(run.graphCalls).toBe(3);
    expect(registryWrites).toHaveLength(1);
    const record = await registry.get(PAGE);
    expect(record?.instagramAccountId).toBe('17841400000000999');
    expect(record?.webhooks?.checkedAt).not.toBeNull();
    expect(await registry.pageIdForInstagramAccount('17841400000000999')).toBe(PAGE);
    expect(await registry.pageIdForInstagramAccount(before ?? '')).toBeUndefined();
  });

  it('leave a Page removed meanwhile removed', async () => {
    // Prepare
    const { harness: target } = await start();
    const registry = target.services.sync.registry;
    if (registry === undefined) throw new Error('no registry');
    await registry.remove(PAGE);
    // Act: what a run that read the Page before its removal would record after it.
    await registry.recordReads(PAGE, {
      profile: { name: 'Demo Bakery', refreshedAt: new Date().toISOString() },
      webhooks: { status: 'subscribed', fields: ['messages'], checkedAt: new Date().toISOString() },
    });
    // Assess
    expect(await registry.get(PAGE)).toBeUndefined();
  });
});
