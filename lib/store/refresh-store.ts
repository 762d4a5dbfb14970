import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Platform } from '../domain/vocabulary.js';
import {
  epochSeconds,
  isConditionFailure,
  numberAttribute,
  readNumber,
  stringAttribute,
} from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

/** One person's conversation on one platform of a Page: what refreshes coalesce on. */
export interface RefreshKey {
  pageId: string;
  platform: Platform;
  personId: string;
}

/**
 * - `claimed`: this request runs the refresh now;
 * - `covered`: a refresh that started after the request was received reads Graph after it, so it
 *   covers it: drop it, no Graph call;
 * - `busy`: a refresh is in flight that started before the request: it must run once more after.
 */
export type ClaimOutcome = 'claimed' | 'covered' | 'busy';

export interface RefreshStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a claim holds without release: longer than a refresh's Graph calls with retries. */
  leaseMs?: number;
}

/**
 * Coalesces webhook refreshes across containers, one item per conversation key, conditional writes
 * only:
 * 1. At most one refresh of a key is in flight: a claim takes `lease_until` only when it has lapsed.
 * 2. A request received before the last refresh started is covered by it and dropped (`started_at`).
 * 3. Of the requests received during a refresh, one books the follow-up (`queued_at` newer than
 *    `started_at`) and waits for the lease; the rest are covered by that follow-up, which starts
 *    after all of them, and are dropped. So: one in flight, at most one more.
 * 4. Meta's clock is compared only with itself: a refresh that read Graph records the event time it
 *    claimed for (`covered_event_time`), and a later request for an event no newer (a duplicate
 *    delivery, an event delivered out of order) is covered, with no Graph call.
 * 5. A refresh that could not read Graph (throttled, failed) gives up its start, so the requests it
 *    covered are not dropped on its account; its own request is retried.
 */
export class RefreshStore {
  private readonly leaseMs: number;

  constructor(private readonly options: RefreshStoreOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /**
   * `requestedAt`: when the request was received (our clock); `eventTime`: Meta's timestamp of the
   * event, when known. A request is covered by a refresh that started after it was received, or by one
   * that covered an event at least as new by Meta's clock (a duplicate delivery, or an older event).
   */
  async claim(
    key: RefreshKey,
    request: { requestedAt: number; eventTime?: number | undefined },
    now: number,
  ): Promise<ClaimOutcome> {
    const names: Record<string, string> = {
      '#started': 'started_at',
      '#lease': 'lease_until',
      '#ttl': TABLE_KEYS.timeToLive,
      '#claimedEvent': 'claimed_event_time',
    };
    const values: Record<string, AttributeValue> = {
      ':now': numberAttribute(now),
      ':lease': numberAttribute(now + this.leaseMs),
      ':requested': numberAttribute(request.requestedAt),
      ':ttl': numberAttribute(epochSeconds(new Date(now)) + 86_400),
    };
    let condition =
      '(attribute_not_exists(#started) OR #started < :requested) AND (attribute_not_exists(#lease) OR #lease < :now)';
    let update = 'SET #started = :now, #lease = :lease, #ttl = :ttl';
    if (request.eventTime === undefined) {
      update += ' REMOVE #claimedEvent';
    } else {
      names['#covered'] = 'covered_event_time';
      values[':event'] = numberAttribute(request.eventTime);
      condition += ' AND (attribute_not_exists(#covered) OR #covered < :event)';
      update += ', #claimedEvent = :event';
    }
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: refreshKey(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'claimed';
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
    const output = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: refreshKey(key), ConsistentRead: true }),
    );
    const startedAt = readNumber(output.Item, 'started_at');
    const coveredEvent = readNumber(output.Item, 'covered_event_time');
    const covered =
      (startedAt !== undefined && startedAt >= request.requestedAt) ||
      (request.eventTime !== undefined && coveredEvent !== undefined && coveredEvent >= request.eventTime);
    return covered ? 'covered' : 'busy';
  }

  /**
   * Books the follow-up of the refresh in flight for this request. False when another request already
   * did, since the last start: that one covers this one. A request that booked may book again.
   */
  async bookFollowUp(key: RefreshKey, requestId: string, now: number): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: refreshKey(key),
          UpdateExpression: 'SET #queued = :now, #queuedId = :id',
          ConditionExpression:
            'attribute_not_exists(#queued) OR attribute_not_exists(#started) OR #queued < #started OR #queuedId = :id',
          ExpressionAttributeNames: {
            '#queued': 'queued_at',
            '#queuedId': 'queued_id',
            '#started': 'started_at',
          },
          ExpressionAttributeValues: { ':now': numberAttribute(now), ':id': stringAttribute(requestId) },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Ends a claim. `read: false` when Graph was not read: its start then covers nothing. A claim that
   * read Graph covers, from then on, every event up to the one it claimed for (by Meta's clock).
   */
  async release(key: RefreshKey, startedAt: number, outcome: { read: boolean }): Promise<void> {
    const names = { '#lease': 'lease_until', '#started': 'started_at' };
    const release = (update: string, condition: string, extraNames: Record<string, string> = {}) =>
      this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: refreshKey(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { ...names, ...extraNames },
          ExpressionAttributeValues: { ':started': numberAttribute(startedAt) },
        }),
      );
    try {
      if (!outcome.read) {
        await release('REMOVE #lease, #started', '#started = :started');
        return;
      }
      try {
        await release(
          'SET #covered = #claimedEvent REMOVE #lease',
          '#started = :started AND attribute_exists(#claimedEvent) AND (attribute_not_exists(#covered) OR #covered < #claimedEvent)',
          { '#covered': 'covered_event_time', '#claimedEvent': 'claimed_event_time' },
        );
      } catch (error: unknown) {
        if (!isConditionFailure(error)) throw error;
        await release('REMOVE #lease', '#started = :started');
      }
    } catch (error: unknown) {
      // A claim that outlived its lease was taken over: the newer claim owns the item now.
      if (!isConditionFailure(error)) throw error;
    }
  }
}

const refreshKey = ({ pageId, platform, personId }: RefreshKey) => ({
  [TABLE_KEYS.partitionKey]: stringAttribute(`PAGE#${pageId}`),
  [TABLE_KEYS.sortKey]: stringAttribute(`REFRESH#${platform}#${personId}`),
});
