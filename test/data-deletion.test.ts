import { afterEach, describe, expect, it } from 'vitest';
import { APP_SECRET_PLACEHOLDER } from '#lib/config/settings-webhooks.js';
import type { EmulatedConversation } from '#lib/local/graph-emulator-seed.js';
import { runPrivacyJob } from '#lib/privacy/privacy-worker.js';
import { signRequest } from '#lib/privacy/signed-request.js';
import {
  PAGE_ID,
  PRIVACY_APP_SECRET,
  type PrivacyRig,
  personOf,
  startPrivacyRig,
} from './support/privacy-rig.js';

/**
 * Meta's Data Deletion Request Callback over HTTP: `POST /meta/data-deletion` with a `signed_request`,
 * then its status page, against the real receiver, erasure queue and index.
 */

let rig: PrivacyRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const form = (signedRequest: string) => `signed_request=${encodeURIComponent(signedRequest)}`;

async function callback(started: PrivacyRig, body: string) {
  return started.call('/meta/data-deletion', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** A payload as Meta signs it, issued now by the rig's clock. */
const payload = (started: PrivacyRig, userId: string, extra: Record<string, unknown> = {}) => ({
  algorithm: 'HMAC-SHA256',
  expires: 0,
  issued_at: Math.floor(started.clock.now.getTime() / 1000),
  user_id: userId,
  ...extra,
});

function firstMessengerConversation(started: PrivacyRig): EmulatedConversation {
  const conversation = started.emulator.pages
    .get(PAGE_ID)
    ?.conversations.find((c) => c.platform === 'messenger' && c.folder === 'inbox');
  if (conversation === undefined) throw new Error('no conversation');
  return conversation;
}

describe("Meta's data-deletion callback", () => {
  it('erases the id as given on every registered Page and shows the status as pending, then completed', async () => {
    // Prepare: the id Meta sends happens to be the one the Page sees (the only case it reaches).
    rig = await startPrivacyRig();
    await rig.fullSync();
    const conversation = firstMessengerConversation(rig);
    const personId = personOf(conversation);
    // The queue's worker waits until the status was read once, so that `pending` is seen for sure.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started = rig;
    rig.privacyQueue.process(async (job) => {
      await gate;
      await runPrivacyJob(started.services.privacy.work, job);
    });

    // Act
    const answer = await callback(rig, form(signRequest(payload(rig, personId), PRIVACY_APP_SECRET)));
    const code = (answer.body as { confirmation_code: string }).confirmation_code;
    const pending = await rig.call(`/meta/data-deletion/${code}`);
    release();
    await rig.privacyQueue.idle();
    const completed = await rig.call(`/meta/data-deletion/${code}`);

    // Assess
    expect(answer.status).toBe(200);
    expect(code).toMatch(/^[A-Za-z0-9]{16,64}$/);
    expect(answer.body).toEqual({
      url: `${rig.api.url}/meta/data-deletion/${code}`,
      confirmation_code: code,
    });
    expect(pending.body).toEqual({
      confirmation_code: code,
      status: 'pending',
      requested_at: rig.clock.now.toISOString(),
      completed_at: null,
      conversations_removed: null,
    });
    expect(completed.body).toEqual({
      confirmation_code: code,
      status: 'completed',
      requested_at: rig.clock.now.toISOString(),
      completed_at: rig.clock.now.toISOString(),
      conversations_removed: 1,
    });
    expect(JSON.stringify([answer.body, pending.body, completed.body])).not.toContain(personId);
    const listed = (await rig.listed('messenger')).map((item) => item.id);
    expect(listed).not.toContain(conversation.id);
    expect(rig.events.at(-1)).toMatchObject({ conversation: { id: conversation.id }, reason: 'erased' });
  });

  it('answers with PUBLIC_BASE_URL when it is set', async () => {
    // Prepare
    rig = await startPrivacyRig({ env: { PUBLIC_BASE_URL: 'https://api.example.com/prod' } });

    // Act
    const answer = await callback(rig, form(signRequest(payload(rig, '123456'), PRIVACY_APP_SECRET)));

    // Assess
    const { url, confirmation_code: code } = answer.body as { url: string; confirmation_code: string };
    expect(url).toBe(`https://api.example.com/prod/meta/data-deletion/${code}`);
  });

  it.each([
    ['signed with another key', (r: PrivacyRig) => signRequest(payload(r, '123'), 'another-app-secret')],
    [
      'issued more than an hour ago',
      (r: PrivacyRig) =>
        signRequest(
          payload(r, '123', { issued_at: Math.floor(r.clock.now.getTime() / 1000) - 3601 }),
          PRIVACY_APP_SECRET,
        ),
    ],
    [
      'signed with another algorithm',
      (r: PrivacyRig) => signRequest(payload(r, '123', { algorithm: 'HMAC-SHA1' }), PRIVACY_APP_SECRET),
    ],
    [
      'without a signature',
      (r: PrivacyRig) => signRequest(payload(r, '123'), PRIVACY_APP_SECRET).split('.')[1] ?? '',
    ],
    [
      'with a signature of the right length but wrong',
      (r: PrivacyRig) =>
        `${'A'.repeat(43)}.${signRequest(payload(r, '123'), PRIVACY_APP_SECRET).split('.')[1]}`,
    ],
  ])('refuses a signed_request %s: 403 invalid_signature, nothing recorded', async (_, make) => {
    // Prepare
    rig = await startPrivacyRig();

    // Act
    const answer = await callback(rig, form(make(rig)));
    await rig.privacyQueue.idle();

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(rig.logger.lines.some((line) => line.includes('data-deletion request received'))).toBe(false);
  });

  it.each([
    ['no signed_request', 'other=1', 'signed_request'],
    ['an empty body', '', 'signed_request'],
    ['two signed_requests', 'signed_request=a.b&signed_request=c.d', 'signed_request'],
  ])('refuses %s: 400 invalid_request', async (_, body, parameter) => {
    // Prepare
    rig = await startPrivacyRig();

    // Act
    const answer = await callback(rig, body);

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request', parameter } });
  });

  it('refuses a user_id that is not digits (400) without quoting it', async () => {
    // Prepare
    rig = await startPrivacyRig();

    // Act
    const answer = await callback(rig, form(signRequest(payload(rig, 'abc-1234'), PRIVACY_APP_SECRET)));

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request', parameter: 'user_id' } });
    expect(answer.text).not.toContain('abc-1234');
  });

  it('refuses every request while the app secret is the placeholder, even one signed with it', async () => {
    // Prepare
    rig = await startPrivacyRig({ appSecret: APP_SECRET_PLACEHOLDER });

    // Act
    const answer = await callback(rig, form(signRequest(payload(rig, '123'), APP_SECRET_PLACEHOLDER)));

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(rig.logger.lines.some((line) => line.includes('the app secret is not set'))).toBe(true);
  });

  it.each([
    ['an unknown code', '0123456789abcdef0123456789abcdef'],
    ['a code too short', 'abc'],
    ['a code with other characters', 'abcdefghijklmnop-'],
  ])('answers the status page of %s with 404 not_found', async (_, code) => {
    // Prepare
    rig = await startPrivacyRig();

    // Act
    const answer = await rig.call(`/meta/data-deletion/${code}`);

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'not_found' } });
  });
});
