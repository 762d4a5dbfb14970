import type { Folder, Platform } from '#lib/conversations/vocabulary.js';
import type { EmulatedConversation, GraphEmulator } from '#lib/local/graph-emulator.js';

/** What Graph holds for one partition, in Graph's order: newest activity first, then id descending. */
export function graphTruth(
  emulator: GraphEmulator,
  pageId: string,
  platform: Platform,
  folder: Folder,
): EmulatedConversation[] {
  const page = emulator.pages.get(pageId);
  if (page === undefined) throw new Error(`no emulated page ${pageId}`);
  return page.conversations
    .filter((conversation) => conversation.platform === platform && conversation.folder === folder)
    .sort((a, b) =>
      a.updated_time === b.updated_time ? (a.id < b.id ? 1 : -1) : a.updated_time < b.updated_time ? 1 : -1,
    );
}

export interface ConversationsAnswer {
  data: Array<{ id: string; updated_time?: string; [field: string]: unknown }>;
  paging?: { cursors: { before?: string; after?: string }; next?: string; previous?: string };
  synced_at?: string | null;
}

/** The path and query of an absolute `paging.next`/`previous` link, to call it on the harness. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
