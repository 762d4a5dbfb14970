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

async function start(): Promise<{ harness: Harness; advance: (ms: number) => void }> {
  let time = Date.now();
  harness = await startHarness({
    registered: true,
    now: () => new Date(time),
    // Reconciliation (a daily full scan) off: its calls are not the profile's.
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox', RECONCILE_EVERY_HOURS: '0' },
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
