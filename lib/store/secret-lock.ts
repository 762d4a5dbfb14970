import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { epochSeconds, isConditionFailure, numberAttribute, stringAttribute } from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

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

/**
 * A lease item per shared secret, so that two operators writing the same shared secret at once take
 * turns: each reads, merges its Pages and writes while holding it, and no token is lost. Secrets
 * Manager has no conditional PutSecretValue; one conditional DynamoDB write gives one.
 */
export class SecretLock {
  constructor(private readonly options: SecretLockOptions) {}

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

  private key(secretId: string) {
    return {
      [TABLE_KEYS.partitionKey]: stringAttribute(`SECRETLOCK#${secretId}`),
      [TABLE_KEYS.sortKey]: stringAttribute('LOCK'),
    };
  }

  private async acquire(secretId: string, owner: string): Promise<boolean> {
    const now = Date.now();
    const until = now + (this.options.leaseMs ?? 30_000);
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...this.key(secretId),
            owner: stringAttribute(owner),
            lease_until: numberAttribute(until),
            [TABLE_KEYS.timeToLive]: numberAttribute(epochSeconds(new Date(until)) + 3600),
          },
          ConditionExpression: 'attribute_not_exists(lease_until) OR lease_until < :now',
          ExpressionAttributeValues: { ':now': numberAttribute(now) },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async release(secretId: string, owner: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: this.key(secretId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': stringAttribute(owner) },
        }),
      );
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
