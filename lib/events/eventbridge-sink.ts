import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ChangeEventSink, ConversationChangeDetail } from '../domain/change-event.js';
import { type ChangeEventEntry, entryBytes, toEventEntry } from './event-entry.js';
import { createEventBridgeClient } from './eventbridge-client.js';

/** PutEvents takes at most 10 entries, and at most 256 KB in all, per request. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

export interface EventBridgeSinkOptions {
  client?: Pick<EventBridgeClient, 'send'>;
  eventBusName: string;
  /** Attempts per entry, the first included: only the entries EventBridge failed are sent again. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Pending {
  eventId: string;
  entry: ChangeEventEntry;
}

/** Splits entries into PutEvents requests by both of its limits. */
function batches(pending: readonly Pending[]): Pending[][] {
  const result: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    const size = entryBytes(item.entry);
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * Change events to an EventBridge bus. PutEvents answers 200 even when some entries fail
 * (`FailedEntryCount`, an `ErrorCode` per entry): those, and only those, are sent again, so a
 * consumer never receives an entry twice because another in its batch failed.
 */
export class EventBridgeSink implements ChangeEventSink {
  private readonly client: Pick<EventBridgeClient, 'send'>;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventBridgeSinkOptions) {
    this.client = options.client ?? createEventBridgeClient();
    this.maxAttempts = options.maxAttempts ?? 3;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }> {
    let pending: Pending[] = details.map((detail) => ({
      eventId: detail.event_id,
      entry: toEventEntry(detail, this.options.eventBusName),
    }));
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(100 * 2 ** (attempt - 2));
      const failed: Pending[] = [];
      for (const batch of batches(pending)) {
        try {
          const output = await this.client.send(
            new PutEventsCommand({ Entries: batch.map(({ entry }) => entry) }),
          );
          // Results come in the order of the entries sent; a failed one carries an ErrorCode.
          batch.forEach((item, i) => {
            if ((output.Entries?.[i]?.ErrorCode ?? undefined) !== undefined) failed.push(item);
          });
        } catch (error: unknown) {
          lastError = error;
          failed.push(...batch);
        }
      }
      pending = failed;
    }
    if (pending.length === details.length && details.length > 0 && lastError !== undefined) throw lastError;
    return { undelivered: pending.map(({ eventId }) => eventId) };
  }
}
