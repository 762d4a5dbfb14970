import { describe, expect, test } from 'vitest';
import type { Folder, Platform } from '#lib/domain/vocabulary.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { syncPage } from '#lib/sync/page-run.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';
import { indexContents, truthRows } from './support/truth.js';

/**
 * Reconciliation over HTTP: the sync against the Graph emulator, the index in dynalite. Conversations
 * deleted in Graph or moved between folders (which Graph never reports) are found by a full listing,
 * only once every covered folder was listed whole, and the counters are exact after.
 */

const PAGE = '3100000000000001';
const NOW = new Date('2026-11-25T12:00:00Z');
const MINUTE = 60_000;
const INBOX = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;

interface Rig {
  harness: Harness;
  /** The change events the index emitted, as `DetailType` and detail. */
  events(): Array<{ type: string; detail: Record<string, unknown> }>;
  /** Moves the clock on: a run's scan begins after what earlier runs wrote. */
  later(ms?: number): void;
  now(): number;
  /** Runs `act` just before the `nth` Graph call from now (the pacer's wait before each call). */
  onGraphCall(nth: number, act: () => void): void;
  run(full?: boolean): ReturnType<typeof syncPage>;
  close(): Promise<void>;
}

async function startRig(options: {
  platform: Platform;
  folders: string;
  perPartition: number;
  env?: Record<string, string>;
}): Promise<Rig> {
  let clock = NOW.getTime();
  const logger = recordingLogger();
  let hook: { left: number; act: () => void } | undefined;
  const harness = await startHarness({
    emulator: { pages: [seedPage(PAGE, { perPartition: options.perPartition, now: NOW })] },
    env: { SYNC_PLATFORMS: options.platform, SYNC_FOLDERS: options.folders, ...options.env },
    now: () => new Date(clock),
    logger,
    registered: true,
    // Unpaced in effect; the pacer's wait, before every call but an account's first, is the hook.
    pacer: {
      callsPerSecond: 1e9,
      now: () => 0,
      sleep: async () => {
        if (hook !== undefined && --hook.left === 0) hook.act();
      },
    },
  });
  return {
    harness,
    events: () =>
      logger.lines
        .map(
          (line) => JSON.parse(line) as { message: string; event?: { DetailType: string; Detail: string } },
        )
        .flatMap((line) =>
          line.message === 'change event' && line.event !== undefined
            ? [
                {
                  type: line.event.DetailType,
                  detail: JSON.parse(line.event.Detail) as Record<string, unknown>,
                },
              ]
            : [],
        ),
    later: (ms = MINUTE) => {
      clock += ms;
    },
    now: () => clock,
    onGraphCall: (nth, act) => {
      hook = { left: nth, act };
    },
    run: (full = false) => syncPage(harness.services.sync, PAGE, full ? { full: true } : {}),
    close: () => harness.close(),
  };
}

/** The rig's index equals Graph in every covered folder, and each counter equals its folder. */
async function expectIndexTrue(rig: Rig, platform: Platform, folders: readonly Folder[]) {
  const { sync } = rig.harness.services;
  const { partitions } = await sync.state.read(PAGE);
  for (const folder of folders) {
    const truth = truthRows(rig.harness.emulator, PAGE, platform, folder);
    expect(await indexContents(sync.index, PAGE, platform, folder), folder).toEqual(truth);
    expect(await sync.index.count({ pageId: PAGE, platform, folder }), `${folder} counter`).toBe(
      truth.length,
    );
    expect(partitions[`${platform}#${folder}`]?.indexedConversations, `${folder} state`).toBe(truth.length);
  }
}

const idsIn = (rig: Rig, platform: Platform, folder: Folder) =>
  truthRows(rig.harness.emulator, PAGE, platform, folder).map(([id]) => id);

describe.each(['messenger', 'instagram'] as const)('a reconciliation of %s', (platform) => {
  test('removes conversations deleted in Graph: tombstones, one Removed event each, counters exact', async () => {
    // Prepare
    const rig = await startRig({ platform, folders: 'inbox,other', perPartition: 12 });
    try {
      expect((await rig.run()).outcome).toBe('complete');
      const [first, , third] = idsIn(rig, platform, 'inbox');
      const [otherFirst] = idsIn(rig, platform, 'other');
      const deleted = [first, third, otherFirst] as string[];
      for (const id of deleted) rig.harness.emulator.deleteConversation(PAGE, id);
      rig.later();
      const before = rig.events().length;
      // Act
      const run = await rig.run(true);
      // Assess
      expect(run.outcome).toBe('complete');
      expect(run.partitions[`${platform}#inbox`]).toMatchObject({
        removed: 2,
        moved: 0,
        conversations_changed: 0,
      });
      expect(run.partitions[`${platform}#other`]).toMatchObject({ removed: 1, moved: 0 });
      const events = rig.events().slice(before);
      expect(
        events
          .map((event) => [event.type, event.detail.reason, (event.detail.conversation as { id: string }).id])
          .sort(),
      ).toEqual(deleted.map((id) => ['Conversation Removed', 'not_listed', id]).sort());
      const held = await rig.harness.services.sync.index.readState(PAGE, platform, deleted);
      expect(deleted.map((id) => held.get(id)?.removed)).toEqual([true, true, true]);
      await expectIndexTrue(rig, platform, ['inbox', 'other']);
    } finally {
      await rig.close();
    }
  });

  test('moves conversations moved to another covered folder: one Moved event each, counters exact', async () => {
    // Prepare
    const rig = await startRig({ platform, folders: 'inbox,other', perPartition: 12 });
    try {
      await rig.run();
      const [a, b] = idsIn(rig, platform, 'inbox') as [string, string];
      const [c] = idsIn(rig, platform, 'other') as [string];
      rig.harness.emulator.moveConversation(PAGE, a, 'other');
      rig.harness.emulator.moveConversation(PAGE, b, 'other');
      rig.harness.emulator.moveConversation(PAGE, c, 'inbox');
      rig.later();
      const before = rig.events().length;
      // Act
      const run = await rig.run(true);
      // Assess
      expect(run.partitions[`${platform}#other`]).toMatchObject({
        moved: 2,
        removed: 0,
        conversations_changed: 2,
      });
      expect(run.partitions[`${platform}#inbox`]).toMatchObject({
        moved: 1,
        removed: 0,
        conversations_changed: 1,
      });
      const events = rig.events().slice(before);
      expect(
        events.map((event) => [event.type, event.detail.from_folder, event.detail.folder]).sort(),
      ).toEqual(
        [
          ['Conversation Moved', 'inbox', 'other'],
          ['Conversation Moved', 'inbox', 'other'],
          ['Conversation Moved', 'other', 'inbox'],
        ].sort(),
      );
      await expectIndexTrue(rig, platform, ['inbox', 'other']);
    } finally {
      await rig.close();
    }
  });

  test('removes a conversation moved to a folder the sync does not cover, and indexes one it lacked', async () => {
    // Prepare: one moved to page_done (not covered); one new in Graph below the mark, which no
    // incremental pass reads.
    const rig = await startRig({ platform, folders: 'inbox,other', perPartition: 12 });
    try {
      await rig.run();
      const inbox = truthRows(rig.harness.emulator, PAGE, platform, 'inbox');
      const [moved] = inbox[0] as [string, string];
      const oldest = new Date((inbox.at(-1)?.[1] ?? '').replace('+0000', 'Z'));
      const [lacked] = rig.harness.emulator.addConversations(PAGE, platform, 'inbox', 1, oldest);
      rig.harness.emulator.moveConversation(PAGE, moved, 'page_done');
      rig.later();
      const before = rig.events().length;
      // Act
      const run = await rig.run(true);
      // Assess
      expect(run.partitions[`${platform}#inbox`]).toMatchObject({
        removed: 1,
        moved: 0,
        conversations_changed: 1,
      });
      const events = rig.events().slice(before);
      expect(
        events.map((event) => [event.type, (event.detail.conversation as { id: string }).id]).sort(),
      ).toEqual(
        [
          ['Conversation Changed', lacked?.id],
          ['Conversation Removed', moved],
        ].sort(),
      );
      await expectIndexTrue(rig, platform, ['inbox', 'other']);
    } finally {
      await rig.close();
    }
  });
});

// Hundreds of conversations, written through dynalite on a machine other suites share: slow, not timed.
describe('a reconciliation cut short', { timeout: 120_000 }, () => {
  test('by the call budget removes nothing until every folder was listed whole, then removes', async () => {
    // Prepare: 250 conversations are 3 listings; each run may make 2 calls, one for its incremental pass.
    const rig = await startRig({
      platform: 'messenger',
      folders: 'inbox',
      perPartition: 250,
      env: { SYNC_MAX_GRAPH_CALLS: '2' },
    });
    try {
      const backfill = [await rig.run(), await rig.run()];
      expect(backfill.map((run) => run.outcome)).toEqual(['partial', 'complete']);
      const ids = idsIn(rig, 'messenger', 'inbox');
      // Never the last of a listing (index 99, 199): Graph's cursor points at it.
      const deleted = [ids[5], ids[150], ids[240]] as string[];
      for (const id of deleted) rig.harness.emulator.deleteConversation(PAGE, id);
      const before = rig.events().length;
      // Act: the first listing, the second, the third (the look at the top after it is out of budget),
      // then a run whose own incremental pass follows the whole listing: it compares and removes.
      const runs = [];
      for (const full of [true, false, false, false]) {
        rig.later();
        runs.push(await rig.run(full));
        if (runs.length === 3) {
          expect(await rig.harness.services.sync.index.count(INBOX)).toBe(250);
          expect(rig.events().length).toBe(before);
        }
      }
      // Assess
      expect(runs.map((run) => [run.outcome, run.graphCalls])).toEqual([
        ['partial', 2],
        ['partial', 2],
        ['partial', 2],
        ['complete', 1],
      ]);
      expect(runs.map((run) => run.partitions['messenger#inbox']?.removed)).toEqual([0, 0, 0, 3]);
      expect(
        rig
          .events()
          .slice(before)
          .map((event) => event.type),
      ).toEqual(Array(3).fill('Conversation Removed'));
      const status = (await rig.harness.call(`/pages/${PAGE}/sync`)).body as SyncBody;
      expect(status.partitions[0]).toMatchObject({
        reconciled_at: expect.any(String),
        indexed_conversations: 247,
        last_run: { outcome: 'complete', removed: 3, moved: 0 },
      });
      await expectIndexTrue(rig, 'messenger', ['inbox']);
    } finally {
      await rig.close();
    }
  });

  test('by a failing Graph listing removes nothing, records the failure, and resumes where it stood', async () => {
    // Prepare: 250 conversations are 3 listings; the reconciliation's second listing is refused.
    const rig = await startRig({ platform: 'messenger', folders: 'inbox', perPartition: 250 });
    try {
      await rig.run();
      const ids = idsIn(rig, 'messenger', 'inbox');
      const deleted = [ids[3], ids[230]] as string[];
      for (const id of deleted) rig.harness.emulator.deleteConversation(PAGE, id);
      rig.later();
      const before = rig.events().length;
      // The incremental pass's call, the first listing, then the second listing: refused.
      rig.onGraphCall(3, () =>
        rig.harness.emulator.inject({
          kind: 'graph-error',
          pageId: PAGE,
          status: 403,
          error: { message: '(#10) Permission denied', type: 'OAuthException', code: 10 },
        }),
      );
      // Act
      const failed = await rig.run(true);
      const countAfterFailure = await rig.harness.services.sync.index.count(INBOX);
      const eventsAfterFailure = rig.events().length - before;
      rig.harness.emulator.resetCalls();
      rig.later();
      const resumed = await rig.run();
      // Assess
      expect(failed.outcome).toBe('failed');
      expect(failed.partitions['messenger#inbox']?.error).toMatchObject({ code: 'permission_denied' });
      expect(countAfterFailure).toBe(250);
      expect(eventsAfterFailure).toBe(0);
      // The incremental pass, the second and third listings (not the first again), the look at the top.
      expect(resumed.outcome).toBe('complete');
      expect(rig.harness.emulator.calls.map((call) => call.params.after === undefined)).toEqual([
        true,
        false,
        false,
        true,
      ]);
      expect(resumed.partitions['messenger#inbox']?.removed).toBe(2);
      expect(
        rig
          .events()
          .slice(before)
          .map((event) => event.type),
      ).toEqual(Array(2).fill('Conversation Removed'));
      await expectIndexTrue(rig, 'messenger', ['inbox']);
    } finally {
      await rig.close();
    }
  });
});

describe('what a reconciliation never removes', { timeout: 120_000 }, () => {
  test('a conversation written after the scan began, though the listing missed it (Graph reordered)', async () => {
    // Prepare: 250 conversations, 3 listings; a budget of 3 cuts the scan after its second listing.
    const rig = await startRig({ platform: 'messenger', folders: 'inbox', perPartition: 250 });
    try {
      await rig.run();
      const ids = idsIn(rig, 'messenger', 'inbox');
      const [reordered, deleted] = [ids[220], ids[240]] as [string, string];
      rig.later();
      const cut = await syncPage({ ...rig.harness.services.sync, maxGraphCalls: 3 }, PAGE, { full: true });
      // New activity lifts a conversation the scan has not reached above its cursor; another is deleted.
      rig.later();
      rig.harness.emulator.touch(PAGE, [reordered], new Date(rig.now()));
      rig.harness.emulator.deleteConversation(PAGE, deleted);
      rig.later();
      // Act: the incremental pass writes the reordered one; the last listing no longer shows it.
      const finished = await rig.run();
      // Assess
      expect(cut.outcome).toBe('partial');
      expect(finished.outcome).toBe('complete');
      expect(finished.partitions['messenger#inbox']?.removed).toBe(1);
      const held = await rig.harness.services.sync.index.readState(PAGE, 'messenger', [reordered, deleted]);
      expect([held.get(reordered)?.removed, held.get(deleted)?.removed]).toEqual([false, true]);
      await expectIndexTrue(rig, 'messenger', ['inbox']);
    } finally {
      await rig.close();
    }
  });

  test('a conversation that new activity lifts above the listing while the same run lists the folder', async () => {
    // Prepare
    const rig = await startRig({ platform: 'messenger', folders: 'inbox', perPartition: 250 });
    try {
      await rig.run();
      const reordered = idsIn(rig, 'messenger', 'inbox')[220] as string;
      rig.later();
      // Between the first listing and the second, the conversation moves to the top of the folder.
      rig.onGraphCall(3, () => rig.harness.emulator.touch(PAGE, [reordered], new Date(rig.now())));
      // Act
      const run = await rig.run(true);
      // Assess: the look at the top after the listing wrote it; nothing was removed.
      expect(run.outcome).toBe('complete');
      expect(run.partitions['messenger#inbox']).toMatchObject({ removed: 0, conversations_changed: 1 });
      expect(
        (await rig.harness.services.sync.index.readState(PAGE, 'messenger', [reordered])).get(reordered)
          ?.removed,
      ).toBe(false);
      await expectIndexTrue(rig, 'messenger', ['inbox']);
    } finally {
      await rig.close();
    }
  });

  test('anything, when replayed with nothing changed: no write, no event', async () => {
    // Prepare
    const rig = await startRig({ platform: 'messenger', folders: 'inbox,other', perPartition: 30 });
    try {
      await rig.run();
      rig.harness.emulator.deleteConversation(PAGE, idsIn(rig, 'messenger', 'inbox')[0] as string);
      rig.later();
      await rig.run(true);
      const before = rig.events().length;
      rig.later();
      // Act
      const replay = await rig.run(true);
      // Assess
      expect(replay.outcome).toBe('complete');
      expect(
        Object.values(replay.partitions).map((record) => [
          record.conversations_changed,
          record.moved,
          record.removed,
        ]),
      ).toEqual([
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expect(rig.events().length).toBe(before);
      await expectIndexTrue(rig, 'messenger', ['inbox', 'other']);
    } finally {
      await rig.close();
    }
  });
});

interface SyncBody {
  partitions: Array<{
    reconciled_at: string | null;
    indexed_conversations: number;
    last_run: Record<string, unknown> | null;
  }>;
}
