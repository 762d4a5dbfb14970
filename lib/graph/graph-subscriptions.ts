/**
 * A Page's webhook subscription: `GET` and `POST /{page-id}/subscribed_apps`, and the rule that turns
 * the answer into the `webhooks` member of a Page (`subscribed`, `not_subscribed`, `unknown`). Meta drops
 * a subscription after its deliveries fail for long enough and says nothing, so the registry reads it
 * at registration, on `npm run pages -- check` and once a day in the scheduled run (`page-record.ts`);
 * with `WEBHOOK_AUTO_SUBSCRIBE` a Page found `not_subscribed` is subscribed again. Here below the use
 * cases, so that the sync (Lambda) and the operator's commands share one rule.
 */

import type { PageCredentials } from '../domain/conversation.js';
import { PermissionDeniedError, UpstreamError } from '../domain/errors.js';
import { asRecord } from '../domain/json-record.js';
import type { WebhookHealth } from '../domain/page.js';
import {
  MAX_WEBHOOK_FIELDS,
  WEBHOOK_FIELD_PATTERN,
  WEBHOOK_FIELDS,
  type WebhookStatus,
} from '../domain/shapes/pages.js';
import { GraphClient } from './graph-client.js';
import type { GraphUsage } from './usage.js';

export { WEBHOOK_FIELDS } from '../domain/shapes/pages.js';

/** The subscribed fields of Graph's answer: the first app's (a Page token answers for its own app), checked and bounded. */
export function readSubscribedFields(json: unknown): string[] {
  const apps = asRecord(json).data;
  const first = Array.isArray(apps) ? asRecord(apps[0]) : {};
  const fields = first.subscribed_fields;
  if (!Array.isArray(fields)) return [];
  const valid = fields.filter(
    (field): field is string => typeof field === 'string' && WEBHOOK_FIELD_PATTERN.test(field),
  );
  return [...new Set(valid)].slice(0, MAX_WEBHOOK_FIELDS);
}

/** `subscribed` when every conversation field is among `fields`, else `not_subscribed`. */
export function subscriptionStatus(fields: readonly string[]): Exclude<WebhookStatus, 'unknown'> {
  return WEBHOOK_FIELDS.every((field) => fields.includes(field)) ? 'subscribed' : 'not_subscribed';
}

/** The two calls, as the Graph client makes them (the sync's pacing and token re-read wrap them). */
export interface SubscriptionGraph {
  webhookSubscription(
    credentials: PageCredentials,
    pageId: string,
  ): Promise<{ fields: string[]; usage: GraphUsage }>;
  subscribeWebhooks(
    credentials: PageCredentials,
    pageId: string,
    fields: readonly string[],
  ): Promise<{ usage: GraphUsage }>;
}

/** `GraphClient` with the subscription calls: what the sync worker and the local runtime build. */
export class GraphSubscriptionsClient extends GraphClient implements SubscriptionGraph {
  /** `GET /{page-id}/subscribed_apps`: the fields the Page sends this app's webhooks for (none: empty). */
  async webhookSubscription(
    credentials: PageCredentials,
    pageId: string,
  ): Promise<{ fields: string[]; usage: GraphUsage }> {
    const path = `/${encodeURIComponent(pageId)}/subscribed_apps`;
    const { json, usage } = await this.send('GET', credentials, path, new URLSearchParams());
    return { fields: readSubscribedFields(json), usage };
  }

  /**
   * `POST /{page-id}/subscribed_apps`: the Page sends the app's webhooks for these fields. Meta answers
   * the same call again with success, so a retry is safe.
   */
  async subscribeWebhooks(
    credentials: PageCredentials,
    pageId: string,
    fields: readonly string[],
  ): Promise<{ usage: GraphUsage }> {
    const query = new URLSearchParams({ subscribed_fields: fields.join(',') });
    const path = `/${encodeURIComponent(pageId)}/subscribed_apps`;
    const { json, usage } = await this.send('POST', credentials, path, query);
    if (asRecord(json).success !== true) throw new UpstreamError('Graph did not confirm the subscription.');
    return { usage };
  }
}

/** One Page's calls, each wrapped as its caller makes them (paced and counted by the sync). */
export interface SubscriptionCalls {
  read(): Promise<string[]>;
  subscribe(fields: readonly string[]): Promise<void>;
}

/** What a check found, and what it did. */
export interface SubscriptionCheck {
  health: WebhookHealth;
  /** True when this check subscribed the Page (`WEBHOOK_AUTO_SUBSCRIBE`) and Graph confirmed it. */
  resubscribed: boolean;
  /** Why the status is `unknown`, or why subscribing failed: for the log and the CLI, never a token. */
  problem: string | undefined;
}

/**
 * Reads the Page's subscription and, when `autoSubscribe` and it is `not_subscribed`, subscribes it to
 * every conversation field, keeping the fields it had. A read that fails is `unknown` (the permission
 * error of a token without `pages_manage_metadata`, or Graph failing); a subscription that fails leaves
 * the Page `not_subscribed`, with the reason. Never throws: the caller records what it returns.
 */
export async function checkSubscription(
  calls: SubscriptionCalls,
  options: { autoSubscribe: boolean; now: Date },
): Promise<SubscriptionCheck> {
  const checkedAt = options.now.toISOString();
  let fields: string[];
  try {
    fields = await calls.read();
  } catch (error: unknown) {
    return {
      health: { status: 'unknown', fields: [], checkedAt },
      resubscribed: false,
      problem: problemOf(error),
    };
  }
  const status = subscriptionStatus(fields);
  if (status === 'subscribed' || !options.autoSubscribe) {
    return { health: { status, fields, checkedAt }, resubscribed: false, problem: undefined };
  }
  const wanted = [...new Set([...fields, ...WEBHOOK_FIELDS])];
  try {
    await calls.subscribe(wanted);
  } catch (error: unknown) {
    return {
      health: { status, fields, checkedAt },
      resubscribed: false,
      problem: `subscribing failed: ${problemOf(error)}`,
    };
  }
  return {
    health: { status: 'subscribed', fields: wanted, checkedAt },
    resubscribed: true,
    problem: undefined,
  };
}

/** The error in a few words: Graph's permission refusal by name, else its message, cut. */
function problemOf(error: unknown): string {
  const code = error instanceof PermissionDeniedError ? error.graph?.code : undefined;
  const message = error instanceof Error ? error.message.slice(0, 200) : 'failed';
  return error instanceof PermissionDeniedError
    ? `the token lacks the permission (Graph ${code ?? '-'}): ${message}`
    : message;
}
