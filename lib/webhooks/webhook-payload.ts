import { isPageId } from '../domain/vocabulary.js';
import { MAX_TARGETS_PER_DELIVERY } from './delivery-limits.js';
import type { RefreshRequest } from './refresh-request.js';

export type WebhookTarget = Pick<RefreshRequest, 'object' | 'accountId' | 'personId' | 'eventTime'>;

/** Kinds of `messaging[]` items that concern a conversation; others (optins, referrals…) do not. */
const CONVERSATION_EVENTS = ['message', 'postback', 'reaction', 'read'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const idOf = (party: unknown): string | undefined => {
  const id = isRecord(party) ? party.id : undefined;
  return typeof id === 'string' && isPageId(id) ? id : undefined;
};

/**
 * The person a `messaging[]` item names: the sender, or the recipient of an echo (a message the Page
 * itself sent). Undefined for an item that concerns no conversation, or names the account itself.
 */
export function personOf(item: unknown, accountId: string): string | undefined {
  if (!isRecord(item) || !CONVERSATION_EVENTS.some((kind) => isRecord(item[kind]))) return undefined;
  const echo = isRecord(item.message) && item.message.is_echo === true;
  const person = idOf(echo ? item.recipient : item.sender);
  return person === accountId ? undefined : person;
}

const timestampOf = (item: unknown): number | undefined => {
  const value = isRecord(item) ? item.timestamp : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
};

/** What one delivery names: the pairs taken, and how many more distinct pairs were left out. */
export interface WebhookTargets {
  targets: WebhookTarget[];
  /** Distinct (account, person) pairs past `limit`: not refreshed, left to the scheduled sync. */
  dropped: number;
}

/**
 * Reads Meta's webhook body (`object`, `entry[].id`, `entry[].messaging[]`) into the people whose
 * conversations changed, each once however many items named them (with the newest item's
 * `timestamp`), the first `limit` distinct (account, person) pairs in the body's order; further pairs
 * are only counted. Anything it does not know (another object, an entry without messaging, a
 * malformed item) is skipped, never an error: Meta would only retry it, then disable the subscription.
 */
export function readWebhookTargets(body: unknown, limit = MAX_TARGETS_PER_DELIVERY): WebhookTargets {
  if (!isRecord(body) || (body.object !== 'page' && body.object !== 'instagram')) {
    return { targets: [], dropped: 0 };
  }
  const object = body.object;
  const targets = new Map<string, WebhookTarget>();
  // Bounded by the body's size (1 MiB): only keys, to count each left-out pair once.
  const left = new Set<string>();
  for (const entry of Array.isArray(body.entry) ? body.entry : []) {
    if (!isRecord(entry) || !Array.isArray(entry.messaging)) continue;
    const accountId = typeof entry.id === 'string' && isPageId(entry.id) ? entry.id : undefined;
    if (accountId === undefined) continue;
    for (const item of entry.messaging) {
      const personId = personOf(item, accountId);
      if (personId === undefined) continue;
      const key = `${accountId}#${personId}`;
      const known = targets.get(key);
      if (known === undefined && targets.size >= limit) {
        left.add(key);
        continue;
      }
      const time = timestampOf(item);
      const eventTime =
        time === undefined || (known?.eventTime !== undefined && known.eventTime > time)
          ? known?.eventTime
          : time;
      targets.set(key, { object, accountId, personId, ...(eventTime === undefined ? {} : { eventTime }) });
    }
  }
  return { targets: [...targets.values()], dropped: left.size };
}
