import { CHANGE_EVENT_SOURCE, type ConversationChangeDetail, detailTypeOf } from '../domain/change-event.js';

/** One entry of EventBridge's PutEvents, the shape the local file sink writes too. */
export interface ChangeEventEntry {
  Source: string;
  DetailType: string;
  /** JSON, as PutEvents takes it. */
  Detail: string;
  EventBusName?: string;
}

/**
 * EventBridge refuses an entry of 256 KB or more (Source, DetailType and Detail counted together);
 * a margin keeps room for the bus name and the SDK's envelope.
 */
export const MAX_ENTRY_BYTES = 256 * 1024 - 1024;

/** Fields of a conversation that are never cut: without them the event names nothing. */
const KEPT_FIELDS = new Set(['id', 'updated_time']);

const entryBytes = (entry: ChangeEventEntry) =>
  Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);

/**
 * The PutEvents entry of one change, under the `DetailType` of its kind. A conversation too large for an event (a group thread's
 * participants, say) loses its largest fields first until it fits, and says which under
 * `truncated_fields`: a consumer that needs them reads the conversation from the API.
 */
export function toEventEntry(detail: ConversationChangeDetail, eventBusName?: string): ChangeEventEntry {
  const entry = (value: ConversationChangeDetail): ChangeEventEntry => ({
    Source: CHANGE_EVENT_SOURCE,
    DetailType: detailTypeOf(value),
    Detail: JSON.stringify(value),
    ...(eventBusName === undefined ? {} : { EventBusName: eventBusName }),
  });
  let candidate = entry(detail);
  if (entryBytes(candidate) <= MAX_ENTRY_BYTES) return candidate;
  // Only a Changed or Moved detail carries more than ids and times, so only they are ever cut.
  const conversation: Record<string, unknown> = { ...detail.conversation };
  const truncated: string[] = [];
  const bySize = Object.keys(conversation)
    .filter((field) => !KEPT_FIELDS.has(field))
    .sort((a, b) => JSON.stringify(conversation[b]).length - JSON.stringify(conversation[a]).length);
  for (const field of bySize) {
    delete conversation[field];
    truncated.push(field);
    const cut = {
      ...conversation,
      truncated_fields: truncated,
    } as unknown as ConversationChangeDetail['conversation'];
    candidate = entry({ ...detail, conversation: cut } as ConversationChangeDetail);
    if (entryBytes(candidate) <= MAX_ENTRY_BYTES) return candidate;
  }
  return candidate;
}

export { entryBytes };
