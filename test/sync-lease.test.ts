import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationsGraph } from '#lib/conversations/list-conversations.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { LeaseLostError, SyncStateStore } from '#lib/store/sync-state-store.js';
import { type Heartbeat, INTERVAL_HEARTBEAT, LeaseKeeper } from '#lib/sync/lease-keeper.js';
import { type PageRunResult, syncPage } from '#lib/sync/page-run.js';
import { DEFAULT_LEASE_MS } from '#lib/sync/run-context.js';
import { startHarness } from './support/harness.js';

/**
 * The sync lease, by a clock and a heartbeat the test turns by hand: a lease lapses, or is renewed,
 * exactly when the test says, whatever the load on the machine. The lease is the production one (30 s),
 * since no test waits for it.
 */

const PAGE = '3100000000000001';
const LEASE_MS = DEFAULT_LEASE_MS;
const BEAT_MS = LEASE_MS / 3;

/** A clock that stands still until told to move; it starts at the real time, so seeded data is past. */
function handClock() {
  let time = Date.now();
  return {
    now: () => new Date(time),
    advance: (ms: number) => {
      time += ms;
    },
  };
}

/** A heartbeat that beats only when `beat()` is called, and waits for the renewal it starts. */
function handHeartbeat(): Heartbeat & {
  beat(): Promise<void>;
  everyMs: number | undefined;
  running(): boolean;
} {
  let current: (() => Promise<void>) | undefined;
  const heartbeat = {
    everyMs: undefined as number | undefined,
    start(everyMs: number, beat: () => Promise<void>) {
      heartbeat.everyMs = everyMs;
      current = beat;
      return () => {
        current = undefined;
      };
    },
    beat: async () => {
      if (current === undefined) throw new Error('no heartbeat is running');
      await current();
    },
    running: () => current !== undefined,
  };
  return heartbeat;
}

/** The real Graph client, with its first call held until `open()`: the run waits there for the test. */
function holdFirstCall(graph: ConversationsGraph) {
  let entered!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let first = true;
  const held: ConversationsGraph = {
    async listConversations(credentials, params) {
      if (first) {
        first = false;
        entered();
        await opened;
      }
      return graph.listConversations(credentials, params);
    },
  };
  return { graph: held, reached, open };
}

describe('the lease keeper', () => {
  let dynamo: EmbeddedDynamo;
  let store: SyncStateStore;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await ensureTable(dynamo.client, 'lease');
    store = new SyncStateStore(dynamo.client, 'lease');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  /** A lease taken for `owner` at the clock's time, and its keeper, started. */
  async function keptLease(pageId: string, owner: string) {
    const clock = handClock();
    const heartbeat = handHeartbeat();
    expect(await store.acquire(pageId, owner, clock.now().getTime(), LEASE_MS)).toBeDefined();
    const keeper = new LeaseKeeper(store, pageId, owner, LEASE_MS, clock.now, heartbeat);
    keeper.start();
    return { clock, heartbeat, keeper };
  }

  it('beats every third of the lease, and each beat holds the lease a full lease from then', async () => {
    // Prepare
    const { clock, heartbeat, keeper } = await keptLease('4100000000000001', 'run-a');
    expect(heartbeat.everyMs).toBe(BEAT_MS);
    // Act: ten leases long, beating on time.
    for (let beat = 0; beat < 30; beat++) {
      clock.advance(BEAT_MS);
      await heartbeat.beat();
    }
    // Assess: still held, by this keeper and in the store (no rival can take it).
    expect(() => keeper.assertHeld()).not.toThrow();
    expect(await store.acquire('4100000000000001', 'rival', clock.now().getTime(), LEASE_MS)).toBeUndefined();
    keeper.stop();
    expect(heartbeat.running()).toBe(false);
  });

  it('stops vouching for the lease once a full lease passes without a renewal', async () => {
    // Prepare: one renewal, then the store goes quiet (no more beats).
    const { clock, heartbeat, keeper } = await keptLease('4100000000000002', 'run-a');
    clock.advance(BEAT_MS);
    await heartbeat.beat();
    // Act and assess: held until one lease after that renewal, and not a millisecond longer.
    clock.advance(LEASE_MS - 1);
    expect(() => keeper.assertHeld()).not.toThrow();
    clock.advance(1);
    expect(() => keeper.assertHeld()).toThrow(LeaseLostError);
    keeper.stop();
  });

  it('counts a checkpoint as a renewal from when it was sent', async () => {
    const { clock, keeper } = await keptLease('4100000000000003', 'run-a');
    clock.advance(LEASE_MS - 1);
    keeper.renewed(clock.now().getTime());
    clock.advance(LEASE_MS - 1);
    expect(() => keeper.assertHeld()).not.toThrow();
    clock.advance(1);
    expect(() => keeper.assertHeld()).toThrow(LeaseLostError);
    keeper.stop();
  });

  it('knows its lease is lost once a rival took it after it lapsed, even if time is left', async () => {
    // Prepare: the lease lapses unrenewed and a rival takes it.
    const { clock, heartbeat, keeper } = await keptLease('4100000000000004', 'run-a');
    clock.advance(LEASE_MS + 1);
    expect(await store.acquire('4100000000000004', 'rival', clock.now().getTime(), LEASE_MS)).toBeDefined();
    // Act: the late beat finds the lease gone; had it renewed, the lease would be held a while longer.
    await heartbeat.beat();
    // Assess
    expect(() => keeper.assertHeld()).toThrow('was lost');
    keeper.stop();
  });
});

describe('the production heartbeat', () => {
  it('beats on a real interval that never holds a process open, until stopped', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const beat = vi.fn(async () => undefined);
      const setInterval = vi.spyOn(globalThis, 'setInterval');
      const stop = INTERVAL_HEARTBEAT.start(BEAT_MS, beat);
      expect(setInterval.mock.results[0]?.value.hasRef()).toBe(false);
      vi.advanceTimersByTime(3 * BEAT_MS + 1);
      expect(beat).toHaveBeenCalledTimes(3);
      expect(vi.getTimerCount()).toBe(1);
      stop();
      vi.advanceTimersByTime(3 * BEAT_MS);
      expect(beat).toHaveBeenCalledTimes(3);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });
});

describe('the sync lease around a page run', () => {
  it('keeps a run that outlives its lease many times: no rival runs meanwhile, and every failure is recorded', async () => {
    // Prepare: four partitions, each of whose Graph calls hang until the client's (short) timeouts give
    // up. The run's first Graph call is held, so the run is surely in progress while time moves.
    const harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 3 })] },
      registered: true,
      env: { SYNC_PLATFORMS: 'messenger,instagram', SYNC_FOLDERS: 'inbox,other' },
      graph: { timeouts: { connectMs: 200, headersMs: 100, bodyMs: 100, totalMs: 250 } },
    });
    try {
      const clock = handClock();
      const heartbeat = handHeartbeat();
      const hold = holdFirstCall(harness.services.sync.graph);
      const common = { ...harness.services.sync, leaseMs: LEASE_MS, now: clock.now };
      harness.emulator.inject({ kind: 'hang', times: 100 });
      const first = syncPage({ ...common, graph: hold.graph, heartbeat }, PAGE);
      await hold.reached;
      // Act: four leases go by, the heartbeat beating on time; a rival tries at every beat.
      const rivals: PageRunResult[] = [];
      for (let beat = 0; beat < 12; beat++) {
        clock.advance(BEAT_MS);
        await heartbeat.beat();
        rivals.push(await syncPage({ ...common, heartbeat: handHeartbeat() }, PAGE));
      }
      hold.open();
      const result = await first;
      const status = await harness.call(`/pages/${PAGE}/sync`);
      // Assess: every rival found the page taken; the run recorded each partition's own failure.
      expect(rivals.map((rival) => rival.outcome)).toEqual(Array(12).fill('busy'));
      expect(result.outcome).toBe('failed');
      const partitions = (
        status.body as { partitions: Array<{ last_run: { outcome: string; error: { code: string } } }> }
      ).partitions;
      expect(partitions).toHaveLength(4);
      for (const partition of partitions) {
        expect(partition.last_run.outcome).toBe('failed');
        expect(partition.last_run.error.code).toBe('upstream_timeout');
      }
      expect(heartbeat.running()).toBe(false);
    } finally {
      await harness.close();
    }
  });

  it('lets a crashed run’s page be taken once its lease lapses, and not before', async () => {
    const harness = await startHarness({ emulator: { pages: [seedPage(PAGE, { perPartition: 3 })] } });
    try {
      // Prepare: a run that took the lease and died (no heartbeat, no release).
      const clock = handClock();
      const { state } = harness.services.sync;
      expect(await state.acquire(PAGE, 'crashed-run', clock.now().getTime(), LEASE_MS)).toBeDefined();
      const deps = {
        ...harness.services.sync,
        leaseMs: LEASE_MS,
        now: clock.now,
        heartbeat: handHeartbeat(),
      };
      // Act
      clock.advance(LEASE_MS);
      const atExpiry = await syncPage(deps, PAGE);
      clock.advance(1);
      const after = await syncPage(deps, PAGE);
      // Assess
      expect(atExpiry.outcome).toBe('busy');
      expect(after.outcome).toBe('complete');
    } finally {
      await harness.close();
    }
  });
});
