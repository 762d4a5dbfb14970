import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import { signBody } from '#lib/webhooks/signature.js';
import {
  startWebhookRig,
  TEST_APP_SECRET,
  TEST_VERIFY_TOKEN,
  type WebhookRig,
} from './support/webhook-rig.js';

const PAGE = '1000000000000001';
/** A person no seeded conversation has: the refresh finds nothing, which these tests do not look at. */
const PERSON = '2999999999999999';
const body = metaWebhookBody('page', [
  { accountId: PAGE, events: [{ personId: PERSON, timestamp: 1_790_000_000_000, text: 'Grüße ☕ 👋' }] },
]);

/** The same body with one byte of the text changed ('G' to 'H'). */
const oneByteChanged = body.replace('Gr', 'Hr');

let rig: WebhookRig;
beforeAll(async () => {
  rig = await startWebhookRig();
});
afterAll(async () => {
  await rig.close();
});

/** What the receiver recorded: requests it enqueued (each runs a refresh, which records an outcome). */
async function recorded(): Promise<number> {
  await rig.queue.idle();
  return rig.outcomes.length;
}

describe('POST /webhooks/meta checks X-Hub-Signature-256 over the exact bytes', () => {
  it('accepts a valid signature and enqueues the person', async () => {
    // Prepare
    const before = await recorded();
    // Act
    const response = await rig.post(body);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'received' });
    expect(await recorded()).toBe(before + 1);
  });

  it('verifies a body with escaped unicode on its bytes, which re-serializing would change', async () => {
    // Prepare: Meta's bytes carry \u escapes; JSON.stringify of the parsed body writes the characters.
    expect(body).toContain('\\u00fc');
    expect(JSON.stringify(JSON.parse(body))).not.toBe(body);
    // Act
    const response = await rig.post(body, { signature: signBody(Buffer.from(body), TEST_APP_SECRET) });
    const reserialized = await rig.post(body, {
      signature: signBody(Buffer.from(JSON.stringify(JSON.parse(body))), TEST_APP_SECRET),
    });
    // Assess
    expect(response.statusCode).toBe(200);
    expect(reserialized.statusCode).toBe(403);
  });

  it('verifies a base64-encoded body (API Gateway) over the decoded bytes', async () => {
    // Act
    const response = await rig.post(body, { base64: true });
    // Assess
    expect(response.statusCode).toBe(200);
  });

  it('has a one-byte change to test against', () => {
    expect(oneByteChanged).not.toBe(body);
    expect(oneByteChanged.length).toBe(body.length);
  });

  it('accepts the hex digest in upper case', async () => {
    // Act
    const response = await rig.post(body, {
      signature: `sha256=${signBody(body, TEST_APP_SECRET).slice(7).toUpperCase()}`,
    });
    // Assess
    expect(response.statusCode).toBe(200);
  });

  const sha1 = `sha1=${createHmac('sha1', TEST_APP_SECRET).update(body).digest('hex')}`;
  it.each([
    ['missing', null, body],
    ['wrong', `sha256=${'0'.repeat(64)}`, body],
    ['made with another secret', signBody(body, 'another-app-secret-value'), body],
    ['only the old SHA-1 form', sha1, body],
    ['of a body changed by one byte', signBody(body, TEST_APP_SECRET), oneByteChanged],
    ['truncated', signBody(body, TEST_APP_SECRET).slice(0, 40), body],
    ['not hex', `sha256=${'z'.repeat(64)}`, body],
  ])(
    'answers 403 invalid_signature and records nothing when the signature is %s',
    async (_, signature, sent) => {
      // Prepare
      const before = await recorded();
      // Act
      const response = await rig.post(sent, { signature });
      // Assess
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_signature' } });
      expect(response.body).not.toContain(TEST_APP_SECRET);
      expect(await recorded()).toBe(before);
    },
  );

  it('answers 400 invalid_request to a signed body that is not JSON', async () => {
    // Prepare
    const notJson = '{"object": "page", ';
    // Act
    const response = await rig.post(notJson, { signature: signBody(notJson, TEST_APP_SECRET) });
    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('GET /webhooks/meta answers the subscription handshake', () => {
  it('echoes the challenge as plain text when the verify token matches', async () => {
    // Act
    const response = await rig.verify(
      `hub.mode=subscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toBe('1158201444');
  });

  it.each([
    ['a wrong verify token', 'hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1'],
    ['no verify token', 'hub.mode=subscribe&hub.challenge=1'],
    ['no challenge', `hub.mode=subscribe&hub.verify_token=${TEST_VERIFY_TOKEN}`],
    ['another mode', `hub.mode=unsubscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1`],
    ['no parameters', ''],
  ])('answers 403 forbidden to %s', async (_, query) => {
    // Act
    const response = await rig.verify(query);
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'forbidden' } });
  });
});
