import type { ChangeEventSink, ConversationChangeDetail } from '../domain/change-event.js';
import type { Logger } from '../telemetry/logger.js';
import { toEventEntry } from './event-entry.js';

/** Where events go when neither a bus nor a file is configured (the local default): one log line each. */
export class LogSink implements ChangeEventSink {
  constructor(private readonly logger: Logger) {}

  async publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }> {
    for (const detail of details) this.logger.info('change event', { event: toEventEntry(detail) });
    return { undelivered: [] };
  }
}
