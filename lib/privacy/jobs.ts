import { parseJsonRecord } from '../domain/json-record.js';
import {
  FOLDERS,
  type Folder,
  isPageId,
  PLATFORMS,
  type Platform,
  SCOPED_USER_ID_PATTERN,
} from '../domain/vocabulary.js';

/**
 * The work the erasure function does off the request path, from its queue: a data-deletion request of
 * Meta's callback (erase one id on every registered Page), and the sweep of a folder a read found
 * conversations past the retention in. A message carries the id until it is done, like the refresh
 * queue's messages do: the queue is encrypted, and its messages live minutes.
 */
export type PrivacyJob =
  | { kind: 'data-deletion'; code: string; personId: string }
  | { kind: 'expire'; pageId: string; platform: Platform; folder: Folder };

/** Where jobs go: SQS in AWS, this process locally. */
export interface PrivacyJobQueue {
  send(job: PrivacyJob): Promise<void>;
}

export const CONFIRMATION_CODE_PATTERN = '^[A-Za-z0-9]{16,64}$';
const CODE = new RegExp(CONFIRMATION_CODE_PATTERN);
const PERSON = new RegExp(SCOPED_USER_ID_PATTERN);

const oneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

/** Reads a queue message back; undefined for anything that is not a job. */
export function parsePrivacyJob(body: string): PrivacyJob | undefined {
  const job = parseJsonRecord(body);
  if (job === undefined) return undefined;
  if (job.kind === 'data-deletion') {
    const { code, personId } = job;
    if (typeof code !== 'string' || !CODE.test(code)) return undefined;
    if (typeof personId !== 'string' || !PERSON.test(personId)) return undefined;
    return { kind: 'data-deletion', code, personId };
  }
  if (job.kind === 'expire') {
    const { pageId, platform, folder } = job;
    if (typeof pageId !== 'string' || !isPageId(pageId)) return undefined;
    if (!oneOf(PLATFORMS, platform) || !oneOf(FOLDERS, folder)) return undefined;
    return { kind: 'expire', pageId, platform, folder };
  }
  return undefined;
}
