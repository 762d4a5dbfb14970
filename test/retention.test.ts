import { afterEach, describe, expect, it } from 'vitest';
import { graphTimeSeconds } from '#lib/local/graph-emulator-seed.js';
import { syncPage } from '#lib/sync/page-run.js';
import { PAGE_ID, type PrivacyRig, startPrivacyRig } from './support/privacy-rig.js';

/**
 * `RETENTION_DAYS` over HTTP and through the sync: nothing older is indexed; what ages past it leaves
 * the index as a tombstone with reason `expired` (one event each) when a read or the daily sweep finds it.
 */

const DAY_MS = 86_400_000;
let rig: PrivacyRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** The covered conversations Graph lists, with their activity time in ms. */
function covered(started: PrivacyRig) {
  return (started.emulator.pages.get(PAGE_ID)?.conversations ?? [])
    .filter((c) => c.folder === 'inbox' || c.folder === 'other')
    .map((c) => ({
      id: c.id,
      platform: c.platform,
      folder: c.folder,
      at: graphTimeSeconds(c.updated_time) * 1000,
    }));
}

async function everythingListed(started: PrivacyRig, extra = '') {
  const lists = await Promise.all(
    (['messenger', 'instagram'] as const).flatMap((platform) =>
      ['inbox', 'other'].map((folder) => started.listed(platform, folder, extra)),
    ),
  );
  return lists.flat();
}

describe('RETENTION_DAYS', () => {
  it('indexes nothing older than the retention', async () => {
    // Prepare
    rig = await startPrivacyRig({ env: { RETENTION_DAYS: '30' } });
    const cutoff = rig.clock.now.getTime() - 30 * DAY_MS;
    const all = covered(rig);
    expect(all.some((c) => c.at < cutoff)).toBe(true);

    // Act
    await rig.fullSync();

    // Assess
    const listed = new Set((await everythingListed(rig)).map((item) => item.id));
    expect([...listed].sort()).toEqual(
      all
        .filter((c) => c.at >= cutoff)
        .map((c) => c.id)
        .sort(),
    );
  });

  it('removes on read what aged past it: hidden at once, then a tombstone with reason expired and its event', async () => {
    // Prepare: indexed within the retention, then ten days pass.
    rig = await startPrivacyRig({ env: { RETENTION_DAYS: '30' } });
    await rig.fullSync();
    rig.clock.now = new Date(rig.clock.now.getTime() + 10 * DAY_MS);
    const cutoff = rig.clock.now.getTime() - 30 * DAY_MS;
    const aged = covered(rig).filter((c) => c.at < cutoff && c.at >= cutoff - 10 * DAY_MS);
    expect(aged.length).toBeGreaterThan(0);
    const eventsBefore = rig.events.length;

    // Act
    const read = await everythingListed(rig);
    await rig.privacyQueue.idle();

    // Assess
    const agedIds = aged.map((c) => c.id);
    expect(read.map((item) => item.id).filter((id) => agedIds.includes(id as string))).toEqual([]);
    const tombstones = (await everythingListed(rig, '&include_removed=true')).filter((item) => item.removed);
    expect(tombstones.map((item) => [item.id, item.reason]).sort()).toEqual(
      agedIds.map((id) => [id, 'expired']).sort(),
    );
    const removed = rig.events.slice(eventsBefore);
    expect(removed.map((event) => ('reason' in event ? event.reason : event.change))).toEqual(
      agedIds.map(() => 'expired'),
    );
  });

  it("expires what aged past it in the scheduled run's sweep, once a day", async () => {
    // Prepare
    rig = await startPrivacyRig({ env: { RETENTION_DAYS: '30' } });
    await rig.fullSync();
    rig.clock.now = new Date(rig.clock.now.getTime() + 10 * DAY_MS);
    const cutoff = rig.clock.now.getTime() - 30 * DAY_MS;
    const aged = covered(rig).filter((c) => c.at < cutoff && c.at >= cutoff - 10 * DAY_MS);
    // The next conversation to age out, and when it does: within the day, so that the gate shows.
    const next = covered(rig)
      .filter((c) => c.at >= cutoff)
      .sort((a, b) => a.at - b.at)[0];
    if (next === undefined) throw new Error('nothing left to age');
    const agesIn = next.at - cutoff + 1_000;
    expect(agesIn).toBeLessThan(DAY_MS / 2);
    const eventsBefore = rig.events.length;
    const sweptIds = () =>
      rig?.events
        .slice(eventsBefore)
        .filter((event) => 'reason' in event && event.reason === 'expired')
        .map((event) => event.conversation.id)
        .sort() ?? [];

    // Act: a run; another once the next conversation aged, the same day; one more a day later.
    await syncPage(rig.services.sync, PAGE_ID);
    const first = sweptIds();
    rig.clock.now = new Date(rig.clock.now.getTime() + agesIn);
    await syncPage(rig.services.sync, PAGE_ID);
    const sameDay = sweptIds();
    rig.clock.now = new Date(rig.clock.now.getTime() + DAY_MS);
    await syncPage(rig.services.sync, PAGE_ID);
    const nextDay = sweptIds();

    // Assess
    expect(first).toEqual(aged.map((c) => c.id).sort());
    expect(sameDay).toEqual(first);
    expect(nextDay).toContain(next.id);
    expect(rig.events.slice(eventsBefore).every((event) => 'reason' in event)).toBe(true);
  });
});
