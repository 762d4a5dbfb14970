import { setting } from './setting.js';
import { secretNameOrArn, text, yesNo } from './setting-rules.js';

/**
 * What the stack writes as `app_secret` when it creates the webhook secret: not a secret and not a
 * real value, public in this repository. While the app secret is this or empty, the webhook receiver
 * (and Meta's data-deletion callback) refuse every request: see `appSecretUsable`.
 */
export const APP_SECRET_PLACEHOLDER = 'replace-with-your-meta-app-secret';

/** Why an app secret cannot be used: `empty` or still the stack's `placeholder`. */
export type UnusableAppSecret = 'empty' | 'placeholder';

/**
 * Whether requests signed with this app secret may be trusted: not empty (whitespace only counts as
 * empty) and not the placeholder. Anyone can sign with the placeholder, since it is in this
 * repository, so a deployment whose operator has not set the real secret accepts nothing.
 * The one check of every route that verifies Meta (the webhook receiver, the data-deletion callback).
 */
export function appSecretUsable(secret: string | undefined): boolean {
  return unusableAppSecret(secret) === undefined;
}

/** What is wrong with an app secret, for a log line that says why without quoting it. */
export function unusableAppSecret(secret: string | undefined): UnusableAppSecret | undefined {
  const value = secret?.trim() ?? '';
  if (value === '') return 'empty';
  if (value === APP_SECRET_PLACEHOLDER) return 'placeholder';
  return undefined;
}

/**
 * Meta Webhooks and change events: the contract's names, declared once like every other setting and
 * spread into `SETTINGS`. The two local secrets take any non-empty text, so that no rule can fail and
 * quote them in a message.
 */
export const WEBHOOK_SETTINGS = Object.freeze({
  webhookSecretId: setting({
    runtime: ['lambda'],
    env: 'WEBHOOK_SECRET_ID',
    requiredBy: ['webhook-receiver'],
    prop: 'webhookSecret',
    cdkResource: true,
    context: 'webhookSecretName',
    // The stack passes the secret's ARN; an operator may give its name.
    rule: secretNameOrArn(),
    default: undefined,
    description:
      'AWS: the secret holding `{"app_secret", "verify_token"}` for Meta Webhooks. Unset in the stack: one it creates, with a generated verify token.',
  }),
  metaAppSecret: setting({
    runtime: ['local'],
    env: 'META_APP_SECRET',
    rule: text(),
    default: undefined,
    description:
      'Local: the app secret that signs webhook deliveries. Unset: the demo value, printed (demo only; outside the demo every webhook request is refused). The placeholder replace-with-your-meta-app-secret is refused.',
  }),
  webhookVerifyToken: setting({
    runtime: ['local'],
    env: 'WEBHOOK_VERIFY_TOKEN',
    rule: text(),
    default: undefined,
    description: 'Local: what hub.verify_token must equal. Unset: the demo value, printed.',
  }),
  webhookQueueUrl: setting({
    runtime: ['lambda'],
    env: 'WEBHOOK_QUEUE_URL',
    requiredBy: ['webhook-receiver', 'webhook-refresh'],
    rule: text(),
    default: undefined,
    description: 'AWS: the refresh queue (set by the stack). Locally, refreshes run in process.',
  }),
  webhookSubscriptionCheck: setting({
    runtime: ['lambda', 'local'],
    env: 'WEBHOOK_SUBSCRIPTION_CHECK',
    rule: yesNo(),
    default: true,
    description:
      "Whether each Page's webhook subscription is read (GET /{page-id}/subscribed_apps) when it is registered and once a day by the scheduled run. AWS: set by the stack on the sync worker, false with webhooks: false (no Graph call is spent on it).",
  }),
  webhookAutoSubscribe: setting({
    runtime: ['lambda', 'local'],
    env: 'WEBHOOK_AUTO_SUBSCRIBE',
    prop: 'webhookAutoSubscribe',
    context: 'webhookAutoSubscribe',
    rule: yesNo(),
    default: false,
    description:
      'Subscribe a Page again (POST /{page-id}/subscribed_apps with the conversation fields) when its webhook subscription is gone: at registration and at the daily check. Needs webhooks.',
  }),
  eventBusName: setting({
    runtime: ['lambda', 'local'],
    env: 'EVENT_BUS_NAME',
    prop: 'eventBus',
    cdkResource: true,
    context: 'eventBusName',
    // EventBridge's own rule for bus names; an ARN is allowed where a name is (another account's bus).
    rule: text({
      pattern: /^(arn:[^:]+:events:[^:]+:\d{12}:event-bus\/)?[A-Za-z0-9/._-]{1,256}$/,
      expected: 'an event bus name (A-Z a-z 0-9 / . _ -) or ARN',
    }),
    default: undefined,
    description:
      'Where change events go. Unset in the stack: a bus of its own. Unset locally: EVENTS_FILE or the log.',
  }),
  eventsFile: setting({
    runtime: ['local'],
    env: 'EVENTS_FILE',
    rule: text(),
    default: undefined,
    description: 'Local: append each change event to this file as one JSON line. Unset: events are logged.',
  }),
});
