import * as v from 'valibot';
import { InvalidRequestError } from '../errors.js';
import { routeLabel } from '../routes.js';
import { SCOPED_USER_ID_PATTERN } from '../vocabulary.js';

/** A person's data: the erasure route's body and answer, and Meta's data-deletion callback. */

const CONFIRMATION_CODE = /^[A-Za-z0-9]{16,64}$/;
const Instant = v.pipe(v.string(), v.isoTimestamp(), v.description('An ISO 8601 instant.'));

/** `POST /pages/{pageId}/erasures`: the person, in the body so that no access log records the id. */
export const ErasureRequestSchema = v.strictObject({
  person_id: v.pipe(
    v.string('person_id must be a string of digits.'),
    v.regex(new RegExp(SCOPED_USER_ID_PATTERN), 'person_id must be digits (a Page- or Instagram-scoped id).'),
    v.description('The Page- or Instagram-scoped id of the person, as the Page sees them.'),
  ),
});
export type ErasureRequest = v.InferOutput<typeof ErasureRequestSchema>;

export const ErasureSchema = v.strictObject({
  page_id: v.string(),
  person: v.pipe(
    v.string(),
    v.regex(/^[0-9a-f]{64}$/),
    v.description("The SHA-256 of the id's digits, lowercase hex: never the id."),
  ),
  conversations_removed: v.pipe(v.number(), v.integer(), v.minValue(0)),
  erased_at: Instant,
});
export type Erasure = v.InferOutput<typeof ErasureSchema>;

/** Meta's form: `signed_request=<base64url signature>.<base64url JSON payload>`. */
export const DataDeletionRequestSchema = v.object({
  signed_request: v.pipe(
    v.string(),
    v.description(
      'HMAC-SHA256 of the payload part keyed by the app secret, base64url; the payload: {"algorithm": "HMAC-SHA256", "user_id", "issued_at", ...}.',
    ),
  ),
});

export const DataDeletionAnswerSchema = v.strictObject({
  url: v.pipe(
    v.string(),
    v.description(`Where the person can see the status: ${routeLabel('getDataDeletionStatus')}.`),
  ),
  confirmation_code: v.pipe(v.string(), v.regex(CONFIRMATION_CODE)),
});
export type DataDeletionAnswer = v.InferOutput<typeof DataDeletionAnswerSchema>;

export const DataDeletionStatusSchema = v.strictObject({
  confirmation_code: v.pipe(v.string(), v.regex(CONFIRMATION_CODE)),
  status: v.picklist(['pending', 'completed']),
  requested_at: Instant,
  completed_at: v.nullable(Instant),
  conversations_removed: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type DataDeletionStatus = v.InferOutput<typeof DataDeletionStatusSchema>;

/**
 * Reads the erasure route's body: JSON, exactly `{"person_id": "<digits>"}`. Anything else is
 * `InvalidRequestError` naming the fault (`body`, an unknown key, or `person_id`); the message never
 * quotes what was sent, which may be an id.
 */
export function parseErasureRequest(body: string | undefined): ErasureRequest {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new InvalidRequestError('body', 'The body must be JSON: {"person_id": "<digits>"}.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('body', 'The body must be a JSON object: {"person_id": "<digits>"}.');
  }
  const result = v.safeParse(ErasureRequestSchema, value);
  if (result.success) return result.output;
  const [first] = result.issues;
  const key = first.path?.[0]?.key;
  if (first.path?.[0]?.origin === 'key' || (typeof key === 'string' && key !== 'person_id')) {
    // A key is named only when it reads as a word: a key of digits could be someone's id.
    const named = typeof key === 'string' && /^[A-Za-z_]{1,40}$/.test(key) ? key : 'body';
    throw new InvalidRequestError(named, 'The body takes person_id only.');
  }
  throw new InvalidRequestError('person_id', 'person_id must be digits (a Page- or Instagram-scoped id).');
}
