import { describe, expect, test } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { syncPage } from '#lib/sync/page-run.js';
import { refreshConversation } from '#lib/webhooks/refresh.js';
import { newRefreshRequest } from '#lib/webhooks/refresh-request.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';
import { indexContents, truthRows } from './support/truth.js';

/**
 * A conversation seen in another folder than the index holds is moved at once, by the incremental
 * sync and by a webhook's refresh, without waiting for a reconciliation: one `Conversation Moved`
 * event, both folders' counters exact. A refresh that finds it in no covered folder changes nothing.
 */

const PAGE = '3200000000000001';
const NOW = new Date('2026-11-25T12:00:00Z');
const FOLDERS = ['inbox', 'other'] as const;

async function withPage(
  body: (harness: Harness, events: () => Array<Record<string, unknown>>) => Promise<void>,
) {
  const logger = recordingLogger();
  const harness = await startHarness({
    emulator: { pages: [seedPage(PAGE, { perPartition: 12, now: NOW })] },
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox,other' },
    now: () => NOW,
    logger,
  });
  const events = () =>
    logger.lines
      .map((line) => JSON.parse(line) as { message: string; event?: { DetailType: string; Detail: string } })
      .flatMap((line) =>
        line.message === 'change event' && line.event !== undefined
          ? [{ type: line.event.DetailType, ...(JSON.parse(line.event.Detail) as Record<string, unknown>) }]
          : [],
      );
  try {
    expect((await syncPage(harness.services.sync, PAGE)).outcome).toBe('complete');
    await body(harness, events);
  } finally {
    await harness.close();
  }
}

async function expectFoldersTrue(harness: Harness) {
  const { index } = harness.services.sync;
  for (const folder of FOLDERS) {
    const truth = truthRows(harness.emulator, PAGE, 'messenger', folder);
    expect(await indexContents(index, PAGE, 'messenger', folder), folder).toEqual(truth);
    expect(await index.count({ pageId: PAGE, platform: 'messenger', folder }), folder).toBe(truth.length);
  }
}

const oldestIn = (harness: Harness, folder: 'inbox' | 'other') => {
  const row = truthRows(harness.emulator, PAGE, 'messenger', folder).at(-1);
  const conversation = harness.emulator.pages.get(PAGE)?.conversations.find((c) => c.id === row?.[0]);
  if (conversation === undefined) throw new Error(`no conversation in ${folder}`);
  return conversation;
};

describe('a move seen outside a reconciliation', () => {
  test('the incremental sync moves a conversation it lists in another folder, with one Moved event', async () => {
    await withPage(async (harness, events) => {
      // Prepare: new activity moves the inbox's oldest conversation to the top of other.
      const moved = oldestIn(harness, 'inbox');
      harness.emulator.moveConversation(PAGE, moved.id, 'other');
      harness.emulator.touch(PAGE, [moved.id], new Date(NOW.getTime() - 1_000));
      const before = events().length;
      // Act: a run that is not due to reconcile.
      const run = await syncPage(harness.services.sync, PAGE);
      // Assess
      expect(run.graphCalls).toBe(2);
      expect(run.partitions['messenger#other']).toMatchObject({
        conversations_changed: 1,
        moved: 1,
        removed: 0,
      });
      expect(events().slice(before)).toEqual([
        expect.objectContaining({ type: 'Conversation Moved', from_folder: 'inbox', folder: 'other' }),
      ]);
      await expectFoldersTrue(harness);
    });
  });

  test('a webhook refresh moves the conversation where it finds it, with one Moved event', async () => {
    await withPage(async (harness, events) => {
      // Prepare: moved without new activity, which no incremental pass would see.
      const moved = oldestIn(harness, 'inbox');
      harness.emulator.moveConversation(PAGE, moved.id, 'other');
      const before = events().length;
      const personId = moved.participants.data[0]?.id ?? '';
      // Act
      const outcome = await refreshConversation(
        harness.services.refresh,
        newRefreshRequest({ object: 'page', accountId: PAGE, personId }, NOW.getTime()),
      );
      // Assess
      expect(outcome).toMatchObject({ status: 'refreshed', folder: 'other', changed: 1 });
      expect(events().slice(before)).toEqual([
        expect.objectContaining({ type: 'Conversation Moved', from_folder: 'inbox', folder: 'other' }),
      ]);
      await expectFoldersTrue(harness);
    });
  });

  test('a webhook refresh that finds the conversation in no covered folder changes nothing', async () => {
    await withPage(async (harness, events) => {
      // Prepare
      const moved = oldestIn(harness, 'inbox');
      harness.emulator.moveConversation(PAGE, moved.id, 'page_done');
      const indexed = await indexContents(harness.services.sync.index, PAGE, 'messenger', 'inbox');
      const before = events().length;
      const personId = moved.participants.data[0]?.id ?? '';
      // Act
      const outcome = await refreshConversation(
        harness.services.refresh,
        newRefreshRequest({ object: 'page', accountId: PAGE, personId }, NOW.getTime()),
      );
      // Assess: only a reconciliation removes.
      expect(outcome).toMatchObject({ status: 'refreshed', folder: undefined, changed: 0 });
      expect(events().length).toBe(before);
      expect(await indexContents(harness.services.sync.index, PAGE, 'messenger', 'inbox')).toEqual(indexed);
      expect(
        await harness.services.sync.index.count({ pageId: PAGE, platform: 'messenger', folder: 'inbox' }),
      ).toBe(indexed.length);
    });
  });
});
