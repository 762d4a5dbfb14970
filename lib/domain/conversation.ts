import { parseGraphTime } from './graph-time.js';

/** One conversation as Graph returns it and the index keeps it: `id` and `updated_time` always, the rest as asked. */
export interface Conversation {
  id: string;
  updated_time: string;
  [field: string]: unknown;
}

/** What calling Graph as a page takes: its token and, when the app enforces it, the app secret. */
export interface PageCredentials {
  readonly accessToken: string;
  /** Present when calls must carry `appsecret_proof`. */
  readonly appSecret?: string;
}

/** Longest conversation id taken from Graph: real ones are far shorter; longer ones are garbage or an attack. */
export const MAX_CONVERSATION_ID_LENGTH = 256;

/**
 * Longest Graph paging cursor the product keeps (in a cursor item or a sync checkpoint). Graph's are a
 * few hundred characters; a larger one would push a stored item towards DynamoDB's 400 KB limit.
 */
export const MAX_GRAPH_CURSOR_CHARS = 4 * 1024;

/**
 * Why an item Graph returned is not a conversation this product can index or return, or undefined
 * when it is one: it needs an `id` of 1 to 256 characters and an `updated_time` in Graph's format.
 */
export function conversationDefect(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'not an object';
  const { id, updated_time: updatedTime } = item as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0) return 'no id';
  if (id.length > MAX_CONVERSATION_ID_LENGTH)
    return `an id longer than ${MAX_CONVERSATION_ID_LENGTH} characters`;
  if (typeof updatedTime !== 'string') return 'no updated_time';
  if (parseGraphTime(updatedTime) === undefined) return 'an updated_time not in Graph format';
  return undefined;
}
