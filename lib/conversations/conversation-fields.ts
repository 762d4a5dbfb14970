import { type Conversation, conversationDefect } from '../domain/conversation.js';

/** Keeps only the fields a caller asked for: Graph (or an old index item) may carry more. */
export function pickFields(conversation: Conversation, fields: ReadonlySet<string>): Conversation {
  const picked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(conversation)) if (fields.has(name)) picked[name] = value;
  return picked as Conversation;
}

/**
 * What the live route passes on of Graph's items: only conversations with a valid id and time (the
 * rule the sync's index keeps too), and of those only the fields asked for. Graph's answers are input
 * like any other: an item may carry fields nobody asked for (a token, whole message threads).
 */
export function presentableConversations(
  items: readonly unknown[],
  fields: readonly string[],
): Conversation[] {
  const wanted = new Set(fields);
  return items
    .filter((item): item is Conversation => conversationDefect(item) === undefined)
    .map((item) => pickFields(item, wanted));
}
