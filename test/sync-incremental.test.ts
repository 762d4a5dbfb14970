import { describe, expect, test } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { syncPage } from '#lib/sync/page-run.js';
import { type Harness, startHarness } from './support/harness.js';
import { type ConversationsAnswer, indexContents, truthRows } from './support/truth.js';

const PAGE = '2000000000000001';
const NOW = new Date('2026-11-25T12:00:00Z');

async function withPage(
  options: { perPartition: number; sharedSecond?: boolean; env?: Record<string, string> },
  body: (harness: Harness) => Promise<void>,
) {
  const harness = await startHarness({
    emulator: {
      pages: [
        seedPage(PAGE, {
          perPartition: options.perPartition,
          now: NOW,
          sharedSecond: options.sharedSecond ?? false,
        }),
      ],
    },
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox', ...options.env },
  });
  try {
    await body(harness);
  } finally {
    await harness.close();
  }
}

describe('the sync of one page', () => {
  test('a backfill under a tiny call budget completes over several runs, the index equal to Graph', async () => {
    await withPage({ perPartition: 350, env: { SYNC_MAX_GRAPH_CALLS: '2' } }, async (harness) => {
      // Prepare
      const { sync } = harness.services;
      const outcomes: string[] = [];
      // Act
      for (let run = 0; run < 4; run++) outcomes.push((await syncPage(sync, PAGE)).outcome);
      // Assess: 350 conversations at 100 a call take 4 calls, two runs of 2; the scan that finished in the
      // second run then wants one more call to look at the top again, which the third run makes.
      expect(outcomes).toEqual(['partial', 'partial', 'complete', 'complete']);
      expect(await indexContents(sync.index, PAGE, 'messenger', 'inbox')).toEqual(
        truthRows(harness.emulator, PAGE, 'messenger', 'inbox'),
      );
    });
  });

  test('a quiet re-run costs one Graph call per partition and writes no conversation', async () => {
    await withPage(
      { perPartition: 40, env: { SYNC_PLATFORMS: 'messenger,instagram', SYNC_FOLDERS: 'inbox,other' } },
      async (harness) => {
        const { sync } = harness.services;
        await syncPage(sync, PAGE);
        harness.emulator.resetCalls();
        const quiet = await syncPage(sync, PAGE);
        expect(quiet.outcome).toBe('complete');
        expect(quiet.graphCalls).toBe(4);
        expect(quiet.conversationsChanged).toBe(0);
        expect(harness.emulator.callCount()).toBe(4);
      },
    );
  });

  test('after N conversations change, the index reflects them, updated_since returns exactly them, at floor(N/limit)+1 calls', async () => {
    await withPage({ perPartition: 400 }, async (harness) => {
      // Prepare
      const { sync } = harness.services;
      await syncPage(sync, PAGE);
      const before = new Date(Date.now() - 1000);
      const truth = truthRows(harness.emulator, PAGE, 'messenger', 'inbox');
      const changed = truth
        .filter((_, i) => i % 3 === 1)
        .slice(0, 130)
        .map(([id]) => id);
      harness.emulator.touch(PAGE, changed);
      harness.emulator.resetCalls();
      // Act
      const run = await syncPage(sync, PAGE);
      // updated_since knows Pages from the registry (0.3.0), as every route does.
      await harness.services.registry.register({ pageId: PAGE, token: { kind: 'page-secret' } });
      const answer = await harness.call(
        `/pages/${PAGE}/conversations?updated_since=${before.toISOString()}&limit=100&fields=id,updated_time`,
      );
      // Assess
      expect(run.graphCalls).toBe(Math.floor(130 / 100) + 1);
      expect(run.conversationsChanged).toBe(130);
      expect(await indexContents(sync.index, PAGE, 'messenger', 'inbox')).toEqual(
        truthRows(harness.emulator, PAGE, 'messenger', 'inbox'),
      );
      const first = answer.body as ConversationsAnswer;
      expect(first.synced_at).toEqual(expect.any(String));
      const next = await harness.call(
        new URL(first.paging?.next as string).pathname + new URL(first.paging?.next as string).search,
      );
      const ids = [...first.data, ...(next.body as ConversationsAnswer).data].map((c) => c.id);
      expect(ids.sort()).toEqual([...changed].sort());
      expect((next.body as ConversationsAnswer).paging?.next).toBeUndefined();
    });
  });

  test('conversations sharing one second across page boundaries and at the mark are neither lost nor counted twice', async () => {
    await withPage(
      { perPartition: 260, sharedSecond: true, env: { SYNC_MAX_GRAPH_CALLS: '1' } },
      async (harness) => {
        // Prepare: a backfill one call per run, so that every page boundary is also a run boundary.
        const { sync } = harness.services;
        let total = 0;
        for (let run = 0; run < 5; run++) total += (await syncPage(sync, PAGE)).conversationsChanged;
        expect(total).toBe(260);
        const mark = truthRows(harness.emulator, PAGE, 'messenger', 'inbox')[0]?.[1] as string;
        // Act: new conversations land in the very second of the mark.
        const markDate = new Date(mark.replace('+0000', 'Z'));
        const added = harness.emulator.addConversations(PAGE, 'messenger', 'inbox', 5, markDate);
        const run = await syncPage(sync, PAGE);
        const rerun = await syncPage(sync, PAGE);
        // Assess
        expect(run.conversationsChanged).toBe(added.length);
        expect(rerun.conversationsChanged).toBe(0);
        expect(await indexContents(sync.index, PAGE, 'messenger', 'inbox')).toEqual(
          truthRows(harness.emulator, PAGE, 'messenger', 'inbox'),
        );
      },
    );
  });

  test('a checkpointed cursor that Graph rejects restarts the scan from the top, losing nothing', async () => {
    await withPage({ perPartition: 250, env: { SYNC_MAX_GRAPH_CALLS: '1' } }, async (harness) => {
      const { sync } = harness.services;
      expect((await syncPage(sync, PAGE)).outcome).toBe('partial');
      // The conversation the checkpointed cursor points at goes away.
      const hundredth = truthRows(harness.emulator, PAGE, 'messenger', 'inbox')[99]?.[0] as string;
      harness.emulator.deleteConversation(PAGE, hundredth);
      for (let run = 0; run < 6; run++) await syncPage(sync, PAGE);
      const index = await indexContents(sync.index, PAGE, 'messenger', 'inbox');
      const truth = truthRows(harness.emulator, PAGE, 'messenger', 'inbox');
      // The deleted conversation stays indexed (Graph says nothing of deletions); all others match.
      expect(index.filter(([id]) => id !== hundredth)).toEqual(truth);
    });
  });
});
