import type { Conversation } from '../domain/conversation.js';
import { parseGraphTime } from '../domain/graph-time.js';

/**
 * `RETENTION_DAYS`: a conversation whose `updated_time` is older than that many days is not indexed,
 * and one that ages past it leaves the index as a tombstone with reason `expired` when the scheduled
 * run's daily sweep or a read finds it (`expiry.ts`). DynamoDB's TTL only cleans up tombstones.
 */

export const DAY_MS = 86_400_000;

/** The retention as the services are given it: unset keeps everything. */
export interface Retention {
  days: number | undefined;
}

/** The instant before which a conversation is past the retention; undefined without one. */
export function retentionCutoff(retention: Retention, now: Date): Date | undefined {
  return retention.days === undefined ? undefined : new Date(now.getTime() - retention.days * DAY_MS);
}

/** Whether a conversation was last updated before the cutoff (an unreadable time is not judged here). */
export function isPastRetention(conversation: Pick<Conversation, 'updated_time'>, cutoff: Date): boolean {
  const seconds = parseGraphTime(conversation.updated_time);
  return seconds !== undefined && seconds * 1000 < cutoff.getTime();
}
