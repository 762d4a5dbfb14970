import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Platform } from '../domain/vocabulary.js';
import { keys } from './keys.js';
import { type Expiring, epochSeconds, namesOf, Table, type Values } from './table.js';

/** One person's conversation on one platform of a Page: what refreshes coalesce on. */
export interface RefreshKey {
  pageId: string;
  platform: Platform;
  personId: string;
}

/** The refreshes of one conversation key (`keys.refresh`); times are epoch ms except Meta's event times. */
interface RefreshItem extends Expiring {
  started_at: number;
  lease_until: number;
  /** Meta's time of the event the running claim is for. */
  claimed_event_time: number;
  /** Meta's time of the newest event a refresh that read Graph covered. */
  covered_event_time: number;
  queued_at: number;
  queued_id: string;
}

const refreshKey = ({ pageId, platform, personId }: RefreshKey) => keys.refresh(pageId, platform, personId);

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
  private readonly table: Table;

  constructor(options: RefreshStoreOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.table = new Table(options.client, options.tableName);
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
    const names = namesOf<RefreshItem>({
      '#started': 'started_at',
      '#lease': 'lease_until',
      '#ttl': 'expires_at',
      '#claimedEvent': 'claimed_event_time',
    });
    const values: Values = {
      ':now': now,
      ':lease': now + this.leaseMs,
      ':requested': request.requestedAt,
      ':ttl': epochSeconds(new Date(now)) + 86_400,
    };
    let condition =
      '(attribute_not_exists(#started) OR #started < :requested) AND (attribute_not_exists(#lease) OR #lease < :now)';
    let update = 'SET #started = :now, #lease = :lease, #ttl = :ttl';
    if (request.eventTime === undefined) {
      update += ' REMOVE #claimedEvent';
    } else {
      names['#covered'] = 'covered_event_time';
      values[':event'] = request.eventTime;
      condition += ' AND (attribute_not_exists(#covered) OR #covered < :event)';
      update += ', #claimedEvent = :event';
    }
    const claimed = await this.table.update(refreshKey(key), { update, condition, names, values });
    if (claimed.applied) return 'claimed';
    const item = await this.table.get<RefreshItem>(refreshKey(key), { consistent: true });
    const startedAt = item?.started_at;
    const coveredEvent = item?.covered_event_time;
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
    const booked = await this.table.update(refreshKey(key), {
      update: 'SET #queued = :now, #queuedId = :id',
      condition:
        'attribute_not_exists(#queued) OR attribute_not_exists(#started) OR #queued < #started OR #queuedId = :id',
      names: namesOf<RefreshItem>({
        '#queued': 'queued_at',
        '#queuedId': 'queued_id',
        '#started': 'started_at',
      }),
      values: { ':now': now, ':id': requestId },
    });
    return booked.applied;
  }

  /**
   * Ends a claim. `read: false` when Graph was not read: its start then covers nothing. A claim that
   * read Graph covers, from then on, every event up to the one it claimed for (by Meta's clock).
   */
  async release(key: RefreshKey, startedAt: number, outcome: { read: boolean }): Promise<void> {
    // Each step holds only while this claim's start is the item's: a claim that outlived its lease was
    // taken over, and the newer claim owns the item now (the step then writes nothing).
    const release = (update: string, condition: string, names: Record<`#${string}`, string> = {}) =>
      this.table.update(refreshKey(key), {
        update,
        condition,
        names: { ...namesOf<RefreshItem>({ '#lease': 'lease_until', '#started': 'started_at' }), ...names },
        values: { ':started': startedAt },
      });
    if (!outcome.read) {
      await release('REMOVE #lease, #started', '#started = :started');
      return;
    }
    const covered = await release(
      'SET #covered = #claimedEvent REMOVE #lease',
      '#started = :started AND attribute_exists(#claimedEvent) AND (attribute_not_exists(#covered) OR #covered < #claimedEvent)',
      namesOf<RefreshItem>({ '#covered': 'covered_event_time', '#claimedEvent': 'claimed_event_time' }),
    );
    if (!covered.applied) await release('REMOVE #lease', '#started = :started');
  }
}
