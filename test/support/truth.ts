import type { Folder, Platform } from '#lib/domain/vocabulary.js';
import type { EmulatedConversation, GraphEmulator } from '#lib/local/graph-emulator.js';
import type { ConversationIndex } from '#lib/store/conversation-index.js';

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

/** Everything the index holds for one partition, newest first, as `[id, updated_time]` pairs. */
export async function indexContents(
  index: ConversationIndex,
  pageId: string,
  platform: Platform,
  folder: Folder,
): Promise<Array<[string, string]>> {
  const rows: Array<[string, string]> = [];
  let after: string | undefined;
  for (;;) {
    const page = await index.query({
      pageId,
      platform,
      folder,
      updatedSince: new Date(0),
      limit: 100,
      after,
    });
    for (const conversation of page.data) rows.push([conversation.id, conversation.updated_time]);
    if (!page.hasMoreAfter || page.lastKey === undefined) return rows;
    after = page.lastKey;
  }
}

/** Graph's truth in the same form. */
export function truthRows(
  emulator: GraphEmulator,
  pageId: string,
  platform: Platform,
  folder: Folder,
): Array<[string, string]> {
  return graphTruth(emulator, pageId, platform, folder).map((c) => [c.id, c.updated_time]);
}
