import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { PageSyncState, PartitionState } from '../domain/sync-state.js';
import {
  type Item,
  isConditionFailure,
  numberAttribute,
  readNumber,
  readString,
  stringAttribute,
} from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

/** The lease moved to another run (this one outlived it): this run must stop writing at once. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/**
 * The sync state of each page: one item that holds every partition's state and the page's lease.
 *
 * Invariants kept here:
 * - Only the lease holder writes the partitions, and every write is conditional on still holding it,
 *   so a run that overran its lease cannot overwrite the work of the run that took over.
 * - Taking the lease returns the state in the same call, and every checkpoint renews the lease: a run
 *   costs one write to start, one per Graph page it checkpoints, and one to finish.
 * - A crashed run's lease expires by itself (`lease_until`, checked by the condition, since neither
 *   DynamoDB's TTL nor the embedded DynamoDB deletes on time).
 */
export class SyncStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private key(pageId: string) {
    return {
      [TABLE_KEYS.partitionKey]: stringAttribute(`PAGE#${pageId}`),
      [TABLE_KEYS.sortKey]: stringAttribute('SYNC'),
    };
  }

  /** Reads the state without taking the lease: for `GET /sync` and `POST /sync`. */
  async read(pageId: string): Promise<PageSyncState> {
    const output = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.key(pageId), ConsistentRead: true }),
    );
    return parseState(output.Item);
  }

  /**
   * Takes the page's lease for `owner` until `now + leaseMs`; undefined when another run holds it.
   * `interrupted`: the lease was still set, so the run before died or overran it without releasing.
   */
  async acquire(
    pageId: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<(PageSyncState & { interrupted: boolean }) | undefined> {
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(pageId),
          UpdateExpression: 'SET lease_owner = :owner, lease_until = :until',
          ConditionExpression: 'attribute_not_exists(lease_owner) OR lease_until < :now',
          ExpressionAttributeValues: {
            ':owner': stringAttribute(owner),
            ':until': numberAttribute(now + leaseMs),
            ':now': numberAttribute(now),
          },
          // The item as it was: its partitions are unchanged, and its lease tells of the run before.
          ReturnValues: 'ALL_OLD',
        }),
      );
      const before = parseState(output.Attributes);
      return {
        partitions: before.partitions,
        lease: { owner, until: now + leaseMs },
        interrupted: before.lease !== null,
      };
    } catch (error: unknown) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Saves the partitions and renews the lease. Throws `LeaseLostError` if `owner` no longer holds it. */
  async checkpoint(
    pageId: string,
    owner: string,
    partitions: Record<string, PartitionState>,
    now: number,
    leaseMs: number,
  ): Promise<void> {
    await this.write(pageId, owner, partitions, 'SET #partitions = :partitions, lease_until = :until', {
      ':until': numberAttribute(now + leaseMs),
    });
  }

  /** Extends the lease of `owner` without touching the partitions: the heartbeat of a run that waits. */
  async renew(pageId: string, owner: string, now: number, leaseMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(pageId),
          UpdateExpression: 'SET lease_until = :until',
          ConditionExpression: 'lease_owner = :owner',
          ExpressionAttributeValues: {
            ':owner': stringAttribute(owner),
            ':until': numberAttribute(now + leaseMs),
          },
        }),
      );
    } catch (error: unknown) {
      if (isConditionFailure(error)) throw new LeaseLostError(`The sync lease of page ${pageId} was lost.`);
      throw error;
    }
  }

  /** Saves the partitions and gives the lease up, in one write. */
  async release(pageId: string, owner: string, partitions: Record<string, PartitionState>): Promise<void> {
    await this.write(
      pageId,
      owner,
      partitions,
      'SET #partitions = :partitions REMOVE lease_owner, lease_until',
      {},
    );
  }

  private async write(
    pageId: string,
    owner: string,
    partitions: Record<string, PartitionState>,
    update: string,
    values: Item,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(pageId),
          UpdateExpression: update,
          ConditionExpression: 'lease_owner = :owner',
          // `partitions` is one of DynamoDB's reserved words.
          ExpressionAttributeNames: { '#partitions': 'partitions' },
          ExpressionAttributeValues: {
            ':owner': stringAttribute(owner),
            ':partitions': stringAttribute(JSON.stringify(partitions)),
            ...values,
          },
        }),
      );
    } catch (error: unknown) {
      if (isConditionFailure(error)) throw new LeaseLostError(`The sync lease of page ${pageId} was lost.`);
      throw error;
    }
  }
}

function parseState(item: Item | undefined): PageSyncState {
  const partitions = readString(item, 'partitions');
  const owner = readString(item, 'lease_owner');
  const until = readNumber(item, 'lease_until');
  return {
    partitions: partitions === undefined ? {} : (JSON.parse(partitions) as Record<string, PartitionState>),
    lease: owner === undefined || until === undefined ? null : { owner, until },
  };
}
