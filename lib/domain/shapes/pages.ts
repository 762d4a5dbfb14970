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
