import type { Conversation } from '../domain/conversation.js';
import { SCOPED_USER_ID_PATTERN } from '../domain/vocabulary.js';

/**
 * The people a conversation names: the ids of its `participants`, `senders` and `former_participants`
 * (whichever the index holds), without the Page's own accounts (the Page itself on Messenger, its
 * Instagram professional account on Instagram). Graph's answers are input: only ids in the scoped-id
 * form count, and at most `MAX_PEOPLE` per conversation (a conversation between a Page and one person
 * names two; more is a group thread or garbage).
 */

const PEOPLE_FIELDS = ['participants', 'senders', 'former_participants'] as const;
const SCOPED_ID = new RegExp(SCOPED_USER_ID_PATTERN);
export const MAX_PEOPLE = 50;

function idsIn(field: unknown): string[] {
  if (typeof field !== 'object' || field === null) return [];
  const data = (field as { data?: unknown }).data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const id = (entry as { id?: unknown }).id;
    return typeof id === 'string' && SCOPED_ID.test(id) ? [id] : [];
  });
}

/** The distinct ids of the people a conversation names, the Page's own `accounts` left out. */
export function personIdsOf(conversation: Conversation, accounts: ReadonlySet<string>): string[] {
  const ids = new Set<string>();
  for (const field of PEOPLE_FIELDS) {
    for (const id of idsIn(conversation[field])) {
      if (accounts.has(id)) continue;
      ids.add(id);
      if (ids.size === MAX_PEOPLE) return [...ids];
    }
  }
  return [...ids];
}
