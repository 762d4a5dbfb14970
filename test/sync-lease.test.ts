import { describe, expect, it } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { type PageRunResult, syncPage } from '#lib/sync/page-run.js';
import { startHarness } from './support/harness.js';

/**
 * The lease against a Graph that hangs, with real timers: the run takes many times longer than its
 * lease, yet the heartbeat keeps it, no second run starts while it works, and every partition's
 * failure is recorded by the run that met it.
 */

const PAGE = '3100000000000001';
// Long enough that a heartbeat (every third of it) is never late on a loaded machine, short enough that
// a run against a hanging Graph outlives it several times.
const LEASE_MS = 1_500;

describe('the sync lease under a hanging Graph', () => {
  it('never lets two runs work at once, and records every failure', async () => {
    // Prepare: four partitions, each of whose Graph calls hangs until the client's timeouts give up
    // (three attempts of ~1 s each): the run lasts several leases.
    const harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 3 })] },
      env: { SYNC_PLATFORMS: 'messenger,instagram', SYNC_FOLDERS: 'inbox,other' },
      graph: { timeouts: { connectMs: 500, headersMs: 1_000, bodyMs: 1_000, totalMs: 3_000 } },
    });
    try {
      const deps = { ...harness.services.sync, leaseMs: LEASE_MS };
      harness.emulator.inject({ kind: 'hang', times: 100 });
      // Act: one run, and a second attempt every 100 ms while it works.
      const started = Date.now();
      let finished = false;
      const first = syncPage(deps, PAGE).finally(() => {
        finished = true;
      });
      const rivals: PageRunResult[] = [];
      while (!finished) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (!finished) rivals.push(await syncPage(deps, PAGE));
      }
      const result = await first;
      const elapsed = Date.now() - started;
      const status = await harness.call(`/pages/${PAGE}/sync`);
      // Assess: the run outlived its lease several times over, and every rival found it taken.
      expect(elapsed).toBeGreaterThan(3 * LEASE_MS);
      expect(rivals.length).toBeGreaterThan(3);
      expect(rivals.map((rival) => rival.outcome).filter((outcome) => outcome !== 'busy')).toEqual([]);
      expect(result.outcome).toBe('failed');
      const partitions = (
        status.body as { partitions: Array<{ last_run: { outcome: string; error: { code: string } } }> }
      ).partitions;
      expect(partitions).toHaveLength(4);
      for (const partition of partitions) {
        expect(partition.last_run.outcome).toBe('failed');
        expect(partition.last_run.error.code).toBe('upstream_timeout');
      }
    } finally {
      await harness.close();
    }
  });

  it('lets a crashed run’s page be taken once its short lease lapses', async () => {
    const harness = await startHarness({ emulator: { pages: [seedPage(PAGE, { perPartition: 3 })] } });
    try {
      // Prepare: a run that took the lease and died (no heartbeat, no release).
      const { state } = harness.services.sync;
      expect(await state.acquire(PAGE, 'crashed-run', Date.now(), LEASE_MS)).toBeDefined();
      const deps = { ...harness.services.sync, leaseMs: LEASE_MS, now: () => new Date() };
      // Act
      const during = await syncPage(deps, PAGE);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 50));
      const after = await syncPage(deps, PAGE);
      // Assess
      expect(during.outcome).toBe('busy');
      expect(after.outcome).toBe('complete');
    } finally {
      await harness.close();
    }
  });
});
