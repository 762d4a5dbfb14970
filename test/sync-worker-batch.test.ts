import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, test } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { createSyncRecordHandler, type QueuedRecord, SYNC_BATCH_OPTIONS } from '#lib/sync/worker.js';
import type { TokenSource } from '#lib/tokens/token-source.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const [PAGE_A, PAGE_B] = ['4100000000000001', '4100000000000002'];

/** Each listing of a Page's conversations Graph was asked for, as `platform:folder`. */
function listingsOf(harness: Harness, pageId: string): string[] {
  return harness.emulator.calls
    .filter((call) => call.path.endsWith(`/${pageId}/conversations`))
    .map((call) => `${call.params.platform}:${call.params.folder}`);
}

/**
 * The sync worker's batches (10 messages an invocation, `SYNC_BATCH_OPTIONS`) through Powertools'
 * processor, over dynalite and the Graph emulator: the runs of a batch go at once, each fails alone, and
 * a Page named twice in one batch is synced once.
 */
describe('a batch of sync messages', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function runBatch(tokens: TokenSource | undefined, records: QueuedRecord[]) {
    if (harness === undefined) throw new Error('no harness');
    const deps = tokens === undefined ? harness.services.sync : { ...harness.services.sync, tokens };
    const handle = createSyncRecordHandler(deps, recordingLogger());
    const processor = new BatchProcessor(EventType.SQS);
    const context = { getRemainingTimeInMillis: () => 120_000 } as Context;
    processor.register(records, handle, { context, ...SYNC_BATCH_OPTIONS });
    const processed = await processor.process();
    return {
      failed: processor.response().batchItemFailures.map((failure) => failure.itemIdentifier),
      outcomes: processed.map(([status, result]) =>
        status === 'success' ? (result as { outcome: string } | undefined)?.outcome : status,
      ),
    };
  }
  const message = (id: string, pageId: string, full = false) => ({
    messageId: id,
    body: JSON.stringify(full ? { pageId, full: true } : { pageId }),
  });

  test('runs its Pages at once: the first waits on the second, and both complete', async () => {
    // Prepare: Page A's token is handed out only once Page B's run has asked for its own, so a worker
    // running the batch one message at a time, A first, would never finish.
    harness = await startHarness({
      emulator: {
        pages: [
          seedPage(PAGE_A, { perPartition: 3, now: NOW }),
          seedPage(PAGE_B, { perPartition: 3, now: NOW }),
        ],
      },
    });
    const original = harness.services.sync.tokens;
    let secondAsked: () => void = () => undefined;
    const second = new Promise<void>((resolve) => {
      secondAsked = resolve;
    });
    const gated: TokenSource = {
      get: async (pageId) => {
        if (pageId === PAGE_A) await second;
        else secondAsked();
        return original.get(pageId);
      },
      reload: (pageId) => original.reload(pageId),
      listPageIds: () => original.listPageIds(),
    };
    // Act
    const result = await runBatch(gated, [message('m-a', PAGE_A), message('m-b', PAGE_B)]);
    // Assess
    expect(result).toEqual({ failed: [], outcomes: ['complete', 'complete'] });
    expect(listingsOf(harness, PAGE_A).length).toBeGreaterThan(0);
    expect(listingsOf(harness, PAGE_B).length).toBeGreaterThan(0);
  });

  test('a Page named twice is synced once, both messages done; a failing Page fails alone', async () => {
    // Prepare: Page B's token cannot be read.
    harness = await startHarness({
      emulator: { pages: [seedPage(PAGE_A, { perPartition: 3, now: NOW })] },
    });
    const original = harness.services.sync.tokens;
    const tokens: TokenSource = {
      get: (pageId) =>
        pageId === PAGE_B
          ? Promise.reject(new Error('Secrets Manager is unavailable.'))
          : original.get(pageId),
      reload: (pageId) => original.reload(pageId),
      listPageIds: () => original.listPageIds(),
    };
    harness.emulator.resetCalls();
    // Act
    const result = await runBatch(tokens, [
      message('m-1', PAGE_A),
      message('m-2', PAGE_B),
      message('m-3', PAGE_A),
    ]);
    // Assess
    // Page B's run fails on its own (recorded in its sync state for the next round, as a run that
    // cannot read its token always is); Page A's two messages share one complete run.
    expect(result).toEqual({ failed: [], outcomes: ['complete', 'failed', 'complete'] });
    // One run of Page A: each of its partitions listed once (Messenger and Instagram, inbox and other).
    const listings = listingsOf(harness, PAGE_A);
    expect(listings.length).toBeGreaterThan(0);
    expect(listings).toHaveLength(new Set(listings).size);
  });

  test('a full run asked while a plain run of the same Page goes follows it, and reconciles', async () => {
    // Prepare
    harness = await startHarness({
      emulator: { pages: [seedPage(PAGE_A, { perPartition: 3, now: NOW })] },
    });
    harness.emulator.resetCalls();
    // Act
    const result = await runBatch(undefined, [message('m-plain', PAGE_A), message('m-full', PAGE_A, true)]);
    // Assess: two runs, one after the other (a lease held by the first would have made the second busy).
    expect(result).toEqual({ failed: [], outcomes: ['complete', 'complete'] });
    const listings = listingsOf(harness, PAGE_A);
    expect(listings.length).toBeGreaterThan(new Set(listings).size);
  });
});
