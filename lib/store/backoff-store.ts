import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  epochSeconds,
  isConditionFailure,
  isExpired,
  numberAttribute,
  readNumber,
  stringAttribute,
} from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

export interface BackoffStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * How long a container trusts its own "not throttled" reading before asking DynamoDB again. Staleness
   * costs little: a container that calls a page another one found throttled gets Graph's refusal,
   * records it and stops, so it spends at most one call per throttle; in exchange most requests read
   * nothing for it, and a follow-up page costs one read (its cursor), not two.
   */
  freshnessMs?: number;
}

interface Reading {
  /** Epoch ms until which the page is throttled; 0 when it is not. */
  until: number;
  readAt: number;
}

/**
 * When Graph last throttled each page. Held in DynamoDB so that every container honours it, with an
 * in-memory fast path: a known throttle is answered without I/O, and "not throttled" is re-read only
 * after `freshnessMs`.
 */
export class BackoffStore {
  private readonly readings = new Map<string, Reading>();
  private readonly freshnessMs: number;

  constructor(private readonly options: BackoffStoreOptions) {
    this.freshnessMs = options.freshnessMs ?? 60_000;
  }

  /** The instant until which Graph must not be called for the page, or undefined when it may be. */
  async throttledUntil(pageId: string, now: Date): Promise<Date | undefined> {
    const reading = this.readings.get(pageId);
    const nowMs = now.getTime();
    if (reading !== undefined && (reading.until > nowMs || nowMs - reading.readAt < this.freshnessMs)) {
      return reading.until > nowMs ? new Date(reading.until) : undefined;
    }
    const output = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: this.key(pageId) }),
    );
    const item = output.Item;
    const until =
      item === undefined || isExpired(item, TABLE_KEYS.timeToLive, now)
        ? 0
        : (readNumber(item, 'until_ms') ?? 0);
    this.readings.set(pageId, { until, readAt: nowMs });
    return until > nowMs ? new Date(until) : undefined;
  }

  /** Records a throttle. A later instant already stored wins: a shorter report must not lift a block. */
  async record(pageId: string, until: Date, now: Date): Promise<void> {
    const untilMs = until.getTime();
    const known = this.readings.get(pageId);
    this.readings.set(pageId, { until: Math.max(untilMs, known?.until ?? 0), readAt: now.getTime() });
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...this.key(pageId),
            until_ms: numberAttribute(untilMs),
            recorded_at: stringAttribute(now.toISOString()),
            [TABLE_KEYS.timeToLive]: numberAttribute(epochSeconds(until) + 3600),
          },
          ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
          ExpressionAttributeNames: { '#until': 'until_ms' },
          ExpressionAttributeValues: { ':until': numberAttribute(untilMs) },
        }),
      );
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private key(pageId: string) {
    // Its own partition, not the page's `PAGE#`: the API writes back-offs, and `dynamodb:LeadingKeys`
    // then keeps it away from the sync state it must never overwrite.
    return {
      [TABLE_KEYS.partitionKey]: stringAttribute(`BACKOFF#${pageId}`),
      [TABLE_KEYS.sortKey]: stringAttribute('BACKOFF'),
    };
  }
}
