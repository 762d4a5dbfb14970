import type { PageCredentials } from '../domain/conversation.js';
import {
  checkSubscription,
  type SubscriptionCheck,
  type SubscriptionGraph,
} from '../graph/graph-subscriptions.js';
import type { PageRegistry } from '../store/page-registry.js';

/**
 * The webhook subscription check of the operator's commands and the local start: at registration
 * (`add`, `import`, `npm start`) and on `npm run pages -- check`, one `GET /{page-id}/subscribed_apps`
 * (and one `POST` with `WEBHOOK_AUTO_SUBSCRIBE`), recorded in the registry for `GET /pages`. The
 * scheduled run's daily check is `lib/sync/page-record.ts`; both apply `checkSubscription`'s rule.
 */

/** Whether to check, and whether to subscribe a Page found `not_subscribed`. */
export interface WebhookCheckOptions {
  /** `WEBHOOK_AUTO_SUBSCRIBE`. */
  autoSubscribe: boolean;
}

/** The settings as the operator's environment gives them: unset means check, and do not subscribe. */
export function webhookCheckOptions(settings: {
  check: boolean | undefined;
  autoSubscribe: boolean | undefined;
}): WebhookCheckOptions | undefined {
  return settings.check === false ? undefined : { autoSubscribe: settings.autoSubscribe === true };
}

/** Checks the Page's subscription with its credentials; a failing Graph is the `unknown` it returns. */
export async function readSubscription(
  deps: { graph: SubscriptionGraph; now?: () => Date },
  pageId: string,
  credentials: PageCredentials,
  options: WebhookCheckOptions,
): Promise<SubscriptionCheck> {
  const { graph } = deps;
  return checkSubscription(
    {
      read: async () => (await graph.webhookSubscription(credentials, pageId)).fields,
      subscribe: async (fields) => {
        await graph.subscribeWebhooks(credentials, pageId, fields);
      },
    },
    { autoSubscribe: options.autoSubscribe, now: (deps.now ?? (() => new Date()))() },
  );
}

/**
 * Checks the Page's subscription and records what was found; a failure to record is thrown (the
 * registry is the caller's to trust).
 */
export async function recordSubscription(
  deps: { registry: PageRegistry; graph: SubscriptionGraph; now?: () => Date },
  pageId: string,
  credentials: PageCredentials,
  options: WebhookCheckOptions,
): Promise<SubscriptionCheck> {
  const check = await readSubscription(deps, pageId, credentials, options);
  await deps.registry.recordReads(pageId, { webhooks: check.health });
  return check;
}

/** A check in a table cell: the status, `re-subscribed` when this check renewed it, why when unknown. */
export function subscriptionCell(check: SubscriptionCheck | undefined): string | undefined {
  if (check === undefined) return undefined;
  if (check.resubscribed) return 'subscribed (re-subscribed)';
  return check.problem === undefined ? check.health.status : `${check.health.status}: ${check.problem}`;
}
