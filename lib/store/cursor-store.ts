import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError } from '../domain/errors.js';
import { keys } from './keys.js';
import { type Expiring, epochSeconds, isExpired, Table } from './table.js';

/** The two Graph cursors of one answer; an API cursor points at one of them. */
export interface StoredCursors {
  before?: string;
  after?: string;
}

export type CursorDirection = 'before' | 'after';

/** What an API cursor resolves to: the cursor it stands for (Graph's, or the index's) and its direction. */
export interface ResolvedCursor {
  direction: CursorDirection;
  innerCursor: string;
}

export interface CursorStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a cursor stays usable. */
  ttlSeconds?: number;
}

/** One answer's cursors (`keys.cursor`), bound to the Page and query they were given for. */
interface CursorItem extends Expiring {
  scope: string;
  inner_before?: string | undefined;
  inner_after?: string | undefined;
}

// 16 random bytes (128 bits) in base64url, then one letter for the direction.
const API_CURSOR = /^([A-Za-z0-9_-]{22})([ab])$/;
const DIRECTION_LETTER: Record<CursorDirection, string> = { after: 'a', before: 'b' };

/**
 * Opaque cursors. Graph's cursors never reach callers: each answer's pair is stored in one item under a
 * random key, bound to the Page and a fingerprint of the query, and the API hands out that key plus a
 * direction letter. One write per answer, one read per follow-up request.
 */
export class CursorStore {
  private readonly ttlSeconds: number;
  private readonly table: Table;

  constructor(options: CursorStoreOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 6 * 3600;
    this.table = new Table(options.client, options.tableName);
  }

  /** Stores one answer's Graph cursors; returns the API cursors, or none when Graph gave none. */
  async save(scope: string, cursors: StoredCursors, now: Date): Promise<StoredCursors> {
    if (cursors.before === undefined && cursors.after === undefined) return {};
    const key = randomBytes(16).toString('base64url');
    const item: CursorItem = {
      scope,
      expires_at: epochSeconds(now) + this.ttlSeconds,
      inner_before: cursors.before,
      inner_after: cursors.after,
    };
    await this.table.put({ ...keys.cursor(key), ...item });
    const apiCursors: StoredCursors = {};
    if (cursors.before !== undefined) apiCursors.before = key + DIRECTION_LETTER.before;
    if (cursors.after !== undefined) apiCursors.after = key + DIRECTION_LETTER.after;
    return apiCursors;
  }

  /**
   * Resolves an API cursor given as `direction`. Throws `InvalidCursorError` for one that is malformed,
   * unknown, expired, of another scope (Page and query), or used in the other direction.
   */
  async resolve(
    apiCursor: string,
    direction: CursorDirection,
    scope: string,
    now: Date,
  ): Promise<ResolvedCursor> {
    const match = API_CURSOR.exec(apiCursor);
    if (match === null || match[2] !== DIRECTION_LETTER[direction]) throw new InvalidCursorError();
    const item = await this.table.get<CursorItem>(keys.cursor(match[1] ?? ''));
    if (item === undefined || isExpired(item, now)) throw new InvalidCursorError();
    if (item.scope !== scope) throw new InvalidCursorError();
    const innerCursor = direction === 'after' ? item.inner_after : item.inner_before;
    if (innerCursor === undefined) throw new InvalidCursorError();
    return { direction, innerCursor };
  }
}
