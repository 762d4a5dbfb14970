import * as v from 'valibot';
import { InvalidRequestError } from '../errors.js';
import {
  CONVERSATION_FIELDS,
  type ConversationField,
  DEFAULT_FIELDS,
  DEFAULT_LIMIT,
  FOLDERS,
  INDEXED_FIELDS,
  MAX_LIMIT,
  PLATFORM_FIELDS,
  PLATFORMS,
  type Platform,
  SCOPED_USER_ID_PATTERN,
} from '../vocabulary.js';

/**
 * The query strings of the API's routes, each one schema: strings in (as the query string carries
 * them), the validated request out. Each entry coerces and checks one parameter with the message its
 * 400 gives; the rules that join two parameters are checks forwarded to the one they name. The OpenAPI
 * parameters are emitted from the same entries (`document.ts`), so the 400s and the document agree.
 * Unknown and repeated parameters are refused before, where the raw query string is read.
 */

/**
 * ISO 8601 with a zone: `Z`, `+00:00` or Graph's own `+0000`; seconds and their fractions optional.
 * Wider than RFC 3339 (the OpenAPI `date-time` format), so the document states this pattern instead.
 */
const INSTANT_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/
  .source;
const INSTANT = new RegExp(INSTANT_PATTERN);

/** The instant an `updated_since` value names, or undefined when it names none (e.g. month 13). */
function instantOf(raw: string): Date | undefined {
  const match = INSTANT.exec(raw);
  if (match === null) return undefined;
  const zone = match[3] ?? '';
  const colonZone = zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${match[1]}T${match[2]}${colonZone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** An enumerated parameter: any case in, lowercase out. */
const anyCase = <const T extends readonly [string, ...string[]]>(name: string, values: T) =>
  v.pipe(v.string(), v.toLowerCase(), v.picklist(values, `"${name}" must be one of ${values.join(', ')}.`));

/** `limit`: digits only (`Number()` would also take "1e2", " 5" or "0x10"), no longer than the maximum. */
const limit = v.optional(
  v.pipe(
    v.string(),
    v.regex(
      new RegExp(`^\\d{1,${String(MAX_LIMIT).length}}$`),
      `"limit" must be a whole number from 1 to ${MAX_LIMIT}.`,
    ),
    v.transform(Number),
    v.number(),
    v.integer(),
    v.minValue(1, `"limit" must be a whole number from 1 to ${MAX_LIMIT}.`),
    v.maxValue(MAX_LIMIT, `"limit" must be a whole number from 1 to ${MAX_LIMIT}.`),
    v.description('The most items one answer holds.'),
  ),
  String(DEFAULT_LIMIT),
);

const cursor = (name: 'after' | 'before', description: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.nonEmpty(`"${name}" must be a cursor this API returned.`),
      v.description(description),
    ),
  );

const CURSOR_DESCRIPTION =
  'An opaque cursor this API returned for the same page and query; never a Graph cursor.';
const PAGES_CURSOR_DESCRIPTION = 'An opaque cursor this API returned for the same limit.';

/** `after` and `before` together: the fault is named `before`, as it always was. */
const oneCursor = (query: { after?: string; before?: string }) =>
  query.after === undefined || query.before === undefined;
const ONE_CURSOR_MESSAGE = 'Give "after" or "before", not both.';

/** The fields a conversations query may name, and those it gets when it names none. */
function fieldRule(platform: Platform, fromIndex: boolean) {
  if (!fromIndex) return { allowed: PLATFORM_FIELDS[platform], defaults: DEFAULT_FIELDS[platform] };
  const indexed = INDEXED_FIELDS.filter((field) => PLATFORM_FIELDS[platform].has(field));
  return { allowed: new Set(indexed), defaults: indexed };
}

const fieldNames = (raw: string) => raw.split(',').map((name) => name.trim());

type RawFieldsQuery = { platform: Platform; fields?: string; updated_since?: Date };

/** The first name `fields` gives that the source does not offer, or undefined. */
function unofferedField(query: RawFieldsQuery): string | undefined {
  if (query.fields === undefined) return undefined;
  const { allowed } = fieldRule(query.platform, query.updated_since !== undefined);
  return fieldNames(query.fields).find((name) => !allowed.has(name as ConversationField));
}

/** `GET /pages/{pageId}/conversations`: the query's own parameters (the page id is in the path). */
export const ConversationsQuerySchema = v.pipe(
  v.strictObject(
    {
      platform: v.optional(
        v.pipe(
          anyCase('platform', PLATFORMS),
          v.description(
            'messenger or instagram, in any case: the API lowercases it, so MESSENGER is messenger.',
          ),
        ),
        'messenger',
      ),
      folder: v.optional(
        v.pipe(
          anyCase('folder', FOLDERS),
          v.description(
            "inbox, other, page_done or spam, in any case (the API lowercases it). Graph's default folder when absent; with updated_since, inbox.",
          ),
        ),
      ),
      user_id: v.optional(
        v.pipe(
          v.string(),
          v.regex(
            new RegExp(SCOPED_USER_ID_PATTERN),
            '"user_id" must be a page- or Instagram-scoped user id (digits).',
          ),
          v.description('A page- or Instagram-scoped user id; not with updated_since.'),
        ),
      ),
      limit,
      fields: v.optional(
        v.pipe(
          v.string(),
          v.description(
            `Comma list of ${CONVERSATION_FIELDS.join(', ')}; Instagram and the index offer fewer.`,
          ),
        ),
      ),
      after: cursor('after', CURSOR_DESCRIPTION),
      before: cursor('before', CURSOR_DESCRIPTION),
      updated_since: v.optional(
        v.pipe(
          v.string(),
          v.regex(
            INSTANT,
            '"updated_since" must be an ISO 8601 instant with a zone, e.g. 2026-11-20T10:00:00Z.',
          ),
          v.examples(['2026-11-20T10:00:00Z']),
          v.description(
            'An ISO 8601 instant with a zone (Z, +00:00 or +0000; seconds optional), e.g. 2026-11-20T10:00:00Z: only conversations updated later, from the index the sync keeps. The body then adds synced_at.',
          ),
          v.check(
            (raw) => instantOf(raw) !== undefined,
            '"updated_since" must be an ISO 8601 instant with a zone, e.g. 2026-11-20T10:00:00Z.',
          ),
          // The check above has refused every value that names no instant.
          v.transform((raw) => instantOf(raw) as Date),
        ),
      ),
      include_removed: v.optional(
        v.pipe(
          v.string(),
          v.picklist(['true', 'false'], '"include_removed" must be true or false.'),
          v.description(
            'true: with updated_since, conversations removed from the index (deleted, moved out of the covered folders, erased) come too, as tombstones of ids and times, by their removed_time.',
          ),
        ),
      ),
    },
    (issue) => `Unknown query parameter "${String(issue.input)}".`,
  ),
  v.forward(v.partialCheck([['after'], ['before']], oneCursor, ONE_CURSOR_MESSAGE), ['before']),
  v.forward(
    v.partialCheck(
      [['user_id'], ['updated_since']],
      (query: { user_id?: string; updated_since?: Date }) =>
        query.user_id === undefined || query.updated_since === undefined,
      '"user_id" cannot be combined with "updated_since": the index is per folder.',
    ),
    ['user_id'],
  ),
  v.forward(
    v.partialCheck(
      [['include_removed'], ['updated_since']],
      (query: { include_removed?: string; updated_since?: Date }) =>
        query.include_removed === undefined || query.updated_since !== undefined,
      '"include_removed" needs "updated_since": tombstones are listed only from the index.',
    ),
    ['include_removed'],
  ),
  v.forward(
    v.partialCheck(
      [['platform'], ['fields'], ['updated_since']],
      (query: RawFieldsQuery) => unofferedField(query) === undefined,
      (issue) => {
        const query = issue.input as RawFieldsQuery;
        const unknown = unofferedField(query) ?? '';
        const { allowed } = fieldRule(query.platform, query.updated_since !== undefined);
        const label = unknown === '' ? 'an empty name' : `"${unknown}"`;
        return `"fields" has ${label}, which ${query.platform} conversations here do not offer; allowed: ${[...allowed].join(', ')}.`;
      },
    ),
    ['fields'],
  ),
  v.transform((query) => {
    const fromIndex = query.updated_since !== undefined;
    const { defaults } = fieldRule(query.platform, fromIndex);
    // Graph always returns `id`; keep it first so that every item can be told apart.
    const fields =
      query.fields === undefined
        ? [...defaults]
        : [...new Set<ConversationField>(['id', ...(fieldNames(query.fields) as ConversationField[])])];
    const common = {
      platform: query.platform,
      folder: query.folder,
      limit: query.limit,
      fields,
      after: query.after,
      before: query.before,
    };
    return query.updated_since === undefined
      ? { source: 'graph' as const, ...common, userId: query.user_id }
      : {
          source: 'index' as const,
          ...common,
          updatedSince: query.updated_since,
          includeRemoved: query.include_removed === 'true',
        };
  }),
);
export type ConversationsQuery = v.InferOutput<typeof ConversationsQuerySchema>;

/** A validated conversations request as the services take it: the path's Page id and the query. */
export type ConversationsRequest = { pageId: string } & ConversationsQuery;
/** Live from Graph: no `updated_since`. */
export type LiveConversationsRequest = Extract<ConversationsRequest, { source: 'graph' }>;
/** From the index the sync keeps: with `updated_since`. */
export type IndexedConversationsRequest = Extract<ConversationsRequest, { source: 'index' }>;

/** `GET /pages`: `limit`, and one of `after` or `before`. */
export const PagesQuerySchema = v.pipe(
  v.strictObject(
    {
      limit,
      after: cursor('after', PAGES_CURSOR_DESCRIPTION),
      before: cursor('before', PAGES_CURSOR_DESCRIPTION),
    },
    (issue) => `Unknown query parameter "${String(issue.input)}".`,
  ),
  v.forward(v.partialCheck([['after'], ['before']], oneCursor, ONE_CURSOR_MESSAGE), ['before']),
);
export type PagesQuery = v.InferOutput<typeof PagesQuerySchema>;

/** `POST /pages/{pageId}/sync`: `full=true` makes the run it starts reconcile every platform. */
export const SyncStartQuerySchema = v.pipe(
  v.strictObject(
    {
      full: v.optional(
        v.pipe(
          v.string(),
          v.picklist(['true'], '"full" takes only true.'),
          v.description(
            'true: the run also reconciles every platform, due or not: every covered folder listed whole, conversations deleted or moved in Graph found (about one Graph call per 100 conversations).',
          ),
        ),
      ),
    },
    (issue) => `Unknown query parameter "${String(issue.input)}".`,
  ),
  v.transform((query) => ({ full: query.full === 'true' })),
);
export type SyncStartQuery = v.InferOutput<typeof SyncStartQuerySchema>;

/** `GET /pages/{pageId}/changes`: `limit`, and the `after` cursor an answer gave. */
export const ChangesQuerySchema = v.strictObject(
  {
    limit,
    after: cursor(
      'after',
      'The opaque paging.cursors.after of an earlier answer for this Page; without it, from the oldest change kept (CHANGES_DAYS).',
    ),
  },
  (issue) => `Unknown query parameter "${String(issue.input)}".`,
);
export type ChangesQuery = v.InferOutput<typeof ChangesQuerySchema>;

type QuerySchema =
  | typeof ConversationsQuerySchema
  | typeof PagesQuerySchema
  | typeof SyncStartQuerySchema
  | typeof ChangesQuerySchema;

/** The parameter names a query schema takes: any other is a 400 naming it. */
export const queryParameterNames = (schema: QuerySchema): ReadonlySet<string> =>
  new Set(Object.keys(schema.entries));

/**
 * Validates a query (each parameter once, as strings) with its schema. The first fault, in the order
 * the schema (and so the document) lists its parameters, an unknown one before all, is a 400 naming
 * that parameter; a rule joining two parameters names the one it is forwarded to.
 */
export function parseQuery<S extends QuerySchema>(
  schema: S,
  params: Record<string, string>,
): v.InferOutput<S> {
  const result = v.safeParse(schema, params);
  if (result.success) return result.output;
  const order = Object.keys(schema.entries);
  const rank = (issue: v.BaseIssue<unknown>) => {
    const key = issue.path?.[0]?.key;
    const index = typeof key === 'string' ? order.indexOf(key) : -1;
    // An unknown parameter (origin key) comes first, as it did when the raw query was read.
    return issue.path?.[0]?.origin === 'key' ? -1 : index === -1 ? order.length : index;
  };
  const [first] = [...result.issues].sort((a, b) => rank(a) - rank(b));
  const key = first?.path?.[0]?.key;
  throw new InvalidRequestError(typeof key === 'string' ? key : undefined, first?.message ?? 'Bad query.');
}
