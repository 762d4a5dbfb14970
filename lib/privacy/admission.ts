import type { Conversation } from '../domain/conversation.js';
import { parseGraphTime } from '../domain/graph-time.js';
import type { IndexPartition } from '../store/keys.js';
import { type PersonRef, type PersonStore, refKey } from '../store/person-store.js';
import type { PersonHasher } from './person-hash.js';
import { personIdsOf } from './person-ids.js';
import { isPastRetention, type Retention, retentionCutoff } from './retention.js';

/**
 * What every index write passes first (the index's `admit` hook), whoever writes: the sync, the
 * reconciliation, a webhook refresh. It drops what may not be indexed, and writes what an erasure will
 * need before the conversation is indexed:
 * 1. a conversation past `RETENTION_DAYS` is dropped;
 * 2. a conversation naming a person erased from the Page is dropped when its `updated_time` is not
 *    later than the erasure (history stays erased; new activity after it is new data, and is indexed);
 * 3. each person of a conversation kept gets a ref to it (`PERSON#<page>#<hash>`), written before the
 *    conversation is: a crash between the two leaves a ref to nothing (harmless) rather than an indexed
 *    conversation that an erasure cannot find.
 * Cost: one BatchGetItem per write (the erasure records of its people and their refs, strongly
 * consistent), and one Put per ref not there yet, about one per new conversation. A person's
 * erasure is read at every write rather than cached for a run, so that a run that began before an
 * erasure does not index that person's history after it.
 */

/** The Page's own accounts: never a person of its conversations. */
export interface PageAccounts {
  find(pageId: string): Promise<{ instagramAccountId?: string | undefined } | undefined>;
}

export interface AdmissionDependencies {
  hasher: PersonHasher;
  persons: Pick<PersonStore, 'lookup' | 'putRefs'>;
  registry: PageAccounts;
  retention: Retention;
  now: () => Date;
}

export type Admission = (
  partition: IndexPartition,
  conversations: readonly Conversation[],
) => Promise<Conversation[]>;

interface Candidate {
  conversation: Conversation;
  hashes: string[];
}

/** The `admit` hook of the conversation index (see the module comment). */
export function createAdmission(deps: AdmissionDependencies): Admission {
  return async (partition, conversations) => {
    const cutoff = retentionCutoff(deps.retention, deps.now());
    const recent =
      cutoff === undefined ? [...conversations] : conversations.filter((c) => !isPastRetention(c, cutoff));
    if (recent.length === 0) return [];
    const { admitted } = await recordPeople(deps, partition, recent, 'admitted');
    return admitted;
  };
}

/**
 * Reads the erasure records of the conversations' people and their refs (one BatchGetItem), and writes
 * the refs that are missing: of the admitted conversations only (`admitted`, the write path), or of
 * all of them (`all`, for conversations already indexed). Returns the conversations that are not
 * erased history, and those that are.
 */
export async function recordPeople(
  deps: Pick<AdmissionDependencies, 'hasher' | 'persons' | 'registry' | 'now'>,
  partition: Pick<IndexPartition, 'pageId' | 'platform'>,
  conversations: readonly Conversation[],
  refsFor: 'admitted' | 'all',
): Promise<{ admitted: Conversation[]; erased: Conversation[] }> {
  const candidates = await peopleOf(deps, partition.pageId, conversations);
  const hashes = [...new Set(candidates.flatMap((candidate) => candidate.hashes))];
  if (hashes.length === 0) return { admitted: [...conversations], erased: [] };
  const refs = candidates.flatMap(({ conversation, hashes: people }) =>
    people.map((personHash) => refOf(partition, conversation, personHash)),
  );
  const { erasedAt, known } = await deps.persons.lookup(partition.pageId, hashes, refs);
  const isErased = ({ conversation, hashes: people }: Candidate) =>
    people.some((hash) => erasedBefore(conversation, erasedAt.get(hash)));
  const admitted = candidates.filter((candidate) => !isErased(candidate));
  const missing = (refsFor === 'all' ? candidates : admitted).flatMap(({ conversation, hashes: people }) =>
    people.map((hash) => refOf(partition, conversation, hash)).filter((ref) => !known.has(refKey(ref))),
  );
  if (missing.length > 0) await deps.persons.putRefs(partition.pageId, missing, deps.now());
  return {
    admitted: admitted.map(({ conversation }) => conversation),
    erased: candidates.filter(isErased).map(({ conversation }) => conversation),
  };
}

/** The keyed hashes of each conversation's people. */
async function peopleOf(
  deps: Pick<AdmissionDependencies, 'hasher' | 'registry'>,
  pageId: string,
  conversations: readonly Conversation[],
): Promise<Candidate[]> {
  const accounts = await pageAccounts(deps.registry, pageId);
  const idsByConversation = conversations.map((conversation) => personIdsOf(conversation, accounts));
  const distinct = [...new Set(idsByConversation.flat())];
  if (distinct.length === 0) return conversations.map((conversation) => ({ conversation, hashes: [] }));
  const hashed = await deps.hasher.hashAll(distinct);
  const hashOf = new Map(distinct.map((id, i) => [id, hashed[i] ?? '']));
  return conversations.map((conversation, i) => ({
    conversation,
    hashes: (idsByConversation[i] ?? []).map((id) => hashOf.get(id) ?? ''),
  }));
}

/**
 * The Page itself and, when the registry knows it, its Instagram professional account. Until the
 * registry knows the account, that account gets refs like a person: an extra write, never a miss.
 */
export async function pageAccounts(registry: PageAccounts, pageId: string): Promise<Set<string>> {
  const record = await registry.find(pageId);
  const accounts = new Set([pageId]);
  if (record?.instagramAccountId !== undefined) accounts.add(record.instagramAccountId);
  return accounts;
}

function refOf(
  partition: Pick<IndexPartition, 'pageId' | 'platform'>,
  conversation: Conversation,
  personHash: string,
): PersonRef {
  return { personHash, platform: partition.platform, conversationId: conversation.id };
}

/** Whether the conversation's activity is not later than the person's erasure (so: erased history). */
function erasedBefore(conversation: Conversation, erasedAt: Date | undefined): boolean {
  if (erasedAt === undefined) return false;
  const seconds = parseGraphTime(conversation.updated_time);
  // An unreadable time never reaches the index (the writers drop it); if one did, it stays erased.
  return seconds === undefined || seconds * 1000 <= erasedAt.getTime();
}
