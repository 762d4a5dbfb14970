import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Platform } from '../domain/vocabulary.js';
import { keys, parsePersonRef, personPartition, type TableKey } from './keys.js';
import { namesOf, Table } from './table.js';

/**
 * What the product keeps to find and to remember a person without keeping their id: everything here
 * is keyed by the person's keyed hash (HMAC-SHA256 with the deployment's key, `lib/privacy`), which
 * cannot be turned back into the id without that key.
 *
 * - A ref per conversation of the person on a Page (`keys.personRef`), written before the conversation
 *   is first indexed, so that an erasure finds the person's conversations with one Query of their own
 *   partition: reads in proportion to their conversations, not to the Page's index.
 * - An erasure record per Page (`keys.erasure`): the time of the last erasure, which the sync, the
 *   reconciliation and the webhook refresh read before they index a conversation of the person.
 */

/** One conversation of a person on a Page, as its ref names it. */
export interface PersonRef {
  personHash: string;
  platform: Platform;
  conversationId: string;
}

interface PersonRefItem extends TableKey {
  /** When the ref was written (epoch ms): nothing else, no id and no name. */
  at: number;
}

/** The local runtime's person-hash key, kept with the data it hashes (`keys.personKey`). */
interface PersonKeyItem extends TableKey {
  /** 32 random bytes, base64. */
  key: string;
}

interface ErasureItem extends TableKey {
  /** ISO 8601: history up to this instant is not indexed again. */
  erased_at: string;
}

/** What one lookup found: the erasure time of each hash that has one, and the refs that exist. */
export interface PersonLookup {
  erasedAt: ReadonlyMap<string, Date>;
  /** `refKey(ref)` of each ref already stored. */
  known: ReadonlySet<string>;
}

/** Writes or deletes in flight at once: DynamoDB's BatchWriteItem size, without its partial failures. */
const WRITE_CONCURRENCY = 25;

/** A ref's identity within one Page, for `PersonLookup.known`. */
export const refKey = (ref: PersonRef): string => `${ref.personHash}/${ref.platform}/${ref.conversationId}`;

const keyText = (key: Partial<TableKey>): string => `${key.pk ?? ''}\n${key.sk ?? ''}`;

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += WRITE_CONCURRENCY) {
    await Promise.all(items.slice(start, start + WRITE_CONCURRENCY).map(each));
  }
}

export class PersonStore {
  private readonly table: Table;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new Table(client, tableName);
  }

  /**
   * The erasure records of `hashes` and which of `refs` exist, on one Page: one BatchGetItem call
   * per 100 keys, strongly consistent (an erasure that just finished is seen).
   */
  async lookup(pageId: string, hashes: readonly string[], refs: readonly PersonRef[]): Promise<PersonLookup> {
    const erasureKeys = new Map(hashes.map((hash) => [keyText(keys.erasure(pageId, hash)), hash]));
    const refKeys = new Map(refs.map((ref) => [keyText(this.refTableKey(pageId, ref)), refKey(ref)]));
    const asked = [
      ...hashes.map((hash) => keys.erasure(pageId, hash)),
      ...refs.map((ref) => this.refTableKey(pageId, ref)),
    ];
    const erasedAt = new Map<string, Date>();
    const known = new Set<string>();
    if (asked.length === 0) return { erasedAt, known };
    const records = await this.table.getMany<ErasureItem>(asked);
    for (const record of records) {
      const text = keyText(record);
      const hash = erasureKeys.get(text);
      if (hash !== undefined) {
        const at = record.erased_at === undefined ? Number.NaN : Date.parse(record.erased_at);
        if (Number.isFinite(at)) erasedAt.set(hash, new Date(at));
        continue;
      }
      const ref = refKeys.get(text);
      if (ref !== undefined) known.add(ref);
    }
    return { erasedAt, known };
  }

  /** Writes refs (idempotent Puts): before the conversations they name are indexed. */
  async putRefs(pageId: string, refs: readonly PersonRef[], now: Date): Promise<void> {
    await inBatches(refs, (ref) => {
      const item: PersonRefItem = { ...this.refTableKey(pageId, ref), at: now.getTime() };
      return this.table.put({ ...item });
    });
  }

  /** Every conversation of a person on a Page: a strongly consistent Query of their own partition. */
  async refsOf(pageId: string, personHash: string): Promise<PersonRef[]> {
    const refs: PersonRef[] = [];
    const batches = this.table.batches<PersonRefItem>({
      keyCondition: '#pk = :pk',
      names: namesOf<PersonRefItem>({ '#pk': 'pk' }),
      values: { ':pk': personPartition(pageId, personHash) },
      consistent: true,
    });
    for await (const batch of batches) {
      for (const record of batch) {
        const parsed = parsePersonRef(record.sk);
        if (parsed !== undefined) refs.push({ personHash, ...parsed });
      }
    }
    return refs;
  }

  async deleteRefs(pageId: string, refs: readonly PersonRef[]): Promise<void> {
    await inBatches(refs, (ref) => this.table.delete(this.refTableKey(pageId, ref)));
  }

  /** Records (or moves later) the erasure of a person from a Page: the hash and the time, nothing else. */
  async recordErasure(pageId: string, personHash: string, erasedAt: Date): Promise<void> {
    const item: ErasureItem = { ...keys.erasure(pageId, personHash), erased_at: erasedAt.toISOString() };
    await this.table.put({ ...item });
  }

  /**
   * The local runtime's person-hash key: read, or made once and kept in the table, so that it lives
   * exactly as long as the refs and erasure records it hashes (an embedded table in memory, or the
   * DynamoDB that `DYNAMODB_ENDPOINT` names, shared by every process that uses it). Never in AWS,
   * where the key is a secret no table reader can see.
   */
  async localKey(newKey: () => string): Promise<string> {
    const key = keys.personKey('local');
    const stored = await this.table.get<PersonKeyItem>(key, { consistent: true });
    if (stored?.key !== undefined) return stored.key;
    const item: PersonKeyItem = { ...key, key: newKey() };
    const created = await this.table.put(
      { ...item },
      { condition: 'attribute_not_exists(#pk)', names: namesOf<PersonKeyItem>({ '#pk': 'pk' }) },
    );
    if (created) return item.key;
    // Another process made it first: theirs is the key.
    const theirs = await this.table.get<PersonKeyItem>(key, { consistent: true });
    if (theirs?.key === undefined) throw new Error('The local person-hash key could not be read.');
    return theirs.key;
  }

  private refTableKey(pageId: string, ref: PersonRef): TableKey {
    return keys.personRef(pageId, ref.personHash, ref.platform, ref.conversationId);
  }
}
