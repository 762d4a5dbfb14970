import { graphSeconds } from '../domain/graph-time.js';
import type { PartitionState, ScanCheckpoint } from '../domain/sync-state.js';

/**
 * The pure rules of a partition scan, apart from its I/O so that tests can state them as tables:
 * which conversations of a Graph page are new to the index, when the scan has reached its mark, where
 * the mark moves when the scan completes, and when a run must stop to stay in its budget.
 */

/** A conversation as the scan sees it: Graph's id and time. */
export interface ScannedConversation {
  id: string;
  updated_time: string;
}

export interface ScanPageReading<T extends ScannedConversation> {
  /** The conversations the index lacks (or holds at an older time), in Graph's order. */
  fresh: T[];
  /** True when the page went below the scan's stop mark: nothing older needs reading. */
  reachedMark: boolean;
  /** The scan's newest time and the ids at its second, after this page. */
  topTime: string | null;
  topIds: string[];
}

/** Reads one Graph page of a scan; the scan itself is left as it was. */
export function readScanPage<T extends ScannedConversation>(
  scan: Pick<ScanCheckpoint, 'stopAt' | 'stopIds' | 'topTime' | 'topIds'>,
  conversations: readonly T[],
): ScanPageReading<T> {
  const fresh: T[] = [];
  const stopSecond = scan.stopAt === null ? undefined : graphSeconds(scan.stopAt);
  const seenAtMark = new Set(scan.stopIds);
  let topTime = scan.topTime;
  const topIds = [...scan.topIds];
  for (const conversation of conversations) {
    const second = graphSeconds(conversation.updated_time);
    if (stopSecond !== undefined && second < stopSecond) return { fresh, reachedMark: true, topTime, topIds };
    topTime ??= conversation.updated_time;
    if (second === graphSeconds(topTime) && !topIds.includes(conversation.id)) topIds.push(conversation.id);
    if (second === stopSecond && seenAtMark.has(conversation.id)) continue;
    fresh.push(conversation);
  }
  return { fresh, reachedMark: false, topTime, topIds };
}

/**
 * The partition once its scan is complete: the mark moves to the newest conversation the scan met,
 * with the ids at its second (merged with those already there when the second is the same).
 */
export function completedPartition(partition: PartitionState, scan: ScanCheckpoint): PartitionState {
  const completed: PartitionState = { ...partition, syncedAt: scan.startedAt, scan: null };
  if (scan.topTime === null) return completed;
  const sameSecond =
    partition.highWaterMark !== null && graphSeconds(partition.highWaterMark) === graphSeconds(scan.topTime);
  completed.markIds = sameSecond ? [...new Set([...partition.markIds, ...scan.topIds])] : [...scan.topIds];
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
