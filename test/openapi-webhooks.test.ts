import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { signBody } from '#lib/webhooks/signature.js';
import { answerChecker, handled } from './support/openapi-validator.js';
import {
  startWebhookRig,
  TEST_APP_SECRET,
  TEST_VERIFY_TOKEN,
  type WebhookRig,
} from './support/webhook-rig.js';

/** `GET` and `POST /webhooks/meta` through the receiver's real handler, checked against the document. */
describe('the OpenAPI document is true to what the webhook routes answer', () => {
  let rig: WebhookRig;
  const check = answerChecker();
  beforeAll(async () => {
    rig = await startWebhookRig();
  });
  afterAll(() => rig.close());

  const handshake = (token: string) =>
    `hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
  const delivery = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: DEMO_PAGE_IDS[0],
        time: 1,
        messaging: [{ sender: { id: '1' }, recipient: { id: '2' }, read: {} }],
      },
    ],
  });

  test.each([
    ['the right verify token', handshake(TEST_VERIFY_TOKEN), 200],
    ['a wrong verify token', handshake('wrong'), 403],
    ['no parameters', '', 403],
  ])('the handshake with %s answers %i as documented', async (_, query, status) => {
    // Act
    const answer = handled(await rig.verify(query));
    // Assess
    expect(answer.status).toBe(status);
    const body = check('/webhooks/meta', 'get', answer);
    if (status === 200) expect(body).toBe('1158201444');
  });

  test.each([
    ['a signed delivery', delivery, signBody(Buffer.from(delivery), TEST_APP_SECRET), 200],
    ['a signed body that is not JSON', 'not json', signBody(Buffer.from('not json'), TEST_APP_SECRET), 400],
    ['an unsigned delivery', delivery, null, 403],
  ])('%s answers %i as documented', async (_, body, signature, status) => {
    // Act
    const answer = handled(await rig.post(body, { signature }));
    // Assess
    expect(answer.status).toBe(status);
    check('/webhooks/meta', 'post', answer);
  });
});
