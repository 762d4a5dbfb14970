import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidRequestError, InvalidSignatureError } from '../domain/errors.js';
import { SCOPED_USER_ID_PATTERN } from '../domain/vocabulary.js';

/**
 * Meta's `signed_request` (the Data Deletion Request Callback's one form field):
 * `<base64url signature>.<base64url JSON payload>`, the signature being the HMAC-SHA256 of the payload
 * part, as sent, keyed by the app secret. Verified in constant time before anything in the payload is
 * believed; then the payload must say `HMAC-SHA256`, be issued within the last hour (by our clock;
 * at most 5 minutes ahead), and name the person by a `user_id` of digits.
 */

/** How old a request may be: Meta sends it at once; an older one is a replay. */
export const SIGNED_REQUEST_MAX_AGE_SECONDS = 3600;
/** Clocks differ: an `issued_at` this far ahead is still believed. */
const CLOCK_SKEW_SECONDS = 300;
/** Far more than Meta's few hundred characters; a longer field is refused before any work. */
export const MAX_SIGNED_REQUEST_CHARS = 8192;

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const USER_ID = new RegExp(SCOPED_USER_ID_PATTERN);

const refused = () =>
  new InvalidSignatureError(
    'The signed_request is missing its signature, is not signed with the app secret, is older than an hour, or names another algorithm than HMAC-SHA256.',
  );

/** The verified request's person (`user_id`, digits) and when Meta issued it. */
export interface SignedDeletionRequest {
  userId: string;
  issuedAt: Date;
}

/** Reads and verifies a `signed_request`; `InvalidSignatureError` (403) or `InvalidRequestError` (400). */
export function verifySignedRequest(
  signedRequest: string,
  appSecret: string,
  now: Date,
): SignedDeletionRequest {
  const parts = signedRequest.split('.');
  if (parts.length !== 2) throw refused();
  const [signaturePart = '', payloadPart = ''] = parts;
  if (!BASE64URL.test(signaturePart) || !BASE64URL.test(payloadPart)) throw refused();
  const signature = Buffer.from(signaturePart, 'base64url');
  const expected = createHmac('sha256', appSecret).update(payloadPart, 'utf8').digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw refused();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidRequestError('signed_request', 'The signed_request payload is not JSON.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidRequestError('signed_request', 'The signed_request payload is not a JSON object.');
  }
  const { algorithm, issued_at: issuedAt, user_id: userId } = payload as Record<string, unknown>;
  if (typeof algorithm !== 'string' || algorithm.toUpperCase() !== 'HMAC-SHA256') throw refused();
  const nowSeconds = now.getTime() / 1000;
  if (
    typeof issuedAt !== 'number' ||
    !Number.isFinite(issuedAt) ||
    issuedAt < nowSeconds - SIGNED_REQUEST_MAX_AGE_SECONDS ||
    issuedAt > nowSeconds + CLOCK_SKEW_SECONDS
  ) {
    throw refused();
  }
  // Never quoted in the message: it is a person's id.
  if (typeof userId !== 'string' || !USER_ID.test(userId)) {
    throw new InvalidRequestError('user_id', 'The signed_request payload has no user_id of digits.');
  }
  return { userId, issuedAt: new Date(issuedAt * 1000) };
}

/** A `signed_request` as Meta makes one: for the local demo, tests and benches. */
export function signRequest(payload: object, appSecret: string): string {
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const signature = createHmac('sha256', appSecret).update(payloadPart, 'utf8').digest('base64url');
  return `${signature}.${payloadPart}`;
}
