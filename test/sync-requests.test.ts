import { afterEach, expect, it } from 'vitest';
import { emulatorToken, generatedPageIds } from '#lib/local/graph-emulator.js';
import { PROFILE_REFRESH_MS } from '#lib/sync/page-record.js';
import { syncPage } from '#lib/sync/page-run.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * What a run asks of DynamoDB, counted per command at the client: every request is billed in AWS and
 * is the larger part of `npm start`'s CPU per run, so a change that adds one shows here, named, rather
 * than only as a slower bench. A registered Page of one conversation, one partition, reconciliation off.
 */

/** One of the emulator's generated Pages: one conversation, with one person. */
const GENERATED = { count: 1 };
const PAGE = generatedPageIds(GENERATED)[0] ?? '';
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

it('a first run, a run within the day and the next day’s run make the requests they need, no more', async () => {
  // Prepare
  let time = Date.now();
  harness = await startHarness({
    emulator: { generated: GENERATED },
    tokens: FileTokenSource.fromMap(new Map([[PAGE, { accessToken: emulatorToken(PAGE) }]])),
    now: () => new Date(time),
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox', RECONCILE_EVERY_HOURS: '0' },
  });
  const target = harness;
  await target.services.sync.registry?.register({ pageId: PAGE, token: { kind: 'page-secret' } });
  const requests = new Map<string, number>();
  target.dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? '?').replace(/Command$/, '');
      requests.set(name, (requests.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const counted = async () => {
    requests.clear();
    // No heartbeat: a lease renewal is a write a loaded machine's slow run would add.
    const run = await syncPage(
      { ...target.services.sync, heartbeat: { start: () => () => undefined } },
      PAGE,
    );
    expect(run.outcome).toBe('complete');
    return Object.fromEntries([...requests].sort(([a], [b]) => a.localeCompare(b)));
  };
  // Act
  const first = await counted();
  time += 60 * 60 * 1000;
  const within = await counted();
  time += PROFILE_REFRESH_MS;
  const nextDay = await counted();
  // Assess: a first run indexes its conversation (its person's ref, the index item, its counter, the
  // feed record, the event's clear), walks the Page once for person refs and reads the day's profile; a
  // run within the day is the lease, its pending events, back-off and sweep state, one listing, the
  // release and the summary; the next day adds the one write of the day's reads to the registry item.
  expect(first).toEqual({
    BatchGetItem: 2,
    BatchWriteItem: 1,
    GetItem: 5,
    PutItem: 2,
    Query: 3,
    UpdateItem: 10,
  });
  expect(within).toEqual({ GetItem: 3, Query: 1, UpdateItem: 3 });
  expect(nextDay).toEqual({ GetItem: 3, Query: 1, UpdateItem: 4 });
});
