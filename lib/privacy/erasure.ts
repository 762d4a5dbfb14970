import type { RemovalReason } from '../domain/change-event.js';
import { UnknownPageError } from '../domain/errors.js';
import { PLATFORMS, type Platform } from '../domain/vocabulary.js';
import type { ErasureStore } from '../store/erasure-store.js';
import type { PersonStore } from '../store/person-store.js';
import type { Logger } from '../telemetry/logger.js';
import { type PersonHasher, personDigest, personTag } from './person-hash.js';

/**
 * Erasing a person from a Page (`POST /pages/{pageId}/erasures`, and Meta's data-deletion callback on
 * every Page): every indexed conversation that names them becomes a tombstone with reason `erased` (one
 * `Conversation Removed` each), and what else names them goes. In this order, so that a failure at any
 * step leaves the erasure recorded and a retry finishes it:
 * 1. the erasure record (keyed hash and time): from here on every writer drops their history (`admission.ts`);
 * 2. their refs are read (one Query of their own partition: reads in proportion to their conversations);
 * 3. the changes feed's records of those conversations are cut to ids and times (so that a removal's
 *    delivery, which looks there for what an undelivered write before it said, finds no content);
 * 4. each live conversation is tombstoned at the revision just read (its undelivered writes go out with
 *    ids and times only); one written meanwhile is read and tried again, and the feed cut once more;
 * 5. the webhook refresh items that name them (by id) are deleted; then their refs.
 * Pacing items are per account, not per person, and name no one.
 */

/** What the erasure needs of the index (`ConversationIndex`). */
export interface ErasableIndex {
  readState(
    pageId: string,
    platform: Platform,
    ids: string[],
  ): Promise<Map<string, { revision: number; removed: boolean }>>;
  tombstone(
    target: { pageId: string; platform: Platform },
    removals: Array<{ id: string; revision: number }>,
    reason: RemovalReason,
  ): Promise<ReadonlyArray<{ conversation: { id: string } }>>;
}

export interface ErasureDependencies {
  index: ErasableIndex;
  persons: Pick<PersonStore, 'refsOf' | 'deleteRefs' | 'recordErasure'>;
  erasures: Pick<ErasureStore, 'forgetRefreshes' | 'redactFeed'>;
  hasher: PersonHasher;
  /** Whether a Page is registered (`PageRegistry.get`: read now, not from a cache). */
  registry: { get(pageId: string): Promise<unknown> };
  logger: Logger;
  now: () => Date;
}

/** The contract's answer, before it is shaped. */
export interface ErasureResult {
  pageId: string;
  /** The plain SHA-256 of the id (lowercase hex): the contract's `person`. */
  person: string;
  /** The keyed hash: its first characters stand for the person in log lines (`personTag`). */
  personHash: string;
  conversationsRemoved: number;
  erasedAt: Date;
}

/** A conversation written between the read and the removal is read again, this many times at most. */
const TOMBSTONE_ROUNDS = 3;

/** Erases a person (a Page- or Instagram-scoped id, digits) from one registered Page. */
export async function erasePerson(
  deps: ErasureDependencies,
  pageId: string,
  personId: string,
): Promise<ErasureResult> {
  if ((await deps.registry.get(pageId)) === undefined) throw new UnknownPageError(pageId);
  const result = await eraseFromPage(deps, pageId, personId);
  deps.logger.info('person erased', {
    page_id: pageId,
    person: personTag(result.personHash),
    conversations_removed: result.conversationsRemoved,
  });
  return result;
}

/** The erasure on a Page known to be registered (the callback walks the registry). */
export async function eraseFromPage(
  deps: ErasureDependencies,
  pageId: string,
  personId: string,
): Promise<ErasureResult> {
  const erasedAt = deps.now();
  const personHash = await deps.hasher.hash(personId);
  await deps.persons.recordErasure(pageId, personHash, erasedAt);
  const refs = await deps.persons.refsOf(pageId, personHash);
  // The feed first: a removal's delivery looks up in the feed what an undelivered write before it said.
  await deps.erasures.redactFeed(pageId, refs);
  let removed = 0;
  let raced = false;
  const left = new Set<string>();
  for (const platform of PLATFORMS) {
    const ids = refs.filter((ref) => ref.platform === platform).map((ref) => ref.conversationId);
    if (ids.length === 0) continue;
    const outcome = await tombstoneAll(deps, pageId, platform, ids);
    removed += outcome.removed;
    raced ||= outcome.raced;
    for (const id of outcome.left) left.add(`${platform}/${id}`);
  }
  // A write that landed between the feed's redaction and its removal was recorded with its content.
  if (raced) await deps.erasures.redactFeed(pageId, refs);
  await deps.erasures.forgetRefreshes(pageId, personId, PLATFORMS);
  // A conversation still live keeps its ref, so that the next request finds it.
  await deps.persons.deleteRefs(
    pageId,
    refs.filter((ref) => !left.has(`${ref.platform}/${ref.conversationId}`)),
  );
  return { pageId, person: personDigest(personId), personHash, conversationsRemoved: removed, erasedAt };
}

/** Tombstones every live conversation of `ids`: how many this erasure removed, and any it could not. */
async function tombstoneAll(
  deps: ErasureDependencies,
  pageId: string,
  platform: Platform,
  ids: readonly string[],
): Promise<{ removed: number; left: string[]; raced: boolean }> {
  let removed = 0;
  let remaining = [...ids];
  for (let round = 1; round <= TOMBSTONE_ROUNDS && remaining.length > 0; round++) {
    const states = await deps.index.readState(pageId, platform, remaining);
    const live = [...states].filter(([, state]) => !state.removed);
    if (live.length === 0) return { removed, left: [], raced: round > 1 };
    const applied = await deps.index.tombstone(
      { pageId, platform },
      live.map(([id, state]) => ({ id, revision: state.revision })),
      'erased',
    );
    removed += applied.length;
    const done = new Set(applied.map((change) => change.conversation.id));
    remaining = live.map(([id]) => id).filter((id) => !done.has(id));
  }
  if (remaining.length > 0) {
    // Written again and again while being erased: the next erasure request (or the callback's retry) finishes.
    deps.logger.warn('erasure left conversations that kept changing', {
      page_id: pageId,
      platform,
      conversations: remaining.length,
    });
  }
  return { removed, left: remaining, raced: true };
}
