import { createHash, createHmac } from 'node:crypto';

/**
 * How the product names a person without keeping their id: the keyed hash (HMAC-SHA256, keyed by the
 * deployment's own key) of the id's digits. Without the key, the hash cannot be reversed by hashing
 * every possible id, as a plain SHA-256 of a 16-digit id could be. It keys the person's refs and
 * erasure records (`lib/store/person-store.ts`), and its first 12 hex characters stand for the person
 * wherever a log line must tell people apart.
 */

/** Where the deployment's key comes from: a secret in AWS, the local table locally (`person-key.ts`). */
export interface PersonKeySource {
  /** The key's bytes; the same for the deployment's whole life (a new key orphans every record). */
  key(): Promise<Buffer>;
}

/** Hex characters of the keyed hash that stand for a person in a log line. */
export const PERSON_TAG_LENGTH = 12;

export class PersonHasher {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly source: PersonKeySource) {}

  /** The keyed hashes of ids (lowercase hex, 64 characters), in the order given. */
  async hashAll(ids: readonly string[]): Promise<string[]> {
    const key = await this.loadKey();
    return ids.map((id) => createHmac('sha256', key).update(id, 'utf8').digest('hex'));
  }

  async hash(id: string): Promise<string> {
    const [hash] = await this.hashAll([id]);
    return hash ?? '';
  }

  /** Read once per container; a failed read is not kept, so the next call tries again. */
  private loadKey(): Promise<Buffer> {
    if (this.key === undefined) {
      const loading = this.source.key();
      this.key = loading;
      loading.catch(() => {
        if (this.key === loading) this.key = undefined;
      });
    }
    return this.key;
  }
}

/** What stands for a person in a log line: the first characters of their keyed hash. */
export const personTag = (personHash: string): string => personHash.slice(0, PERSON_TAG_LENGTH);

/**
 * The contract's `person` of an erasure's answer: the plain SHA-256 of the id's digits, lowercase hex.
 * The caller knows the id already; this lets them match the answer to their request without it.
 */
export const personDigest = (personId: string): string =>
  createHash('sha256').update(personId, 'utf8').digest('hex');
