import { readSetting } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { ConfigurationError } from '../domain/errors.js';
import {
  DEMO_WEBHOOK_SECRETS,
  NOT_SET_WEBHOOK_SECRETS,
  SecretsManagerWebhookSecrets,
  StaticWebhookSecrets,
  type WebhookSecretSource,
} from './webhook-secrets.js';

/**
 * The contract's webhook and event settings, read once. Names, rules and meanings are declared with
 * every other setting (`lib/config/settings-webhooks.ts`).
 */
export interface WebhookSettings {
  /** `WEBHOOK_SECRET_ID`: AWS, a secret holding `{"app_secret", "verify_token"}`. */
  readonly secretId: string | undefined;
  /** `META_APP_SECRET`, `WEBHOOK_VERIFY_TOKEN`: local values. */
  readonly appSecret: string | undefined;
  readonly verifyToken: string | undefined;
  /** `WEBHOOK_QUEUE_URL`: AWS, the refresh queue (set by the stack); unset, refreshes run in process. */
  readonly queueUrl: string | undefined;
  /** `EVENT_BUS_NAME`, `EVENTS_FILE`: where change events go. */
  readonly eventBusName: string | undefined;
  readonly eventsFile: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadWebhookSettings(env: Env = process.env): WebhookSettings {
  const settings = Object.freeze({
    secretId: readSetting(env, SETTINGS.webhookSecretId),
    appSecret: readSetting(env, SETTINGS.metaAppSecret),
    verifyToken: readSetting(env, SETTINGS.webhookVerifyToken),
    queueUrl: readSetting(env, SETTINGS.webhookQueueUrl),
    eventBusName: readSetting(env, SETTINGS.eventBusName),
    eventsFile: readSetting(env, SETTINGS.eventsFile),
  });
  if ((settings.appSecret === undefined) !== (settings.verifyToken === undefined)) {
    throw new ConfigurationError(
      `${SETTINGS.metaAppSecret.env} and ${SETTINGS.webhookVerifyToken.env} are set together or not at all.`,
    );
  }
  return settings;
}

/**
 * Where the receiver reads its secrets: the secret `WEBHOOK_SECRET_ID` in AWS; locally
 * `META_APP_SECRET`/`WEBHOOK_VERIFY_TOKEN`. With neither: the demo's printed values when `allowDemo`
 * (`npm start` in demo mode, the only runtime that accepts them); none when `local` (`npm start` with
 * real Pages: every webhook request is refused until `META_APP_SECRET` is set); else a
 * `ConfigurationError` (Lambda fails at cold start).
 */
export function createWebhookSecretSource(
  settings: WebhookSettings,
  options: { allowDemo: boolean; local?: boolean },
): WebhookSecretSource {
  if (settings.secretId !== undefined)
    return new SecretsManagerWebhookSecrets({ secretId: settings.secretId });
  if (settings.appSecret !== undefined && settings.verifyToken !== undefined) {
    return new StaticWebhookSecrets({ appSecret: settings.appSecret, verifyToken: settings.verifyToken });
  }
  if (options.allowDemo) return new StaticWebhookSecrets(DEMO_WEBHOOK_SECRETS);
  if (options.local === true) return new StaticWebhookSecrets(NOT_SET_WEBHOOK_SECRETS);
  throw new ConfigurationError(
    'WEBHOOK_SECRET_ID must be set in Lambda (or META_APP_SECRET and WEBHOOK_VERIFY_TOKEN).',
  );
}
