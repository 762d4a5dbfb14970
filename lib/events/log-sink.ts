import type { ChangeEventSink, ConversationChangeDetail } from '../domain/change-event.js';
import type { Logger } from '../telemetry/logger.js';
import { toEventEntry } from './event-entry.js';

/**
 * Where events go when neither a bus nor a file is configured (the local default): one log line each,
 * with the conversation cut to its id and time. A log line never names a person (participants' ids and
 * names, snippets): the whole event is what `EVENTS_FILE` or the bus receives.
 */
export class LogSink implements ChangeEventSink {
  constructor(private readonly logger: Logger) {}

  async publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }> {
    for (const detail of details)
      this.logger.info('change event', { event: toEventEntry(withoutPeople(detail)) });
    return { undelivered: [] };
  }
}

function withoutPeople(detail: ConversationChangeDetail): ConversationChangeDetail {
  const { id, updated_time: updatedTime } = detail.conversation;
  return { ...detail, conversation: { id, updated_time: updatedTime } } as ConversationChangeDetail;
}
