import { appendFile } from 'node:fs/promises';
import type { ChangeEventSink, ConversationChangeDetail } from '../domain/change-event.js';
import { toEventEntry } from '../events/event-entry.js';

/**
 * Local stand-in for the bus (`EVENTS_FILE`): each event appended as one JSON line in PutEvents' entry
 * shape, so that a script written against the file reads EventBridge's entries the same way.
 */
export class FileSink implements ChangeEventSink {
  constructor(
    private readonly path: string,
    private readonly eventBusName?: string,
  ) {}

  async publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }> {
    if (details.length === 0) return { undelivered: [] };
    const lines = details.map((detail) => `${JSON.stringify(toEventEntry(detail, this.eventBusName))}\n`);
    // One append per batch: lines of concurrent writers never interleave within a line.
    await appendFile(this.path, lines.join(''), 'utf8');
    return { undelivered: [] };
  }
}
