import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_GATEWAY_BODY_LIMIT_BYTES,
  type LocalApi,
  startLocalApi,
} from '#lib/local/api-gateway-adapter.js';
import { MAX_DELIVERY_BYTES } from '#lib/webhooks/delivery-limits.js';
import { signBody } from '#lib/webhooks/signature.js';
import { startWebhookRig, TEST_APP_SECRET, type WebhookRig } from './support/webhook-rig.js';

/**
 * `npm start`'s API Gateway stand-in in front of the receiver: the body's exact bytes reach the
 * signature check, and a body over its route's limit is refused as it streams in.
 */

let rig: WebhookRig;
let api: LocalApi;
beforeAll(async () => {
  rig = await startWebhookRig();
  api = await startLocalApi(rig.handler);
});
afterAll(async () => {
  await api.close();
  await rig.close();
});

const delivery = Buffer.from(JSON.stringify({ object: 'page', entry: [] }));

async function post(path: string, body: Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

const signed = (body: Buffer, headers: Record<string, string> = {}) =>
  post('/webhooks/meta', body, { 'x-hub-signature-256': signBody(body, TEST_APP_SECRET), ...headers });

describe('the local adapter passes the exact bytes of the body', () => {
  it('a correctly signed body with bytes that are not UTF-8 is received (200), not 403', async () => {
    // Prepare: JSON whose string holds 0xFF 0xFE, which UTF-8 decoding would replace.
    const body = Buffer.concat([
      Buffer.from('{"object":"page","entry":[],"note":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    // Act
    const answer = await signed(body);
    // Assess
    expect(answer.status).toBe(200);
  });

  it('Content-Encoding: gzip, signed over the compressed bytes, is 400 invalid_request', async () => {
    // Act
    const answer = await signed(gzipSync(delivery), { 'content-encoding': 'gzip' });
    // Assess
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: 'invalid_request', parameter: 'Content-Encoding' },
    });
  });
});

describe('a body over its limit is refused as it streams in', () => {
  it('1 MiB to the webhook route reaches the receiver', async () => {
    // Act
    const answer = await signed(
      Buffer.concat([delivery, Buffer.alloc(MAX_DELIVERY_BYTES - delivery.length, ' ')]),
    );
    // Assess
    expect(answer.status).toBe(200);
  });

  it('3 MiB to the webhook route: 413 payload_too_large after the whole body, Connection: close, receiver not run', async () => {
    // Prepare
    const refusedBefore = rig.metrics.total('WebhookRefused');
    // Act
    const answer = await signed(Buffer.alloc(3 * MAX_DELIVERY_BYTES, ' '));
    // Assess
    expect(answer.status).toBe(413);
    expect(answer.headers.get('connection')).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(rig.metrics.total('WebhookRefused')).toBe(refusedBefore);
  });

  it('a chunked body (no Content-Length) past the limit: the same 413, once all of it is sent', async () => {
    // Act: 40 chunks of 64 KiB, streamed.
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${api.url}/webhooks/meta`, { method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      const chunk = Buffer.alloc(65_536, ' ');
      for (let i = 0; i < 40; i++) request.write(chunk);
      request.end();
    });
    // Assess
    expect(status).toBe(413);
  });

  it("other routes keep API Gateway's own 10 MB limit and answer", async () => {
    // Act
    const answer = await post('/pages', Buffer.alloc(API_GATEWAY_BODY_LIMIT_BYTES + 1, ' '));
    // Assess
    expect(answer.status).toBe(413);
    expect(answer.headers.get('connection')).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ message: 'Request Entity Too Large' });
  });
});
