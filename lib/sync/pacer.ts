import type { GraphUsage } from '../graph/usage.js';

export interface PacerOptions {
  /** Graph's Conversations API allows 2 calls per second per Page and per Instagram account. */
  callsPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Spaces Graph calls per account (a Page, or its Instagram account): never faster than the published
 * limit, and slower as Graph's usage headers climb towards 100%, so that a busy page slows down before
 * Graph has to throttle it. One pacer per process; the sync's lease keeps one run per page anyway.
 */
export class Pacer {
  private readonly nextAllowedAt = new Map<string, number>();
  private readonly slowdown = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: PacerOptions = {}) {
    const callsPerSecond = options.callsPerSecond ?? 2;
    this.intervalMs = callsPerSecond === Number.POSITIVE_INFINITY ? 0 : 1000 / callsPerSecond;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits for the account's next slot and takes it. */
  async take(account: string): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextAllowedAt.get(account) ?? 0);
    this.nextAllowedAt.set(account, slot + this.intervalMs * (this.slowdown.get(account) ?? 1));
    if (slot > now) await this.sleep(slot - now);
  }

  /**
   * Learns from an answer's usage headers: up to half the quota, full speed; from there the interval
   * grows with the square of the excess, to ten times at 100%.
   */
  observe(account: string, usage: GraphUsage): void {
    const excess = Math.min(1, Math.max(0, (usage.maxPercent - 50) / 50));
    this.slowdown.set(account, 1 + 9 * excess * excess);
  }
}
