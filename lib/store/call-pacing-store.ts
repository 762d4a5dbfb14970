import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.js';
import { type Expiring, epochSeconds, namesOf, Table } from './table.js';

export interface CallPacingStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Graph's Conversations API allows 2 calls per second per Page and per Instagram account. */
  callsPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** An account's pacing (`keys.pacing`). */
interface PacingItem extends Expiring {
  /** The next free slot, epoch ms. */
  next_at: number;
  /** The interval's multiplier, from Graph's usage headers. */
  slowdown: number;
}

/** Conflicting takers retry; past this many, something is wrong with the table, not the traffic. */
const MAX_CONFLICTS = 50;

/**
 * Spaces Graph calls per account (a Page, or its Instagram account, named `<pageId>:<platform>` as the
 * sync's in-memory `Pacer` names them) across every container: one item per account holds the next
 * free slot (`next_at`, epoch ms), advanced by conditional updates, so two containers never take the
 * same slot. As in the sync's pacer, the interval grows as Graph's usage headers climb past 50%, to ten
 * times at 100%; the slowdown is kept on the item, so every container slows down together.
 * A quiet account costs one UpdateItem per call; a busy one adds a consistent read per conflict.
 * Same methods as `Pacer`, so that the sync can be handed this one.
 */
export class CallPacingStore {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The slowdown this container last saw for each account: its first try uses it without a read. */
  private readonly slowdowns = new Map<string, number>();
  private readonly table: Table;

  constructor(options: CallPacingStoreOptions) {
    this.table = new Table(options.client, options.tableName);
    const callsPerSecond = options.callsPerSecond ?? 2;
    this.intervalMs = callsPerSecond === Number.POSITIVE_INFINITY ? 0 : 1000 / callsPerSecond;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits for the account's next slot and takes it. */
  async take(account: string): Promise<void> {
    if (this.intervalMs === 0) return;
    // First try: the account is free now (the common case for a webhook refresh).
    let expected: number | undefined;
    let slowdown = this.slowdowns.get(account) ?? 1;
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const now = this.now();
      const slot = expected === undefined ? now : Math.max(now, expected);
      const next = slot + this.intervalMs * slowdown;
      const taken = await this.table.update(keys.pacing(account), {
        update: 'SET #next = :next, #ttl = :ttl',
        condition:
          expected === undefined ? 'attribute_not_exists(#next) OR #next <= :now' : '#next = :expected',
        names: namesOf<PacingItem>({ '#next': 'next_at', '#ttl': 'expires_at' }),
        values: {
          ':next': next,
          ':ttl': epochSeconds(new Date(next)) + 3600,
          ...(expected === undefined ? { ':now': now } : { ':expected': expected }),
        },
      });
      if (taken.applied) {
        if (slot > now) await this.sleep(slot - now);
        return;
      }
      const item = await this.table.get<PacingItem>(keys.pacing(account), { consistent: true });
      expected = item?.next_at;
      slowdown = item?.slowdown ?? 1;
      this.slowdowns.set(account, slowdown);
    }
    throw new Error(`Could not take a Graph call slot for ${account} after ${MAX_CONFLICTS} attempts.`);
  }

  /**
   * Learns from an answer's usage headers (`GraphUsage.maxPercent`), for every container's next calls. Writes only when the
   * slowdown changes, and never rejects: the slowdown is advice, and a caller that does not await it
   * (the sync's `Pacer` interface returns nothing) must not see an unhandled rejection.
   */
  async observe(account: string, usage: { readonly maxPercent: number }): Promise<void> {
    const excess = Math.min(1, Math.max(0, (usage.maxPercent - 50) / 50));
    const slowdown = 1 + 9 * excess * excess;
    if ((this.slowdowns.get(account) ?? 1) === slowdown) return;
    this.slowdowns.set(account, slowdown);
    try {
      await this.table.update(keys.pacing(account), {
        update: 'SET #slowdown = :slowdown',
        names: namesOf<PacingItem>({ '#slowdown': 'slowdown' }),
        values: { ':slowdown': slowdown },
      });
    } catch {
      // Kept in this container's memory; other containers learn it from their own answers.
    }
  }
}
