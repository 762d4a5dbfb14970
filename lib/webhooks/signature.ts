import { createHmac, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, InvalidSignatureError } from '../domain/errors.js';

const SIGNATURE_PREFIX = 'sha256=';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Verifies Meta's `X-Hub-Signature-256: sha256=<hex>`: the HMAC-SHA256, keyed by the app secret, of
 * the body's exact bytes as they arrived. Never of a re-serialized object: Meta signs the
 * escaped-unicode bytes it sent, which `JSON.stringify` does not reproduce. Hex in any case; compared
 * in constant time on equal-length buffers. The old SHA-1 `X-Hub-Signature` is not accepted.
 */
export function verifySignature(body: Buffer, header: string | undefined, appSecret: string): void {
  const value = header?.trim();
  if (value === undefined || !value.toLowerCase().startsWith(SIGNATURE_PREFIX)) {
    throw new InvalidSignatureError();
  }
  const hex = value.slice(SIGNATURE_PREFIX.length);
  if (!SHA256_HEX.test(hex)) throw new InvalidSignatureError();
  const expected = createHmac('sha256', appSecret).update(body).digest();
  if (!timingSafeEqual(Buffer.from(hex, 'hex'), expected)) throw new InvalidSignatureError();
}

/** What Meta's subscription handshake sends: `hub.mode`, `hub.verify_token`, `hub.challenge`. */
export function answerVerification(query: URLSearchParams, verifyToken: string): string {
  const challenge = query.get('hub.challenge');
  const token = query.get('hub.verify_token') ?? '';
  const matches =
    Buffer.byteLength(token) === Buffer.byteLength(verifyToken) &&
    timingSafeEqual(Buffer.from(token), Buffer.from(verifyToken));
  if (query.get('hub.mode') !== 'subscribe' || !matches || challenge === null || challenge === '') {
    throw new ForbiddenError();
  }
  return challenge;
}

/** The header value Meta would send for a body: for the local demo, tests and benches. */
export function signBody(body: Buffer | string, appSecret: string): string {
  return `${SIGNATURE_PREFIX}${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
