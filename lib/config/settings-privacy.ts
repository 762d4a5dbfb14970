import { setting } from './setting.js';
import { secretNameOrArn, text, wholeNumber } from './setting-rules.js';

/**
 * A person's data: the retention, the person-hash key and the erasure function's queue. Declared like
 * every other setting and spread into `SETTINGS`.
 */
export const PRIVACY_SETTINGS = Object.freeze({
  retentionDays: setting({
    runtime: ['lambda', 'local'],
    env: 'RETENTION_DAYS',
    prop: 'retentionDays',
    context: 'retentionDays',
    rule: wholeNumber(1, 3650),
    default: undefined,
    description:
      'A conversation not updated this many days is not indexed, and leaves the index as a tombstone (reason expired) when the daily sweep or a read finds it. Unset: kept as long as Graph lists it.',
  }),
  personKeySecretId: setting({
    runtime: ['lambda'],
    env: 'PERSON_KEY_SECRET_ID',
    requiredBy: ['erasure', 'sync-worker', 'webhook-refresh'],
    // The stack passes the ARN of the secret it creates.
    rule: secretNameOrArn(),
    default: undefined,
    description:
      'AWS: the secret keying the person hashes (set by the stack, which generates it). Locally: a key kept in the local table.',
  }),
  privacyQueueUrl: setting({
    runtime: ['lambda'],
    env: 'PRIVACY_QUEUE_URL',
    requiredBy: ['api', 'webhook-receiver'],
    rule: text(),
    default: undefined,
    description:
      "AWS: the erasure function's queue (set by the stack): data-deletion requests and folders a read found expired conversations in. Locally, in process.",
  }),
});
