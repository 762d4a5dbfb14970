import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openApiDocument } from '#lib/http/openapi.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { startLocalSchedule } from '#lib/local/local-schedule.js';
import { createSyncRecordHandler, type QueuedRecord, SYNC_BATCH_OPTIONS } from '#lib/sync/worker.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const PAGE = '4000000000000001';

/**
 * One batch through Powertools' processor as the sync worker's entry point runs it: the ids it reports
 * for redelivery, and each message's result (undefined for one it dropped or failed).
 */
async function runSyncBatch(
  handle: ReturnType<typeof createSyncRecordHandler>,
  records: QueuedRecord[],
  remainingMs: number,
) {
  const processor = new BatchProcessor(EventType.SQS);
  const context = { getRemainingTimeInMillis: () => remainingMs } as Context;
  processor.register(records, handle, { context, ...SYNC_BATCH_OPTIONS });
  const processed = await processor.process();
  return {
    failedMessageIds: processor.response().batchItemFailures.map((failure) => failure.itemIdentifier),
    results: processed.map(([status, result]) =>
      status === 'success' ? (result as Awaited<ReturnType<typeof handle>>) : undefined,
    ),
  };
}

function schemaCheck(pointer: string) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ ...openApiDocument(), $id: 'openapi' });
  const validate = ajv.getSchema(`openapi#/components/schemas/${pointer}`);
  if (validate === undefined) throw new Error(`no schema ${pointer}`);
  return (body: unknown) => {
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  };
}

describe('GET and POST /pages/{pageId}/sync', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 30, now: NOW })] },
      env: { SYNC_PLATFORMS: 'messenger,instagram', SYNC_FOLDERS: 'inbox,other' },
      // The sync routes answer for registered Pages only, as deployments register them.
      registered: true,
    });
  });
  afterAll(() => harness.close());

  test('before any run: every configured partition, idle, nothing indexed', async () => {
    const { status, body } = await harness.call(`/pages/${PAGE}/sync`);
    expect(status).toBe(200);
    schemaCheck('SyncState')(body);
    const state = body as {
      partitions: Array<{ status: string; last_run: unknown; platform: string; folder: string }>;
    };
    expect(state.partitions.map((p) => `${p.platform}/${p.folder}`)).toEqual([
      'messenger/inbox',
      'messenger/other',
      'instagram/inbox',
      'instagram/other',
    ]);
    expect(state.partitions.every((p) => p.status === 'idle' && p.last_run === null)).toBe(true);
  });

  test('POST starts a run; a second POST while it runs does not start another', async () => {
    // Prepare: Graph hangs the first call, so the run holds its lease for a while.
    harness.emulator.inject({ kind: 'hang', pageId: PAGE, times: 1 });
    // Act
    const first = await harness.call(`/pages/${PAGE}/sync`, { method: 'POST' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await harness.call(`/pages/${PAGE}/sync`, { method: 'POST' });
    const during = (await harness.call(`/pages/${PAGE}/sync`)).body as {
      partitions: Array<{ status: string }>;
    };
    await harness.services.runner?.idle();
    const after = (await harness.call(`/pages/${PAGE}/sync`)).body as {
      partitions: Array<{ status: string; indexed_conversations: number; last_run: { outcome: string } }>;
    };
    // Assess
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ page_id: PAGE, status: 'started' });
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ page_id: PAGE, status: 'already_running' });
    expect(during.partitions.every((p) => p.status === 'running')).toBe(true);
    expect(after.partitions.every((p) => p.status === 'idle' && p.last_run.outcome === 'complete')).toBe(
      true,
    );
    expect(after.partitions.map((p) => p.indexed_conversations)).toEqual([30, 30, 30, 30]);
    schemaCheck('SyncState')(after);
  });

  test('a failed run shows its error in the contract shape', async () => {
    harness.emulator.inject({
      kind: 'graph-error',
      pageId: PAGE,
      status: 403,
      times: 4,
      error: { message: '(#10) Requires pages_messaging permission', type: 'OAuthException', code: 10 },
    });
    await harness.call(`/pages/${PAGE}/sync`, { method: 'POST' });
    await harness.services.runner?.idle();
    const { body } = await harness.call(`/pages/${PAGE}/sync`);
    schemaCheck('SyncState')(body);
    const partition = (
      body as { partitions: Array<{ status: string; last_run: { outcome: string; error: unknown } }> }
    ).partitions[0];
    expect(partition?.status).toBe('failed');
    expect(partition?.last_run.error).toMatchObject({ code: 'permission_denied', graph: { code: 10 } });
  });

  test.each([
    ['GET', '/pages/5555/sync', 404, 'unknown_page'],
    ['POST', '/pages/5555/sync', 404, 'unknown_page'],
    ['GET', '/pages/abc/sync', 400, 'invalid_request'],
    ['GET', `/pages/${PAGE}/sync?force=1`, 400, 'invalid_request'],
    ['DELETE', `/pages/${PAGE}/sync`, 405, 'method_not_allowed'],
  ])('%s %s is %i %s', async (method, path, status, code) => {
    const answer = await harness.call(path, { method });
    expect(answer.status).toBe(status);
    expect((answer.body as { error: { code: string } }).error.code).toBe(code);
  });
});

describe('the fan-out', () => {
  test('one hundred configured pages all end complete through the local schedule', async () => {
    // Prepare
    const pages = Array.from({ length: 100 }, (_, i) =>
      seedPage(String(5_000_000_000_000_000 + i), { perPartition: 4, now: NOW, seed: i }),
    );
    const harness = await startHarness({ emulator: { pages }, registered: true });
    try {
      const runner = harness.services.runner;
      if (runner === undefined) throw new Error('no in-process runner');
      const schedule = startLocalSchedule(
        runner,
        harness.services.conversations.tokens,
        0,
        recordingLogger(),
      );
      // Act
      await schedule.runOnce();
      await schedule.stop();
      // Assess
      for (const page of pages) {
        const { body } = await harness.call(`/pages/${page.id}/sync`);
        const partitions = (body as { partitions: Array<{ last_run: { outcome: string } | null }> })
          .partitions;
        expect(partitions.map((p) => p.last_run?.outcome)).toEqual([
          'complete',
          'complete',
          'complete',
          'complete',
        ]);
      }
    } finally {
      await harness.close();
    }
  }, 120_000);

  test('the queue worker syncs each message, ignores junk, and returns only what must come back', async () => {
    const harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 5, now: NOW })] },
    });
    try {
      const logger = recordingLogger();
      const handle = createSyncRecordHandler(harness.services.sync, logger);
      const outcome = await runSyncBatch(
        handle,
        [
          { messageId: 'm1', body: JSON.stringify({ pageId: PAGE }) },
          { messageId: 'm2', body: 'not json' },
          { messageId: 'm3', body: JSON.stringify({ pageId: PAGE }) },
        ],
        60_000,
      );
      expect(outcome.failedMessageIds).toEqual([]);
      expect(outcome.results.map((r) => r?.outcome)).toEqual(['complete', undefined, 'complete']);
      expect(logger.lines.some((line) => line.includes('not a sync work item'))).toBe(true);
      const late = await runSyncBatch(
        handle,
        [{ messageId: 'm4', body: JSON.stringify({ pageId: PAGE }) }],
        1_000,
      );
      expect(late.failedMessageIds).toEqual(['m4']);
    } finally {
      await harness.close();
    }
    // Four hundred partition scans against real local servers: minutes on a loaded shared machine.
  }, 180_000);
});
