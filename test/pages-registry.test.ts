import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { pageView, tokenRejectionReason } from '#lib/domain/page.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { keys, REGISTRY_PARTITION } from '#lib/store/keys.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { TABLE_KEYS } from '#lib/store/table-schema.js';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(() => dynamo.close());

/**
 * The Page as `GET /pages/{pageId}` reads it (its item and its last run's summary), read now; a test that
 * expects one fails here when it is missing.
 */
async function required(registry: PageRegistry, pageId: string) {
  const record = await registry.view(pageId);
  if (record === undefined) throw new Error(`page ${pageId} is not registered`);
  return record;
}

async function registryWithTable() {
  const tableName = `pages-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  return {
    registry: new PageRegistry({ client: dynamo.client, tableName }),
    client: dynamo.client,
    tableName,
  };
}

/** Every item of the registry's partition, as stored. */
async function registryItems(client: DynamoDBClient, tableName: string) {
  const output = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: marshall({ ':pk': REGISTRY_PARTITION }),
      ConsistentRead: true,
    }),
  );
  return output.Items ?? [];
}

async function freshRegistry(now?: () => Date): Promise<PageRegistry> {
  const tableName = `pages-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  return new PageRegistry({ client: dynamo.client, tableName, ...(now ? { now } : {}) });
}

const INVALID = {
  code: 'page_token_invalid' as const,
  message: 'Graph rejected the page access token.',
  graph: { code: 190, error_subcode: 463 },
  reason: 'expired',
};

describe('the reason of a rejected token', () => {
  it.each([
    [458, 'app_not_installed'],
    [459, 'checkpointed'],
    [460, 'password_changed'],
    [463, 'expired'],
    [464, 'unconfirmed_user'],
    [467, 'invalid'],
    [492, 'role_removed'],
    [33, 'rejected'],
    [undefined, 'rejected'],
  ])('subcode %s is %s', (subcode, reason) => {
    expect(tokenRejectionReason(subcode)).toBe(reason);
  });
});

describe('the page registry', () => {
  test('lists Pages by numeric id, ascending, in pages both ways', async () => {
    // Prepare: ids whose string order differs from their numeric order.
    const registry = await freshRegistry();
    for (const pageId of ['900', '10', '1000000000000002', '25', '3']) {
      await registry.register({ pageId, token: { kind: 'page-secret' } });
    }
    // Act
    const first = await registry.list({ limit: 2 });
    const second = await registry.list({ limit: 2, after: '10' });
    const last = await registry.list({ limit: 2, after: '900' });
    const back = await registry.list({ limit: 2, before: '900' });
    // Assess
    expect(first.records.map((r) => r.pageId)).toEqual(['3', '10']);
    expect(first.more).toBe(true);
    expect(second.records.map((r) => r.pageId)).toEqual(['25', '900']);
    expect(last).toMatchObject({ more: false });
    expect(last.records.map((r) => r.pageId)).toEqual(['1000000000000002']);
    expect(back.records.map((r) => r.pageId)).toEqual(['10', '25']);
    expect(back.more).toBe(true);
    expect(await registry.listPageIds()).toEqual(['3', '10', '25', '900', '1000000000000002']);
  });

  test('registering the same Page twice changes nothing the second time', async () => {
    const registry = await freshRegistry();
    const registration = {
      pageId: '123',
      name: 'Acme Shoes',
      instagramAccountId: '17841400000000000',
      token: { kind: 'page-secret' as const },
    };
    expect(await registry.register(registration)).toBe('created');
    const before = await registry.get('123');
    expect(await registry.register(registration)).toBe('unchanged');
    expect(await registry.get('123')).toEqual(before);
    expect(await registry.register({ ...registration, name: 'Acme Boots' })).toBe('updated');
    expect(await registry.pageIdForInstagramAccount('17841400000000000')).toBe('123');
  });

  test('a new Instagram account moves the mapping, and removing the Page removes it', async () => {
    const registry = await freshRegistry();
    await registry.register({ pageId: '5', instagramAccountId: '178414001', token: { kind: 'page-secret' } });
    await registry.register({ pageId: '5', instagramAccountId: '178414002', token: { kind: 'page-secret' } });
    expect(await registry.pageIdForInstagramAccount('178414001')).toBeUndefined();
    expect(await registry.pageIdForInstagramAccount('178414002')).toBe('5');
    expect(await registry.remove('5')).toBe(true);
    expect(await registry.pageIdForInstagramAccount('178414002')).toBeUndefined();
    expect(await registry.get('5')).toBeUndefined();
    expect(await registry.remove('5')).toBe(false);
  });

  test('token health: invalid at a version, valid again, shown in the contract shape', async () => {
    // Prepare
    const registry = await freshRegistry(() => new Date('2026-11-25T12:00:00Z'));
    await registry.register({
      pageId: '77',
      name: 'Acme',
      token: { kind: 'shared-secret', secretId: 's1', key: '77' },
    });
    expect(pageView(await required(registry, '77'))).toEqual({
      page_id: '77',
      name: 'Acme',
      instagram_account_id: null,
      token: { status: 'unchecked', checked_at: null, error: null },
      sync: { status: 'idle', synced_at: null, last_outcome: null },
      // Before its first webhook subscription check.
      webhooks: { status: 'unknown', fields: [], checked_at: null },
    });
    // Act
    await registry.markTokenInvalid('77', INVALID, 'v1');
    const invalid = await required(registry, '77');
    await registry.markTokenValid('77');
    const valid = await registry.get('77');
    // Assess
    expect(invalid.health).toEqual({
      status: 'invalid',
      checkedAt: '2026-11-25T12:00:00.000Z',
      error: INVALID,
      invalidAtVersion: 'v1',
    });
    expect(pageView(invalid).token).toEqual({
      status: 'invalid',
      checked_at: '2026-11-25T12:00:00.000Z',
      error: INVALID,
    });
    expect(valid?.health).toEqual({
      status: 'valid',
      checkedAt: '2026-11-25T12:00:00.000Z',
      error: undefined,
      invalidAtVersion: undefined,
    });
    expect(valid?.token).toEqual({ kind: 'shared-secret', secretId: 's1', key: '77' });
  });

  test('health marks and sync summaries never create a Page that is not registered', async () => {
    const registry = await freshRegistry();
    await registry.markTokenInvalid('404', INVALID, 'v1');
    await registry.markTokenValid('404');
    await registry.updateSyncSummary('404', {
      status: 'idle',
      syncedAt: '2026-11-25T12:00:00.000Z',
      lastOutcome: 'complete',
    });
    expect(await registry.get('404')).toBeUndefined();
    expect(await registry.listPageIds()).toEqual([]);
  });

  test('a sync summary shows under sync', async () => {
    const registry = await freshRegistry();
    await registry.register({ pageId: '8', token: { kind: 'page-secret' } });
    await registry.updateSyncSummary('8', {
      status: 'idle',
      syncedAt: '2026-11-25T12:00:00.000Z',
      lastOutcome: 'partial',
    });
    expect(pageView(await required(registry, '8')).sync).toEqual({
      status: 'idle',
      synced_at: '2026-11-25T12:00:00.000Z',
      last_outcome: 'partial',
    });
  });

  test("a run writes its summary under the Page's own partition, never the registry's, and listings show it", async () => {
    const { registry, client, tableName } = await registryWithTable();
    for (const id of ['1', '2', '3']) await registry.register({ pageId: id, token: { kind: 'page-secret' } });
    const before = await registryItems(client, tableName);
    for (const id of ['1', '3']) {
      await registry.updateSyncSummary(id, {
        status: 'idle',
        syncedAt: `2026-11-25T12:00:0${id}.000Z`,
        lastOutcome: 'complete',
      });
    }
    // The registry's partition is as it was: a round writes none of its items.
    expect(await registryItems(client, tableName)).toEqual(before);
    const summary = await client.send(
      new GetItemCommand({ TableName: tableName, Key: marshall(keys.syncSummary('3')) }),
    );
    expect(summary.Item?.sync_status?.S).toBe('idle');
    const listed = await registry.list({ limit: 10 });
    expect(listed.records.map((record) => [record.pageId, record.sync?.syncedAt])).toEqual([
      ['1', '2026-11-25T12:00:01.000Z'],
      ['2', undefined],
      ['3', '2026-11-25T12:00:03.000Z'],
    ]);
  });

  test('a registry item written before summaries moved still shows its summary, until a run writes one', async () => {
    const { registry, client, tableName } = await registryWithTable();
    await registry.register({ pageId: '5', token: { kind: 'page-secret' } });
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: marshall(keys.registeredPage('5')),
        UpdateExpression: 'SET sync_status = :s, synced_at = :t, sync_last_outcome = :o',
        ExpressionAttributeValues: marshall({
          ':s': 'idle',
          ':t': '2026-01-01T00:00:00.000Z',
          ':o': 'partial',
        }),
      }),
    );
    expect((await required(registry, '5')).sync?.lastOutcome).toBe('partial');
    expect((await registry.list({ limit: 1 })).records[0]?.sync?.syncedAt).toBe('2026-01-01T00:00:00.000Z');
    await registry.updateSyncSummary('5', { status: 'failed', syncedAt: undefined, lastOutcome: 'failed' });
    expect((await required(registry, '5')).sync).toMatchObject({ status: 'failed', lastOutcome: 'failed' });
  });

  test('removing a Page removes its summary', async () => {
    const { registry, client, tableName } = await registryWithTable();
    await registry.register({ pageId: '6', token: { kind: 'page-secret' } });
    await registry.updateSyncSummary('6', { status: 'idle', syncedAt: undefined, lastOutcome: 'complete' });
    await registry.remove('6');
    const summary = await client.send(
      new GetItemCommand({ TableName: tableName, Key: marshall(keys.syncSummary('6')) }),
    );
    expect(summary.Item).toBeUndefined();
  });
});

test("a Page is read in one GetItem; only its view reads the last run's summary too", async () => {
  // Prepare: a client that counts the keys it reads, over the same embedded DynamoDB.
  const tableName = `pages-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  const read: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const { Key } = args.input as { Key?: { sk?: { S?: string } } };
      if (Key?.sk?.S !== undefined) read.push(Key.sk.S);
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
  const registry = new PageRegistry({ client, tableName, cacheMs: 0 });
  await registry.register({ pageId: '7', token: { kind: 'page-secret' } });
  await registry.updateSyncSummary('7', { status: 'idle', syncedAt: undefined, lastOutcome: 'complete' });
  read.length = 0;
  // Act
  const record = await registry.get('7');
  const readsOfGet = read.splice(0);
  const view = await registry.view('7');
  // Assess
  expect(record?.pageId).toBe('7');
  expect(readsOfGet).toEqual([keys.registeredPage('7').sk]);
  expect(read.sort()).toEqual([keys.registeredPage('7').sk, keys.syncSummary('7').sk].sort());
  expect(view?.sync?.lastOutcome).toBe('complete');
});

test('find serves a Page from its cache, but never a miss: a Page registered elsewhere is found at once', async () => {
  // Prepare: two registries over one table, as `npm start` and `npm run pages` in two processes.
  const tableName = `pages-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  let reads = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      reads++;
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
  const serving = new PageRegistry({ client, tableName, cacheMs: 60_000 });
  const elsewhere = new PageRegistry({ client: dynamo.client, tableName, cacheMs: 60_000 });
  // Act
  const before = await serving.find('8');
  await elsewhere.register({ pageId: '8', token: { kind: 'page-secret' } });
  const after = await serving.find('8');
  const readsAfterRegistration = reads;
  const again = await serving.find('8');
  // Assess: the miss was read again; the hit was not.
  expect(before).toBeUndefined();
  expect(after?.pageId).toBe('8');
  expect(again?.pageId).toBe('8');
  expect(reads).toBe(readsAfterRegistration);
  expect(readsAfterRegistration).toBe(2);
});
