import { PLATFORMS } from '../domain/vocabulary.js';
import type { ErasureStore } from '../store/erasure-store.js';
import type { Logger } from '../telemetry/logger.js';
import { type AdmissionDependencies, recordPeople } from './admission.js';
import type { ErasableIndex } from './erasure.js';

/**
 * Conversations indexed before this version have no person refs, so an erasure could not find them.
 * The first scheduled run of each Page after the upgrade walks its live conversations once (one
 * Query per platform and 100 conversations, tombstones filtered out), writes the refs that are missing (one
 * BatchGetItem per 100, one Put per missing ref), tombstones (reason `erased`) any that is the history
 * of a person erased meanwhile (an erasure that came before this walk could not find it), then records
 * that the Page has its refs: one GetItem per run from then on (the item the retention sweep reads).
 * A run cut short leaves no mark, and the next one walks the Page again (the Puts are idempotent).
 */
export interface RefBackfillDependencies
  extends Pick<AdmissionDependencies, 'hasher' | 'persons' | 'registry' | 'now'> {
  erasures: Pick<ErasureStore, 'sweepState' | 'markRefsBuilt' | 'liveBatch' | 'redactFeed'>;
  index: ErasableIndex;
  logger: Logger;
}

export async function buildPersonRefsOnce(deps: RefBackfillDependencies, pageId: string): Promise<number> {
  if ((await deps.erasures.sweepState(pageId)).refsAt !== undefined) return 0;
  let seen = 0;
  for (const platform of PLATFORMS) {
    const partition = { pageId, platform };
    let next: Record<string, string> | undefined;
    do {
      const batch = await deps.erasures.liveBatch(partition, next);
      seen += batch.conversations.length;
      next = batch.next;
      if (batch.conversations.length === 0) continue;
      const { erased } = await recordPeople(deps, partition, batch.conversations, 'all');
      if (erased.length === 0) continue;
      const ids = erased.map((conversation) => conversation.id);
      // The feed first, as an erasure does: the removals' delivery looks there (`erasure.ts`).
      await deps.erasures.redactFeed(
        pageId,
        ids.map((conversationId) => ({ platform, conversationId })),
      );
      const states = await deps.index.readState(pageId, platform, ids);
      const live = [...states].filter(([, state]) => !state.removed);
      await deps.index.tombstone(
        { pageId, platform },
        live.map(([id, state]) => ({ id, revision: state.revision })),
        'erased',
      );
    } while (next !== undefined);
  }
  await deps.erasures.markRefsBuilt(pageId, deps.now());
  if (seen > 0)
    deps.logger.info('person refs built for conversations indexed before them', {
      page_id: pageId,
      conversations: seen,
    });
  return seen;
}
