import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { APP_SECRET_PLACEHOLDER, appSecretUsable } from '#lib/config/settings-webhooks.js';
import { InvalidSignatureError } from '#lib/domain/errors.js';
import { createLocalWebhookSecrets, DEMO_WEBHOOK_SECRETS } from '#lib/local/local-webhook-secrets.js';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import { MAX_DELIVERY_BYTES } from '#lib/webhooks/delivery-limits.js';
import { receiveDelivery } from '#lib/webhooks/receiver.js';
import type { RefreshRequest } from '#lib/webhooks/refresh-request.js';
import { signBody } from '#lib/webhooks/signature.js';
import { SecretsManagerWebhookSecrets, type WebhookSecretSource } from '#lib/webhooks/webhook-secrets.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';
import { recordingLogger } from './support/harness.js';
import { recordingMetrics } from './support/recording-metrics.js';
import { startWebhookRig, TEST_VERIFY_TOKEN, type WebhookRig } from './support/webhook-rig.js';

const PAGE = '1000000000000001';
/** A Page the rig does not serve: its refreshes are ignored at once, which these tests do not look at. */
const UNKNOWN_PAGE = '1999999999999999';
const delivery = metaWebhookBody('page', [
  { accountId: PAGE, events: [{ personId: '2999999999999999', timestamp: 1_790_000_000_000 }] },
]);
const handshake = `hub.mode=subscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=42`;
const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string } }).error;

describe('appSecretUsable: the one check of every route that verifies Meta', () => {
  it.each([
    ['empty', '', false],
    ['whitespace only', '  \n', false],
    ['undefined', undefined, false],
    ["the stack's placeholder", APP_SECRET_PLACEHOLDER, false],
    ['the placeholder with spaces around it', ` ${APP_SECRET_PLACEHOLDER} `, false],
    ['a real-looking secret', '0123456789abcdef0123456789abcdef', true],
  ])('%s: %s', (_, secret, usable) => {
    expect(appSecretUsable(secret)).toBe(usable);
  });
});

describe.each([
  ['the placeholder the stack writes', APP_SECRET_PLACEHOLDER],
  ['an empty app secret', ''],
])('while the app secret is %s, the receiver refuses every request', (_, appSecret) => {
  let rig: WebhookRig;
  beforeAll(async () => {
    rig = await startWebhookRig({ appSecret });
  });
  afterAll(() => rig.close());

  it('the handshake with the right verify token: 403 forbidden', async () => {
    // Act
    const answer = await rig.verify(handshake);
    // Assess
    expect(answer.statusCode).toBe(403);
    expect(errorOf(answer.body).code).toBe('forbidden');
  });

  it('a delivery signed with that secret: 403 invalid_signature, nothing enqueued', async () => {
    // Act
    const answer = await rig.post(delivery, { signature: signBody(Buffer.from(delivery), appSecret) });
    await rig.queue.idle();
    // Assess
    expect(answer.statusCode).toBe(403);
    expect(errorOf(answer.body).code).toBe('invalid_signature');
    expect(rig.outcomes).toEqual([]);
  });

  it('each refusal is a warning and a WebhookRefused count that say why, never quoting the secret', () => {
    // Assess (after the two requests above)
    expect(rig.metrics.total('WebhookRefused', { Reason: 'secret_not_set' })).toBe(2);
    const warnings = rig.logger.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.reason === 'secret_not_set');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      level: 'WARN',
      app_secret: appSecret === '' ? 'empty' : 'placeholder',
    });
    if (appSecret !== '') expect(rig.logger.lines.join('\n')).not.toContain(appSecret);
  });
});

describe('in AWS: the secret as the stack creates it, or without app_secret, refuses with 403', () => {
  const sm = fakeSecretsManager();
  afterAll(() => sm.mock.restore());

  it.each([
    ['the placeholder', { app_secret: APP_SECRET_PLACEHOLDER, verify_token: 'generated-verify-token' }],
    ['no app_secret at all', { verify_token: 'generated-verify-token' }],
    ['an empty app_secret', { app_secret: '', verify_token: 'generated-verify-token' }],
  ])('%s', async (name, secret) => {
    // Prepare
    sm.secrets.set(name, { value: JSON.stringify(secret), version: 'v1' });
    const secrets = new SecretsManagerWebhookSecrets({ secretId: name, client: sm.client });
    const signature = signBody(Buffer.from(delivery), (secret as { app_secret?: string }).app_secret ?? '');
    // Act
    const received = receiver(secrets).receive(delivery, signature);
    // Assess
    await expect(received).rejects.toBeInstanceOf(InvalidSignatureError);
  });
});

describe('locally: META_APP_SECRET set to the placeholder is refused; unset, the demo secret works in the demo only', () => {
  it.each([
    ['unset, in the demo: the demo secret', {}, true, DEMO_WEBHOOK_SECRETS.appSecret, 'accepted'],
    ['unset, outside the demo: the demo secret', {}, false, DEMO_WEBHOOK_SECRETS.appSecret, 'refused'],
    [
      'the placeholder, in the demo',
      { META_APP_SECRET: APP_SECRET_PLACEHOLDER, WEBHOOK_VERIFY_TOKEN: 'local-verify-token' },
      true,
      APP_SECRET_PLACEHOLDER,
      'refused',
    ],
    [
      'a secret of the developer, outside the demo',
      { META_APP_SECRET: 'a-developer-app-secret-0001', WEBHOOK_VERIFY_TOKEN: 'local-verify-token' },
      false,
      'a-developer-app-secret-0001',
      'accepted',
    ],
  ])('%s: %s', async (_, env, demo, signingSecret, expected) => {
    // Prepare
    const secrets = createLocalWebhookSecrets({ ...loadConfig(env), demo });
    const { receive, sent } = receiver(secrets);
    // Act
    const outcome = await receive(delivery, signBody(Buffer.from(delivery), signingSecret)).then(
      () => 'accepted',
      (error: unknown) => (error instanceof InvalidSignatureError ? 'refused' : String(error)),
    );
    // Assess
    expect(outcome).toBe(expected);
    expect(sent).toHaveLength(expected === 'accepted' ? 1 : 0);
  });
});

describe('per-delivery limits', () => {
  let rig: WebhookRig;
  beforeAll(async () => {
    rig = await startWebhookRig();
  });
  afterAll(() => rig.close());

  /** A signed delivery padded with JSON whitespace to exactly `size` bytes. */
  const padded = (size: number) => delivery + ' '.repeat(size - Buffer.byteLength(delivery));

  it.each([
    ['as text', false],
    ['base64-encoded by API Gateway', true],
  ])('a body of 1 MiB is taken, one byte more is 413 payload_too_large (%s)', async (_, base64) => {
    // Act
    const atLimit = await rig.post(padded(MAX_DELIVERY_BYTES), { base64 });
    const over = await rig.post(padded(MAX_DELIVERY_BYTES + 1), { base64 });
    // Assess
    expect(atLimit.statusCode).toBe(200);
    expect(over.statusCode).toBe(413);
    expect(errorOf(over.body).code).toBe('payload_too_large');
  });

  it('counts each body refused for its size', () => {
    expect(rig.metrics.total('WebhookRefused', { Reason: 'payload_too_large' })).toBe(2);
  });

  it('a signed gzip body (Meta sends none) is 400 invalid_request naming Content-Encoding, nothing enqueued', async () => {
    // Prepare
    await rig.queue.idle();
    const before = rig.outcomes.length;
    const gzipped = gzipSync(delivery);
    // Act
    const answer = await rig.post(gzipped, { headers: { 'content-encoding': 'gzip' }, base64: true });
    await rig.queue.idle();
    // Assess
    expect(answer.statusCode).toBe(400);
    expect(errorOf(answer.body)).toMatchObject({ code: 'invalid_request', parameter: 'Content-Encoding' });
    expect(rig.outcomes).toHaveLength(before);
  });

  it('a delivery naming 10,000 people: 1,000 refreshes requested, 9,000 counted and logged as left out', async () => {
    // Prepare
    await rig.queue.idle();
    const before = rig.outcomes.length;
    // The shortest items Meta sends (`read`), so that 10,000 people fit in 1 MiB.
    const messaging = Array.from({ length: 10_000 }, (_, i) => ({
      sender: { id: String(2_000_000_000_000_000 + i) },
      recipient: { id: UNKNOWN_PAGE },
      read: {},
    }));
    const body = JSON.stringify({ object: 'page', entry: [{ id: UNKNOWN_PAGE, time: 1, messaging }] });
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_DELIVERY_BYTES);
    // Act
    const answer = await rig.post(body);
    await rig.queue.idle();
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(rig.outcomes.length - before).toBe(1_000);
    expect(rig.metrics.total('WebhookTargetsDropped')).toBe(9_000);
    expect(rig.logger.lines.some((line) => line.includes('"dropped_people":9000'))).toBe(true);
  });
});

/** The receiver over a secret source, with a queue that keeps what it is sent. */
function receiver(secrets: WebhookSecretSource) {
  const sent: RefreshRequest[] = [];
  const deps = {
    secrets,
    queue: { send: async (requests: readonly RefreshRequest[]) => void sent.push(...requests) },
    logger: recordingLogger(),
    metrics: recordingMetrics(),
    now: () => new Date(),
  };
  return {
    sent,
    receive: (body: string, signature: string) =>
      receiveDelivery(deps, { body: Buffer.from(body), signature }),
  };
}
