import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.js';
import { type Expiring, epochSeconds, namesOf, Table } from './table.js';

export interface SecretLockOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a lock holds if its owner dies mid-write; a write takes well under a second. */
  leaseMs?: number;
  /** Pause between tries while another operator holds the lock. */
  retryMs?: number;
  /** Tries before giving up. */
  maxTries?: number;
}

/** A shared secret's lock (`keys.secretLock`). */
interface LockItem extends Expiring {
  owner: string;
  /** Epoch ms. */
  lease_until: number;
}

/**
 * A lease item per shared secret, so that two operators writing the same shared secret at once take
 * turns: each reads, merges its Pages and writes while holding it, and no token is lost. Secrets
 * Manager has no conditional PutSecretValue; one conditional DynamoDB write gives one.
 */
export class SecretLock {
  private readonly table: Table;

  constructor(private readonly options: SecretLockOptions) {
    this.table = new Table(options.client, options.tableName);
  }

  async withLock<T>(secretId: string, work: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const maxTries = this.options.maxTries ?? 300;
    for (let attempt = 1; !(await this.acquire(secretId, owner)); attempt++) {
      if (attempt >= maxTries)
        throw new Error(`The shared secret ${secretId} stays locked by another writer.`);
      await new Promise((resolve) =>
        setTimeout(resolve, (this.options.retryMs ?? 100) * (0.5 + Math.random())),
      );
    }
    try {
      return await work();
    } finally {
      await this.release(secretId, owner);
    }
  }

  private async acquire(secretId: string, owner: string): Promise<boolean> {
    const now = Date.now();
    const until = now + (this.options.leaseMs ?? 30_000);
    const item: LockItem = {
      owner,
      lease_until: until,
      expires_at: epochSeconds(new Date(until)) + 3600,
    };
    return this.table.put(
      { ...keys.secretLock(secretId), ...item },
      { condition: 'attribute_not_exists(lease_until) OR lease_until < :now', values: { ':now': now } },
    );
  }

  /** Only its own lock: one that outlived its lease may have been taken by another operator since. */
  private async release(secretId: string, owner: string): Promise<void> {
    await this.table.delete(keys.secretLock(secretId), {
      condition: '#owner = :owner',
      names: namesOf<LockItem>({ '#owner': 'owner' }),
      values: { ':owner': owner },
    });
  }
}
