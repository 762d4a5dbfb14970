import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation } from '#lib/domain/conversation.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * `updated_since` answers only for what the sync covers, knows Pages from the registry, and reads no
 * more with tombstones in the folder than without: they sit in another partition of the index.
 */

const PAGE = '2000000000000001';
const UNREGISTERED = '2000000000000002';
const T0 = Date.parse('2026-11-20T10:00:00Z');
const SINCE = encodeURIComponent(new Date(T0 - 3_600_000).toISOString());

const at = (second: number): string =>
  new Date(T0 + second * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
const conversation = (n: number, second: number): Conversation => ({
  id: `t_${n}`,
  updated_time: at(second),
});

/** What each Query of the index read: items DynamoDB examined (read units follow them) and returned. */
interface QueryRead {
  partition: string;
  scanned: number;
  returned: number;
}

let harness: Harness;
let reads: QueryRead[];
beforeEach(async () => {
  harness = await startHarness({
    emulator: {
      pages: [
        seedPage(PAGE, { perPartition: 0, now: new Date(T0) }),
        seedPage(UNREGISTERED, { perPartition: 0, now: new Date(T0) }),
      ],
    },
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox,other' },
  });
  await harness.services.registry.register({ pageId: PAGE, token: { kind: 'page-secret' } });
  // Every Query the API makes, wrapped at the client: what it asked and what DynamoDB examined.
  reads = [];
  const client = harness.dynamo.client;
  const send = client.send.bind(client);
  client.send = (async (command: {
    constructor: { name: string };
    input: { ExpressionAttributeValues?: Record<string, { S?: string }> };
  }) => {
    const output = (await send(command as never)) as { ScannedCount?: number; Count?: number };
    if (command.constructor.name === 'QueryCommand') {
      reads.push({
        partition: command.input.ExpressionAttributeValues?.[':gpk']?.S ?? '',
        scanned: output.ScannedCount ?? 0,
        returned: output.Count ?? 0,
      });
    }
    return output;
  }) as typeof client.send;
});
afterEach(async () => {
  await harness.close();
});

describe('what updated_since serves', () => {
  it.each([
    ['a folder the sync does not cover', 'folder=spam', 'folder', /spam.*covers inbox, other/],
    ['a platform the sync does not cover', 'platform=instagram', 'platform', /instagram.*covers messenger/],
  ])('%s is 400 invalid_request naming it and the covered values', async (_, query, parameter, message) => {
    // Act
    const answer = await harness.call(`/pages/${PAGE}/conversations?updated_since=${SINCE}&${query}`);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: 'invalid_request', parameter, message: expect.stringMatching(message) },
    });
  });

  it('is 404 unknown_page for a Page the registry does not hold, though its token is known', async () => {
    // Act
    const answer = await harness.call(`/pages/${UNREGISTERED}/conversations?updated_since=${SINCE}`);
    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'unknown_page' } });
  });

  it('reads as much with tombstones in the folder as without: one Query, only live items examined', async () => {
    // Prepare: two folders of 10 live conversations; the inbox also had 30 newer ones, now removed
    // (a filter over one partition would examine those 30 before the first live one).
    const { index } = harness.services.sync;
    const inbox = { pageId: PAGE, platform: 'messenger', folder: 'inbox' } as const;
    await index.write(
      inbox,
      Array.from({ length: 40 }, (_, i) => conversation(i, i)),
    );
    await index.write(
      { ...inbox, folder: 'other' },
      Array.from({ length: 10 }, (_, i) => conversation(100 + i, i)),
    );
    const removed = Array.from({ length: 30 }, (_, i) => ({ id: `t_${10 + i}`, revision: 1 }));
    expect(
      await index.tombstone({ pageId: PAGE, platform: 'messenger' }, removed, 'not_listed'),
    ).toHaveLength(30);
    const answer = async (folder: string) => {
      reads = [];
      const body = (
        await harness.call(`/pages/${PAGE}/conversations?updated_since=${SINCE}&folder=${folder}&limit=5`)
      ).body as {
        data: unknown[];
      };
      return { items: body.data.length, reads: reads.filter((read) => read.partition !== '') };
    };
    // Act
    const withTombstones = await answer('inbox');
    const without = await answer('other');
    // Assess
    expect(withTombstones.items).toBe(5);
    expect(withTombstones.reads).toEqual([
      { partition: `IDX#${PAGE}#messenger#inbox`, scanned: 5, returned: 5 },
    ]);
    expect(without.reads.map(({ scanned, returned }) => ({ scanned, returned }))).toEqual([
      { scanned: 5, returned: 5 },
    ]);
  });
});
