import type { Config } from '../config/config.js';
import { registerSecret } from '../telemetry/redaction.js';
import type { WebhookSecretSource, WebhookSecrets } from '../webhooks/webhook-secrets.js';

/**
 * The local runtime's webhook secrets: values from the environment, the demo's, or none. In lib/local,
 * so that no Lambda bundle carries the demo's values or a way to accept them (in AWS the receiver reads
 * `WEBHOOK_SECRET_ID` and nothing else).
 */

/** Obviously not real: the local demo prints them so that a developer can sign a test delivery. */
export const DEMO_WEBHOOK_SECRETS: WebhookSecrets = Object.freeze({
  appSecret: 'local-demo-app-secret',
  verifyToken: 'local-demo-verify-token',
});

/** No secrets: what `npm start` outside the demo uses until `META_APP_SECRET` is set. */
export const NOT_SET_WEBHOOK_SECRETS: WebhookSecrets = Object.freeze({ appSecret: '', verifyToken: '' });

/**
 * Fixed values: `META_APP_SECRET` and `WEBHOOK_VERIFY_TOKEN` locally, or the demo's, or none
 * (`NOT_SET_WEBHOOK_SECRETS`: every request refused).
 */
export class StaticWebhookSecrets implements WebhookSecretSource {
  private readonly secrets: Promise<WebhookSecrets>;

  constructor(secrets: WebhookSecrets) {
    registerSecret(secrets.appSecret);
    registerSecret(secrets.verifyToken);
    this.secrets = Promise.resolve(Object.freeze({ ...secrets }));
  }

  get(): Promise<WebhookSecrets> {
    return this.secrets;
  }
}

/**
 * Where `npm start`'s receiver reads its secrets: `META_APP_SECRET` and `WEBHOOK_VERIFY_TOKEN` (set
 * together, `loadConfig` checks); with neither, the demo's printed values in the demo (the only runtime
 * that accepts them), else none: every webhook request is refused until they are set.
 */
export function createLocalWebhookSecrets(
  config: Pick<Config, 'metaAppSecret' | 'webhookVerifyToken' | 'demo'>,
): WebhookSecretSource {
  if (config.metaAppSecret !== undefined && config.webhookVerifyToken !== undefined) {
    return new StaticWebhookSecrets({
      appSecret: config.metaAppSecret,
      verifyToken: config.webhookVerifyToken,
    });
  }
  return new StaticWebhookSecrets(config.demo ? DEMO_WEBHOOK_SECRETS : NOT_SET_WEBHOOK_SECRETS);
}
