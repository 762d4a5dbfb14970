import { randomUUID } from 'node:crypto';
import { parseJsonRecord } from '../domain/json-record.js';
import { isPageId } from '../domain/vocabulary.js';
import { EVENT_TIME_TOLERANCE_MS } from './delivery-limits.js';

/**
 * A person whose conversation a webhook says changed, as the receiver enqueues it: the account the
 * event came to (a Page, or an Instagram professional account not yet mapped to its Page), the
 * person's scoped id, and when the event was received. The refresh reads Graph after that instant.
 */
export interface RefreshRequest {
  /** Unique per enqueued request; a deferred request keeps its id. */
  id: string;
  object: 'page' | 'instagram';
  /** The Page id (`page`) or the Instagram professional account id (`instagram`). */
  accountId: string;
  /** Page-scoped (PSID) or Instagram-scoped (IGSID) user id. */
  personId: string;
  /** Epoch ms when the webhook was received (our clock). */
  requestedAt: number;
  /**
   * The newest `timestamp` (epoch ms, Meta's clock) of the items that named this person, when they
   * carry one. Compared only with Meta's own timestamps: it is how a duplicate delivery is recognised.
   */
  eventTime?: number | undefined;
}

/** Where the receiver puts refresh requests: SQS in AWS, in process locally. */
export interface RefreshQueue {
  /** Enqueues requests, each delivered after `delayMs` (0: at once). */
  send(requests: readonly RefreshRequest[], delayMs?: number): Promise<void>;
}

/**
 * A request for a target, received at `requestedAt` (our clock). Meta's `timestamp` is kept only when
 * it is at most `EVENT_TIME_TOLERANCE_MS` ahead of that: the refresh records the newest event time it
 * covered and treats every event up to it as covered, so one far-future time (year 9999) would
 * silence that person's refreshes for good. Without it the request is coalesced by time of receipt.
 */
export function newRefreshRequest(
  target: Pick<RefreshRequest, 'object' | 'accountId' | 'personId' | 'eventTime'>,
  requestedAt: number,
): RefreshRequest {
  const { eventTime, ...rest } = target;
  const trusted = eventTime !== undefined && eventTime <= requestedAt + EVENT_TIME_TOLERANCE_MS;
  return { id: randomUUID(), ...rest, requestedAt, ...(trusted ? { eventTime } : {}) };
}

/** Reads a queue message back; undefined for one that is not a refresh request. */
export function parseRefreshRequest(body: string): RefreshRequest | undefined {
  const value = parseJsonRecord(body);
  if (value === undefined) return undefined;
  const { id, object, accountId, personId, requestedAt, eventTime } = value;
  if (
    typeof id !== 'string' ||
    (object !== 'page' && object !== 'instagram') ||
    typeof accountId !== 'string' ||
    !isPageId(accountId) ||
    typeof personId !== 'string' ||
    !isPageId(personId) ||
    typeof requestedAt !== 'number' ||
    !Number.isFinite(requestedAt) ||
    (eventTime !== undefined && (typeof eventTime !== 'number' || !Number.isFinite(eventTime)))
  ) {
    return undefined;
  }
  return { id, object, accountId, personId, requestedAt, ...(eventTime === undefined ? {} : { eventTime }) };
}
