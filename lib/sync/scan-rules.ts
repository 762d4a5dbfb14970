import { type Conversation, conversationDefect } from '../domain/conversation.js';
import { graphSeconds, parseGraphTime } from '../domain/graph-time.js';
import type { PartitionState, ScanCheckpoint } from '../domain/sync-state.js';

/**
 * The pure rules of a partition scan, apart from its I/O so that tests can state them as tables:
 * which conversations of a Graph page are new to the index, when the scan has reached its mark, where
 * the mark moves when the scan completes, and when a run must stop to stay in its budget.
 */

/** A conversation as the scan sees it: Graph's id and time (already screened). */
export interface ScannedConversation {
  id: string;
  updated_time: string;
}

/** A time further ahead of the clock than this is indexed but never trusted as a high-water mark. */
export const FUTURE_TOLERANCE_SECONDS = 300;
/** An item larger than this (as JSON) is not indexed: index items must stay well under DynamoDB's 400 KB. */
export const MAX_INDEXED_ITEM_CHARS = 64 * 1024;
/**
 * The ids kept at one second (mark or top) are capped, so that the page's one sync item stays well under
 * 400 KB whatever Graph sends. Dropping ids is safe: an id not remembered at the mark is written to the
 * index again, and that write is idempotent and counts nothing.
 */
export const MAX_IDS_CHARS = 8 * 1024;

export interface SkippedItem {
  reason: string;
  /** The item's id when it has a short enough one to show. */
  id: string | undefined;
}

/** Splits a Graph page into the conversations the sync can index and the items it must skip. */
export function screenItems(items: readonly unknown[]): { valid: Conversation[]; skipped: SkippedItem[] } {
  const valid: Conversation[] = [];
  const skipped: SkippedItem[] = [];
  for (const item of items) {
    const defect = conversationDefect(item);
    const id = (item as { id?: unknown } | null)?.id;
    const shownId = typeof id === 'string' && id.length <= 64 ? id : undefined;
    if (defect !== undefined) skipped.push({ reason: defect, id: shownId });
    else if (JSON.stringify(item).length > MAX_INDEXED_ITEM_CHARS)
      skipped.push({ reason: `larger than ${MAX_INDEXED_ITEM_CHARS / 1024} KB`, id: shownId });
    else valid.push(item as Conversation);
  }
  return { valid, skipped };
}

export interface ScanPageReading<T extends ScannedConversation> {
  /** The conversations the index lacks (or holds at an older time), in Graph's order. */
  fresh: T[];
  /** True when the page went below the scan's stop mark: nothing older needs reading. */
  reachedMark: boolean;
  /** The newest trusted time the scan met and the ids at its second, after this page. */
  topTime: string | null;
  topIds: string[];
}

/**
 * Reads one Graph page of a scan; the scan itself is left as it was. The top (the next mark) is the
 * newest time met that is not ahead of `nowSeconds` by more than the tolerance: one item dated in year
 * 9999 must not become a mark that every later conversation falls below.
 */
export function readScanPage<T extends ScannedConversation>(
  scan: Pick<ScanCheckpoint, 'stopAt' | 'stopIds' | 'topTime' | 'topIds'>,
  conversations: readonly T[],
  nowSeconds: number,
): ScanPageReading<T> {
  const fresh: T[] = [];
  const stopSecond = scan.stopAt === null ? undefined : graphSeconds(scan.stopAt);
  const seenAtMark = new Set(scan.stopIds);
  let topTime = scan.topTime;
  let topIds = [...scan.topIds];
  for (const conversation of conversations) {
    const second = graphSeconds(conversation.updated_time);
    if (stopSecond !== undefined && second < stopSecond) return { fresh, reachedMark: true, topTime, topIds };
    if (second <= nowSeconds + FUTURE_TOLERANCE_SECONDS) {
      const topSecond = topTime === null ? undefined : graphSeconds(topTime);
      if (topSecond === undefined || second > topSecond) {
        topTime = conversation.updated_time;
        topIds = [conversation.id];
      } else if (second === topSecond) topIds = withId(topIds, conversation.id);
    }
    if (second === stopSecond && seenAtMark.has(conversation.id)) continue;
    fresh.push(conversation);
  }
  return { fresh, reachedMark: false, topTime, topIds };
}

/** Adds an id to a list kept at one second, within `MAX_IDS_CHARS`. */
function withId(ids: readonly string[], id: string): string[] {
  if (ids.includes(id)) return [...ids];
  const size = ids.reduce((sum, known) => sum + known.length, 0);
  return size + id.length > MAX_IDS_CHARS ? [...ids] : [...ids, id];
}

/**
 * The mark a new scan stops at: the stored one, unless it lies ahead of the clock (written before times
 * were screened, or the clock was wrong): such a mark would hide every new conversation, so the scan
 * reads down to the bottom once instead and sets a trusted mark.
 */
export function trustedMark(
  partition: Pick<PartitionState, 'highWaterMark' | 'markIds'>,
  nowSeconds: number,
): { stopAt: string | null; stopIds: string[] } {
  const mark = partition.highWaterMark;
  if (mark === null) return { stopAt: null, stopIds: [] };
  const second = parseGraphTime(mark);
  if (second === undefined || second > nowSeconds + FUTURE_TOLERANCE_SECONDS)
    return { stopAt: null, stopIds: [] };
  return { stopAt: mark, stopIds: [...partition.markIds] };
}

/**
 * The partition once its scan is complete: the mark moves to the newest trusted conversation the scan
 * met, with the ids at its second (merged with those already there when the second is the same). A
 * mark never moves back below the one the scan stopped at.
 */
export function completedPartition(partition: PartitionState, scan: ScanCheckpoint): PartitionState {
  const completed: PartitionState = { ...partition, syncedAt: scan.startedAt, scan: null };
  // A first backfill read the whole folder from the top: it counts as the partition's first reconciliation.
  if (scan.stopAt === null && (partition.reconciledAt ?? null) === null)
    completed.reconciledAt = scan.startedAt;
  if (scan.topTime === null) return completed;
  const stopSecond = scan.stopAt === null ? undefined : graphSeconds(scan.stopAt);
  const topSecond = graphSeconds(scan.topTime);
  if (stopSecond !== undefined && topSecond < stopSecond) return completed;
  const markSecond = partition.highWaterMark === null ? undefined : parseGraphTime(partition.highWaterMark);
  completed.markIds =
    topSecond === markSecond ? scan.topIds.reduce(withId, partition.markIds) : scan.topIds.reduce(withId, []);
  completed.highWaterMark = scan.topTime;
  return completed;
}

export interface RunBudget {
  maxGraphCalls: number | undefined;
  callsMade: number;
  /** Milliseconds the run may still use, when it has a deadline. */
  remainingMs: number | undefined;
  safetyMarginMs: number;
}

/** Why the run must stop before its next Graph call, or undefined while it is within its budget. */
export function budgetStopReason(budget: RunBudget): string | undefined {
  if (budget.maxGraphCalls !== undefined && budget.callsMade >= budget.maxGraphCalls) {
    return `Stopped at the budget of ${budget.maxGraphCalls} Graph calls; resumes on the next run.`;
  }
  if (budget.remainingMs !== undefined && budget.remainingMs < budget.safetyMarginMs) {
    return 'Stopped before the time limit; resumes on the next run.';
  }
  return undefined;
}
