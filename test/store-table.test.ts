import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { keys } from '#lib/store/keys.js';
import { Table } from '#lib/store/table.js';

/** The persistence layer every store writes through, against the embedded DynamoDB (dynalite). */

interface LockRecord {
  owner: string;
  lease_until: number;
  note: string;
}

let dynamo: EmbeddedDynamo;
let table: Table;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  const name = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, name);
  table = new Table(dynamo.client, name);
});
afterAll(async () => {
  await dynamo.close();
});

describe('records in and out', () => {
  it('reads back the strings and numbers it wrote, and leaves an undefined attribute out', async () => {
    // Prepare
    const key = keys.secretLock('round-trip');

    // Act
    await table.put({ ...key, owner: 'a', lease_until: 1_767_225_600_000.5, note: undefined });
    const record = await table.get<LockRecord>(key, { consistent: true });

    // Assess
    expect(record).toEqual({ ...key, owner: 'a', lease_until: 1_767_225_600_000.5 });
    expect(record !== undefined && 'note' in record).toBe(false);
  });

  it('answers undefined for an item that is not there', async () => {
    expect(await table.get(keys.secretLock('never-written'))).toBeUndefined();
  });
});

describe('a failed condition, answered once', () => {
  it('is applied: false and writes nothing, for a put, an update and a delete', async () => {
    // Prepare
    const key = keys.secretLock('guarded');
    await table.put({ ...key, owner: 'a', lease_until: 10 });
    const guard = { condition: '#owner = :owner', names: { '#owner': 'owner' }, values: { ':owner': 'b' } };

    // Act
    const put = await table.put({ ...key, owner: 'b', lease_until: 20 }, guard);
    const updated = await table.update<LockRecord>(key, {
      update: 'SET lease_until = :until',
      ...guard,
      values: { ...guard.values, ':until': 30 },
      returns: 'ALL_OLD',
    });
    const deleted = await table.delete(key, guard);

    // Assess
    expect(put).toBe(false);
    expect(updated).toEqual({ applied: false, record: undefined });
    expect(deleted.applied).toBe(false);
    expect(await table.get<LockRecord>(key, { consistent: true })).toEqual({
      ...key,
      owner: 'a',
      lease_until: 10,
    });
  });

  it('gives the item as it was when the condition held', async () => {
    // Prepare
    const key = keys.secretLock('held');
    await table.put({ ...key, owner: 'a', lease_until: 10 });

    // Act
    const updated = await table.update<LockRecord>(key, {
      update: 'SET lease_until = :until',
      condition: '#owner = :owner',
      names: { '#owner': 'owner' },
      values: { ':owner': 'a', ':until': 30 },
      returns: 'ALL_OLD',
    });

    // Assess
    expect(updated).toEqual({ applied: true, record: { ...key, owner: 'a', lease_until: 10 } });
  });

  it('throws every other error as it came', async () => {
    // Act
    const write = table.update(keys.secretLock('bad-expression'), {
      update: 'SET lease_until = :until',
      condition: 'lease_until <',
      values: { ':until': 1 },
    });

    // Assess
    await expect(write).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('queries', () => {
  it('reads every batch of a partition and counts it over as many calls as it takes', async () => {
    // Prepare: five Pages in the registry's one partition, read two at a time.
    const ids = ['1001', '1002', '1003', '1004', '1005'];
    for (const id of ids) await table.put({ ...keys.registeredPage(id), page_id: id });
    const query = {
      keyCondition: '#pk = :pk',
      names: { '#pk': 'pk' },
      values: { ':pk': keys.registeredPage('1001').pk },
      limit: 2,
    };

    // Act
    const batches: string[][] = [];
    for await (const batch of table.batches<{ page_id: string }>(query)) {
      batches.push(batch.map((record) => record.page_id ?? ''));
    }
    const counted = await table.count(query);

    // Assess
    expect(batches.flat()).toEqual(ids);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(counted).toBe(5);
  });
});
