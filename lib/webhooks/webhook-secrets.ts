import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, UnavailableError } from '../domain/errors.js';
import { registerSecret } from '../telemetry/redaction.js';
import { createSecretsManagerClient } from '../tokens/secrets-client.js';

/** What the webhook routes check Meta with: one per app, not per Page. */
export interface WebhookSecrets {
  /** Keys the HMAC of `X-Hub-Signature-256`. */
  readonly appSecret: string;
  /** What `hub.verify_token` must equal in the subscription handshake. */
  readonly verifyToken: string;
}

export interface WebhookSecretSource {
  get(): Promise<WebhookSecrets>;
}

/**
 * Reads the secret's JSON; says what is wrong without quoting it. An empty or missing `app_secret`
 * reads as `''`: the receiver then refuses every request with `403` and says why (`appSecretUsable`),
 * rather than failing each one with a 500.
 */
export function parseWebhookSecret(value: string | undefined): WebhookSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    throw new ConfigurationError(
      'The webhook secret must be JSON: {"app_secret": "...", "verify_token": "..."}.',
    );
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const { app_secret: appSecret = '', verify_token: verifyToken } = record;
  if (typeof appSecret !== 'string' || typeof verifyToken !== 'string' || verifyToken === '') {
    throw new ConfigurationError(
      'The webhook secret needs an "app_secret" string and a non-empty "verify_token" string.',
    );
  }
  return { appSecret, verifyToken };
}

export interface SecretsManagerWebhookSecretsOptions {
  secretId: string;
  /** The container's Secrets Manager client, with the product's timeouts, unless given. */
  client?: Pick<SecretsManagerClient, 'send'>;
  /** How long a read is served from memory, and so how long a rotated secret goes unnoticed. */
  cacheSeconds?: number;
  now?: () => number;
}

/**
 * `WEBHOOK_SECRET_ID` in AWS: one read per container per cache period, shared by concurrent callers; a
 * failed read is evicted, not cached, so the next delivery tries again. Both values are registered
 * for redaction as soon as they are read.
 */
export class SecretsManagerWebhookSecrets implements WebhookSecretSource {
  private cached: { value: Promise<WebhookSecrets>; expiresAt: number } | undefined;
  private readonly client: Pick<SecretsManagerClient, 'send'>;
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SecretsManagerWebhookSecretsOptions) {
    this.client = options.client ?? createSecretsManagerClient();
    this.cacheMs = (options.cacheSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  get(): Promise<WebhookSecrets> {
    if (this.cached !== undefined && this.cached.expiresAt > this.now()) return this.cached.value;
    const value = this.read();
    const entry = { value, expiresAt: this.now() + this.cacheMs };
    this.cached = entry;
    value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return value;
  }

  private async read(): Promise<WebhookSecrets> {
    let secretString: string | undefined;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId }));
      secretString = output.SecretString;
    } catch (error: unknown) {
      throw new UnavailableError(undefined, { cause: error });
    }
    const secrets = parseWebhookSecret(secretString);
    registerSecret(secrets.appSecret);
    registerSecret(secrets.verifyToken);
    return secrets;
  }
}
