import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, test } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { BackoffStore } from '#lib/store/backoff-store.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { SyncStateStore } from '#lib/store/sync-state-store.js';
import { type SyncDependencies, syncPage } from '#lib/sync/page-run.js';
import { startHarness } from './support/harness.js';
import { indexContents, truthRows } from './support/truth.js';

const PAGE = '3000000000000001';
const OTHER = '3000000000000002';
const NOW = new Date('2026-11-25T12:00:00Z');
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** A DynamoDB client that "dies" at its k-th write: that write and everything after it fail. */
function dyingClient(endpoint: string, dieAtWrite: number): DynamoDBClient {
  const client = createDynamoClient({ endpoint });
  let writes = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(String(context.commandName))) writes += 1;
      if (writes >= dieAtWrite) throw new Error('simulated crash');
      return next(args);
    },
    { step: 'initialize', name: 'simulatedCrash' },
  );
  return client;
}

describe('a run killed at each write point', () => {
  // A backfill of 230 conversations takes 3 Graph pages. Its writes, in order: the lease (1), index
  // items 2..101 (16 at a time), their counter 102, checkpoint 103, items 104..203, counter 204,
  // checkpoint 205, items 206..235, counter 236, the release 237. Dying at 60 or 150 is a kill in the
  // middle of a Graph page: some of its items are written, none counted.
  test.each([1, 2, 60, 101, 102, 103, 150, 204, 205, 235, 236, 237])(
    'dying at write %i, the next run completes with nothing lost, nothing counted twice and exact counters',
    async (dieAt) => {
      // Prepare
      let now = NOW.getTime();
      const harness = await startHarness({
        emulator: { pages: [seedPage(PAGE, { perPartition: 230, now: NOW })] },
        env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
        now: () => new Date(now),
      });
      try {
        const { sync } = harness.services;
        const truth = truthRows(harness.emulator, PAGE, 'messenger', 'inbox');
        const dying = dyingClient(harness.dynamo.endpoint, dieAt);
        const doomed: SyncDependencies = {
          ...sync,
          index: new ConversationIndex(dying, harness.tableName),
          state: new SyncStateStore(dying, harness.tableName),
          backoff: new BackoffStore({ client: dying, tableName: harness.tableName }),
        };
        // Act
        await expect(syncPage(doomed, PAGE)).rejects.toThrow();
        const survived = (await indexContents(sync.index, PAGE, 'messenger', 'inbox')).length;
        // The dead run's lease must lapse before another run may start.
        expect((await syncPage(sync, PAGE)).outcome).toBe(dieAt === 1 ? 'complete' : 'busy');
        now += 120_000;
        const recovery = dieAt === 1 ? undefined : await syncPage(sync, PAGE);
        // Assess
        expect(await indexContents(sync.index, PAGE, 'messenger', 'inbox')).toEqual(truth);
        if (recovery !== undefined) {
          expect(recovery.outcome).toBe('complete');
          expect(recovery.conversationsChanged).toBe(truth.length - survived);
        }
        const { partitions } = await sync.state.read(PAGE);
        expect(partitions['messenger#inbox']?.indexedConversations).toBe(truth.length);
        expect(await sync.index.count({ pageId: PAGE, platform: 'messenger', folder: 'inbox' })).toBe(
          truth.length,
        );
        dying.destroy();
      } finally {
        await harness.close();
      }
    },
  );
});

/** A DynamoDB client whose k-th write fails once, as a throttled or timed-out write does; the rest go through. */
function flakyClient(endpoint: string, failWrite: number): DynamoDBClient {
  const client = createDynamoClient({ endpoint });
  let writes = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(String(context.commandName)) && ++writes === failWrite) throw new Error('write refused');
      return next(args);
    },
    { step: 'initialize', name: 'flakyWrite' },
  );
  return client;
}

describe('an index write that fails in a live run', () => {
  test('the run records the partition failed and leaves its counter exact; the next run completes it', async () => {
    // Prepare: write 60 is an item in the middle of the first Graph page (see the write order above).
    const harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 230, now: NOW })] },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
      now: () => NOW,
    });
    try {
      const { sync } = harness.services;
      const partition = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
      const truth = truthRows(harness.emulator, PAGE, 'messenger', 'inbox');
      const flaky = flakyClient(harness.dynamo.endpoint, 60);
      // Act
      const first = await syncPage({ ...sync, index: new ConversationIndex(flaky, harness.tableName) }, PAGE);
      const landed = (await indexContents(sync.index, PAGE, 'messenger', 'inbox')).length;
      const countedAfterFirst = await sync.index.count(partition);
      const second = await syncPage(sync, PAGE);
      // Assess
      expect(first.outcome).toBe('failed');
      expect(landed).toBeGreaterThan(0);
      expect(countedAfterFirst).toBe(landed);
      expect(second.outcome).toBe('complete');
      expect(await sync.index.count(partition)).toBe(truth.length);
      const { partitions } = await sync.state.read(PAGE);
      expect(partitions['messenger#inbox']?.indexedConversations).toBe(truth.length);
      flaky.destroy();
    } finally {
      await harness.close();
    }
  });
});

describe('page-level faults', () => {
  test('an expired token and a throttled page record failed and skipped, without touching other pages', async () => {
    // Prepare
    const harness = await startHarness({
      emulator: {
        pages: [
          seedPage(PAGE, { perPartition: 20, now: NOW }),
          seedPage(OTHER, { perPartition: 20, now: NOW }),
          seedPage('3000000000000003', { perPartition: 20, now: NOW }),
        ],
      },
      env: { SYNC_PLATFORMS: 'messenger,instagram', SYNC_FOLDERS: 'inbox' },
      // The sync routes answer for registered Pages only.
      registered: true,
    });
    try {
      harness.emulator.inject({
        kind: 'graph-error',
        pageId: PAGE,
        status: 400,
        times: 2,
        error: {
          message: 'Error validating access token: Session has expired',
          type: 'OAuthException',
          code: 190,
          error_subcode: 463,
        },
      });
      harness.emulator.inject({
        kind: 'graph-error',
        pageId: OTHER,
        status: 400,
        error: {
          message: '(#613) Calls to this api have exceeded the rate limit.',
          type: 'OAuthException',
          code: 613,
        },
      });
      // Act
      const results = await harness.services.runner?.syncAll([PAGE, OTHER, '3000000000000003'], 3);
      const expired = (await harness.call(`/pages/${PAGE}/sync`)).body as SyncBody;
      const throttled = (await harness.call(`/pages/${OTHER}/sync`)).body as SyncBody;
      const healthy = (await harness.call('/pages/3000000000000003/sync')).body as SyncBody;
      // Assess
      expect(results?.map((r) => [r.pageId, r.outcome]).sort()).toEqual(
        [
          [PAGE, 'failed'],
          [OTHER, 'skipped'],
          ['3000000000000003', 'complete'],
        ].sort(),
      );
      for (const partition of expired.partitions) {
        expect(partition.status).toBe('failed');
        expect(partition.last_run?.error).toMatchObject({
          code: 'page_token_invalid',
          graph: { code: 190, error_subcode: 463 },
        });
      }
      for (const partition of throttled.partitions) {
        expect(partition.status).toBe('idle');
        expect(partition.last_run?.outcome).toBe('skipped');
        expect(partition.last_run?.error).toMatchObject({
          code: 'rate_limited',
          retry_at: expect.any(String),
        });
      }
      // One call found the throttle; the page's other partitions did not call Graph again.
      expect(harness.emulator.calls.filter((call) => call.pageId === OTHER)).toHaveLength(1);
      expect(
        healthy.partitions.every((p) => p.last_run?.outcome === 'complete' && p.indexed_conversations === 20),
      ).toBe(true);
    } finally {
      await harness.close();
    }
  });

  test('two concurrent runs for one page do not both sync', async () => {
    const harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 150, now: NOW })] },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
    });
    try {
      const [first, second] = await Promise.all([
        syncPage(harness.services.sync, PAGE),
        syncPage(harness.services.sync, PAGE),
      ]);
      expect([first.outcome, second.outcome].sort()).toEqual(['busy', 'complete']);
      expect(harness.emulator.callCount()).toBe(2);
    } finally {
      await harness.close();
    }
  });
});

interface SyncBody {
  page_id: string;
  partitions: Array<{
    platform: string;
    folder: string;
    status: string;
    indexed_conversations: number;
    last_run: { outcome: string; error: Record<string, unknown> | null } | null;
  }>;
}
