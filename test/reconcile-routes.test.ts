import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { syncPage } from '#lib/sync/page-run.js';
import { readSyncStatus, requestSync, type SyncControlDependencies } from '#lib/sync/sync-control.js';
import { type Harness, startHarness } from './support/harness.js';
import { truthRows } from './support/truth.js';

/**
 * `POST /pages/{pageId}/sync?full=true` over HTTP: the run it starts reconciles; `full` takes `true`
 * only. `GET /pages/{pageId}/sync` shows `running` from the 202 until a run records its end, and each
 * partition's `reconciled_at` and `last_run.removed` / `moved`.
 */

const PAGE = '3300000000000001';
const NOW = new Date('2026-11-25T12:00:00Z');

interface SyncBody {
  partitions: Array<{
    folder: string;
    status: string;
    reconciled_at: string | null;
    indexed_conversations: number;
    last_run: { outcome: string; removed: number; moved: number } | null;
  }>;
}

describe('POST /pages/{pageId}/sync?full=true', () => {
  let harness: Harness;
  let clock = NOW.getTime();
  beforeAll(async () => {
    harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 12, now: NOW })] },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox,other' },
      now: () => new Date(clock),
      registered: true,
    });
    await syncPage(harness.services.sync, PAGE);
  });
  afterAll(() => harness.close());

  test.each([
    ['full=yes'],
    ['full=false'],
    ['full=TRUE'],
    ['full='],
    ['full=true&full=true'],
    ['fully=true'],
  ])('?%s is 400 invalid_request naming the parameter, and starts nothing', async (query) => {
    // Act
    const answer = await harness.call(`/pages/${PAGE}/sync?${query}`, { method: 'POST' });
    await harness.services.runner.idle();
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: 'invalid_request', parameter: query.startsWith('fully') ? 'fully' : 'full' },
    });
    const status = (await harness.call(`/pages/${PAGE}/sync`)).body as SyncBody;
    expect(status.partitions.every((partition) => partition.status === 'idle')).toBe(true);
  });

  test('starts a run that reconciles: removed counted, reconciled_at the run, counters exact', async () => {
    // Prepare
    const [deleted] = truthRows(harness.emulator, PAGE, 'messenger', 'other')[0] as [string, string];
    harness.emulator.deleteConversation(PAGE, deleted);
    clock += 60_000;
    // Act
    const answer = await harness.call(`/pages/${PAGE}/sync?full=true`, { method: 'POST' });
    await harness.services.runner.idle();
    const status = (await harness.call(`/pages/${PAGE}/sync`)).body as SyncBody;
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ page_id: PAGE, status: 'started' });
    expect(status.partitions.map((p) => [p.folder, p.status, p.reconciled_at, p.last_run?.removed])).toEqual([
      ['inbox', 'idle', new Date(clock).toISOString(), 0],
      ['other', 'idle', new Date(clock).toISOString(), 1],
    ]);
    expect(status.partitions.map((p) => p.indexed_conversations)).toEqual([12, 11]);
  });

  test('asked while a run holds the Page: already_running, and the next run reconciles', async () => {
    // Prepare: another run holds the lease.
    const [deleted] = truthRows(harness.emulator, PAGE, 'messenger', 'inbox')[0] as [string, string];
    harness.emulator.deleteConversation(PAGE, deleted);
    clock += 60_000;
    const { state } = harness.services.sync;
    expect(await state.acquire(PAGE, 'another-run', clock, 30_000)).toBeDefined();
    // Act
    const answer = await harness.call(`/pages/${PAGE}/sync?full=true`, { method: 'POST' });
    await harness.services.runner.idle();
    clock += 60_000; // the other run's lease lapses
    const next = await syncPage(harness.services.sync, PAGE);
    // Assess
    expect(answer.body).toEqual({ page_id: PAGE, status: 'already_running' });
    expect(next.partitions['messenger#inbox']).toMatchObject({ outcome: 'complete', removed: 1 });
  });
});

describe('GET /pages/{pageId}/sync while a POSTed run waits to start', () => {
  test('shows running from the 202 until a run records its end, and not for ever', async () => {
    // Prepare: the real store on dynalite; a starter that only queues, as SQS does.
    let clock = NOW.getTime();
    const harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 3, now: NOW })] },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
      now: () => new Date(clock),
      registered: true,
    });
    try {
      const queued: string[] = [];
      const control: SyncControlDependencies = {
        ...harness.services.api.control,
        starter: { start: async (pageId) => void queued.push(pageId) },
      };
      await syncPage(harness.services.sync, PAGE);
      clock += 1_000;
      // Act
      const started = await requestSync(control, PAGE);
      const waiting = await readSyncStatus(control, PAGE);
      clock += 1_000;
      await syncPage(harness.services.sync, PAGE);
      const ended = await readSyncStatus(control, PAGE);
      await requestSync(control, PAGE);
      clock += 15 * 60_000;
      const lost = await readSyncStatus(control, PAGE);
      // Assess
      expect(started.status).toBe('started');
      expect(queued).toEqual([PAGE, PAGE]);
      expect([waiting, ended, lost].map((status) => status.partitions[0]?.status)).toEqual([
        'running',
        'idle',
        'idle',
      ]);
    } finally {
      await harness.close();
    }
  });
});
