import type { ConversationChangeDetail } from '#lib/domain/change-event.js';

/** A change event of a conversation created in the demo Page's Messenger inbox, by its id. */
export function createdDetail(id: string): ConversationChangeDetail {
  return {
    event_id: `${id}@1`,
    revision: 1,
    page_id: '1000000000000001',
    platform: 'messenger',
    folder: 'inbox',
    change: 'created',
    previous_updated_time: null,
    conversation: { id, updated_time: '2026-11-20T10:00:00+0000' },
  };
}
