/**
 * Reading an answer's body within a size cap. `response.text()` would buffer whatever a server sends (a
 * 400 MB body took the client to 1.7 GB of memory); this stops at the cap, declared or counted, and
 * cancels the rest, which closes the connection instead of draining it.
 */

/** Larger than any answer the API gives: a Lambda behind API Gateway answers 6 MB at most. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** The body is longer than the cap; thrown by `readCappedText` only. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * The body as UTF-8 text, or `BodyTooLargeError` as soon as it is known to exceed `maxBytes`: from its
 * `Content-Length` before reading any of it, else from the bytes read so far (after fetch decoded a
 * `Content-Encoding`, so a compressed body is capped at its decoded size). Errors of the connection
 * pass through as they are.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(`declared ${declared} bytes`);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(`more than ${maxBytes} bytes read`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
