import * as v from 'valibot';
import { OTHER_TOKEN_REJECTION, TOKEN_REJECTION_REASONS } from '../graph-error-table.js';
import { GraphErrorDetailsSchema, instant, PagingSchema } from './common.js';
import { RUN_OUTCOMES, SYNC_STATUSES, TOKEN_STATUSES } from './words.js';

/**
 * The bodies of `GET /pages` and `GET /pages/{pageId}`: a Page of the registry with its token health
 * and a summary of its sync, in the contract's words.
 */

export { TOKEN_STATUSES, type TokenStatus } from './words.js';

/**
 * A reason a rejected token is given: one per subcode of Graph's error table, or the fallback. Typed
 * from the table, so it narrows to the words themselves once the table declares them `as const`.
 */
type TokenRejectionReason =
  | (typeof TOKEN_REJECTION_REASONS)[keyof typeof TOKEN_REJECTION_REASONS]
  | typeof OTHER_TOKEN_REJECTION;

/** Every reason a rejected token is given, in the table's order, the fallback last. */
const TOKEN_REJECTION_WORDS = [
  ...new Set([...Object.values(TOKEN_REJECTION_REASONS), OTHER_TOKEN_REJECTION]),
] as [TokenRejectionReason, ...TokenRejectionReason[]];

/** `token.error` of an invalid Page: the API's error shape plus `reason`. */
export const TokenHealthErrorSchema = v.pipe(
  v.strictObject({
    code: v.literal('page_token_invalid'),
    message: v.pipe(v.string(), v.maxLength(1000)),
    graph: GraphErrorDetailsSchema,
    reason: v.pipe(
      v.picklist(TOKEN_REJECTION_WORDS),
      v.description(
        `By Graph's error_subcode: ${Object.entries(TOKEN_REJECTION_REASONS)
          .map(([subcode, reason]) => `${reason} (${subcode})`)
          .join(', ')}; ${OTHER_TOKEN_REJECTION} for any other.`,
      ),
    ),
  }),
  v.description("Why Graph rejected the Page's token: this API's error shape plus `reason`."),
);
export type TokenHealthError = v.InferOutput<typeof TokenHealthErrorSchema>;

export const TokenHealthViewSchema = v.strictObject({
  status: v.pipe(
    v.picklist(TOKEN_STATUSES),
    v.description(
      'valid: the last Graph call with it succeeded. invalid: Graph rejected it after one re-read of the secret; nothing calls Graph for this Page until its secret changes. unchecked: not used yet.',
    ),
  ),
  checked_at: v.nullable(instant()),
  error: v.nullable(TokenHealthErrorSchema),
});

export const PageSyncViewSchema = v.strictObject({
  status: v.picklist(SYNC_STATUSES),
  synced_at: v.nullable(instant()),
  last_outcome: v.nullable(v.picklist(RUN_OUTCOMES)),
});

/**
 * The webhook fields whose events name a conversation (the receiver reads these): messages and their
 * echoes, postbacks, reactions and reads. What `npm run pages -- connect --subscribe-webhooks` and
 * `WEBHOOK_AUTO_SUBSCRIBE` subscribe a Page to, and what `subscribed` requires.
 */
export const WEBHOOK_FIELDS = [
  'messages',
  'message_echoes',
  'messaging_postbacks',
  'message_reactions',
  'message_reads',
] as const;

/** A Page's webhook subscription, as the last `GET /{page-id}/subscribed_apps` found it. */
export const WEBHOOK_STATUSES = ['subscribed', 'not_subscribed', 'unknown'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** Graph's field names are short snake_case words; a longer or other string is not one. */
export const WEBHOOK_FIELD_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** More fields than Graph's Page webhooks have: a longer list is cut. */
export const MAX_WEBHOOK_FIELDS = 64;

export const WebhookHealthViewSchema = v.pipe(
  v.strictObject({
    status: v.pipe(
      v.picklist(WEBHOOK_STATUSES),
      v.description(
        `subscribed: the app receives the Page's webhooks for every conversation field (${WEBHOOK_FIELDS.join(', ')}). not_subscribed: for some or none (never subscribed, or Meta dropped the subscription after its deliveries failed). unknown: not checked yet, the token lacks the permission to read it, or Graph failed.`,
      ),
    ),
    fields: v.pipe(
      v.array(v.pipe(v.string(), v.regex(WEBHOOK_FIELD_PATTERN))),
      v.maxLength(MAX_WEBHOOK_FIELDS),
      v.description('The fields the app is subscribed to for this Page, as Graph lists them.'),
    ),
    checked_at: v.nullable(instant()),
  }),
  v.description(
    "The Page's webhook subscription, read from GET /{page-id}/subscribed_apps when the Page is registered, by npm run pages -- check, and at most once a day by the scheduled sync.",
  ),
);

/** One Page in `GET /pages` and `GET /pages/{pageId}`. */
export const PageViewSchema = v.pipe(
  v.strictObject({
    page_id: v.pipe(v.string(), v.examples(['123'])),
    name: v.nullable(v.string()),
    instagram_account_id: v.pipe(
      v.nullable(v.string()),
      v.description('The linked Instagram professional account, if any.'),
    ),
    token: TokenHealthViewSchema,
    sync: PageSyncViewSchema,
    webhooks: WebhookHealthViewSchema,
  }),
  v.description(
    'A Page this deployment serves, from its registry. name and instagram_account_id come from Graph when the Page is registered and are refreshed by each scheduled sync.',
  ),
);
export type PageView = v.InferOutput<typeof PageViewSchema>;

/** `GET /pages`: a listing of Pages, with cursors and links shaped like the conversations route's. */
export const PagesBodySchema = v.pipe(
  v.strictObject({ data: v.array(PageViewSchema), paging: v.optional(PagingSchema) }),
  v.description('Registered Pages by id, ascending.'),
);
export type PagesBody = v.InferOutput<typeof PagesBodySchema>;
