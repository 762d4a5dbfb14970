import { FOLDERS, PLATFORMS } from '../domain/vocabulary.js';
import type { ErasureStore } from '../store/erasure-store.js';
import type { IndexPartition } from '../store/keys.js';
import type { PersonRef, PersonStore } from '../store/person-store.js';
import type { Logger } from '../telemetry/logger.js';
import { type PageAccounts, pageAccounts } from './admission.js';
import type { ErasableIndex } from './erasure.js';
import type { PersonHasher } from './person-hash.js';
import { personIdsOf } from './person-ids.js';
import { DAY_MS, type Retention, retentionCutoff } from './retention.js';

/**
 * Conversations that aged past `RETENTION_DAYS` leave the index as tombstones with reason `expired`
 * (one `Conversation Removed` each), with their people's refs. Found by a bounded Query of a folder's
 * live partition from its oldest end (`ErasureStore.expiredLive`), never by a scan: the scheduled run
 * sweeps each Page once a day (`sweepPage`), and a read that asks for older conversations than the
 * retention keeps has its folder swept (`expireFolder`, queued by the API).
 */

export interface ExpiryDependencies {
  index: Pick<ErasableIndex, 'tombstone'>;
  erasures: Pick<ErasureStore, 'expiredLive' | 'sweepState' | 'markSwept'>;
  persons: Pick<PersonStore, 'deleteRefs'>;
  hasher: PersonHasher;
  registry: PageAccounts;
  retention: Retention;
  logger: Logger;
  now: () => Date;
}

/** Conversations read per Query of a folder. */
const EXPIRY_BATCH = 100;
/** Conversations one sweep of a Page, or one swept folder, looks at; the rest waits for the next. */
export const SWEEP_BUDGET = 1_000;

/**
 * Tombstones up to `budget` conversations of one folder past the retention, oldest first. `complete`
 * when none is left. One written since it was read keeps its newer state (the removal is conditional
 * on the revision read) and is looked at again by the next sweep.
 */
export async function expireFolder(
  deps: ExpiryDependencies,
  partition: IndexPartition,
  budget = SWEEP_BUDGET,
): Promise<{ removed: number; looked: number; complete: boolean }> {
  const cutoff = retentionCutoff(deps.retention, deps.now());
  if (cutoff === undefined) return { removed: 0, looked: 0, complete: true };
  let removed = 0;
  let looked = 0;
  while (looked < budget) {
    const limit = Math.min(EXPIRY_BATCH, budget - looked);
    const expired = await deps.erasures.expiredLive(partition, cutoff, limit);
    looked += expired.length;
    if (expired.length === 0) return { removed, looked, complete: true };
    const applied = await deps.index.tombstone(
      { pageId: partition.pageId, platform: partition.platform },
      expired.map(({ id, revision }) => ({ id, revision })),
      'expired',
    );
    removed += applied.length;
    const gone = new Set(applied.map((change) => change.conversation.id));
    await forgetPeople(
      deps,
      partition,
      expired.filter((item) => gone.has(item.id)),
    );
    // Some could not be removed (written meanwhile): they would come first again, so stop this round.
    if (applied.length < expired.length) return { removed, looked, complete: false };
    if (expired.length < limit) return { removed, looked, complete: true };
  }
  return { removed, looked, complete: false };
}

/** The refs of the people of expired conversations: nothing points at them any more. */
async function forgetPeople(
  deps: ExpiryDependencies,
  partition: IndexPartition,
  expired: Awaited<ReturnType<ExpiryDependencies['erasures']['expiredLive']>>,
): Promise<void> {
  const accounts = await pageAccounts(deps.registry, partition.pageId);
  const people = expired.map((item) => ({
    id: item.id,
    personIds: item.conversation === undefined ? [] : personIdsOf(item.conversation, accounts),
  }));
  const distinct = [...new Set(people.flatMap((item) => item.personIds))];
  if (distinct.length === 0) return;
  const hashes = await deps.hasher.hashAll(distinct);
  const hashOf = new Map(distinct.map((id, i) => [id, hashes[i] ?? '']));
  const refs: PersonRef[] = people.flatMap((item) =>
    item.personIds.map((personId) => ({
      personHash: hashOf.get(personId) ?? '',
      platform: partition.platform,
      conversationId: item.id,
    })),
  );
  await deps.persons.deleteRefs(partition.pageId, refs);
}

/**
 * The scheduled run's sweep of a Page, at most once a day and only with a retention: every platform and
 * folder (also those the sync no longer covers), `SWEEP_BUDGET` conversations at most. A sweep cut
 * short is not recorded, so the next run goes on. Returns how many conversations it removed.
 */
export async function sweepPage(deps: ExpiryDependencies, pageId: string): Promise<number> {
  if (deps.retention.days === undefined) return 0;
  const now = deps.now();
  const last = (await deps.erasures.sweepState(pageId)).sweptAt;
  if (last !== undefined && now.getTime() - last < DAY_MS) return 0;
  let removed = 0;
  let left = SWEEP_BUDGET;
  let complete = true;
  for (const platform of PLATFORMS) {
    for (const folder of FOLDERS) {
      if (left <= 0) {
        complete = false;
        break;
      }
      const swept = await expireFolder(deps, { pageId, platform, folder }, left);
      removed += swept.removed;
      left -= swept.looked;
      complete &&= swept.complete;
    }
  }
  if (complete) await deps.erasures.markSwept(pageId, now);
  if (removed > 0) deps.logger.info('conversations expired', { page_id: pageId, removed, complete });
  return removed;
}
