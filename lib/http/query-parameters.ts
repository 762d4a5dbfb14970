import {
  CONVERSATION_FIELDS,
  DEFAULT_LIMIT,
  FOLDERS,
  MAX_LIMIT,
  PAGE_ID_PATTERN,
  PLATFORMS,
  SCOPED_USER_ID_PATTERN,
} from '../domain/vocabulary.js';

/**
 * The parameters of the API's routes, each declared once: its name, type, range, values and default.
 * The request parser (`request-params.ts`) reads its rules from here and the OpenAPI document
 * (`openapi.ts`) its `parameters`, so that what the API accepts and what it documents cannot drift.
 */
export type ParameterRule =
  | {
      kind: 'enum';
      values: readonly string[];
      /** Named in the OpenAPI document's components, so that clients generate one type for it. */
      schemaName: 'Platform' | 'Folder';
      default?: string;
      description: string;
    }
  | { kind: 'integer'; minimum: number; maximum: number; default: number; description: string }
  | { kind: 'digits'; pattern: string; description: string }
  | { kind: 'field-list'; description: string }
  | { kind: 'cursor'; description: string }
  | { kind: 'instant'; pattern: string; description: string };

/**
 * ISO 8601 with a zone: `Z`, `+00:00` or Graph's own `+0000`; seconds and their fractions optional.
 * Wider than RFC 3339 (the OpenAPI `date-time` format), so the document states this pattern instead.
 */
const INSTANT_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/
  .source;

const CURSOR_DESCRIPTION =
  'An opaque cursor this API returned for the same page and query; never a Graph cursor.';

/** The path parameter of every page route. */
export const PAGE_ID_PARAMETER = {
  name: 'pageId',
  rule: { kind: 'digits', pattern: PAGE_ID_PATTERN, description: 'The Facebook Page id.' },
} as const satisfies { name: string; rule: ParameterRule };

/** `GET /pages/{pageId}/conversations`: every query parameter it takes; any other is a 400. */
export const CONVERSATIONS_QUERY = {
  platform: {
    kind: 'enum',
    values: PLATFORMS,
    schemaName: 'Platform',
    default: 'messenger',
    description: 'messenger or instagram, in any case: the API lowercases it, so MESSENGER is messenger.',
  },
  folder: {
    kind: 'enum',
    values: FOLDERS,
    schemaName: 'Folder',
    description:
      "inbox, other, page_done or spam, in any case (the API lowercases it). Graph's default folder when absent; with updated_since, inbox.",
  },
  user_id: {
    kind: 'digits',
    pattern: SCOPED_USER_ID_PATTERN,
    description: 'A page- or Instagram-scoped user id; not with updated_since.',
  },
  limit: {
    kind: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: 'The most items one answer holds.',
  },
  fields: {
    kind: 'field-list',
    description: `Comma list of ${CONVERSATION_FIELDS.join(', ')}; Instagram and the index offer fewer.`,
  },
  after: { kind: 'cursor', description: CURSOR_DESCRIPTION },
  before: { kind: 'cursor', description: CURSOR_DESCRIPTION },
  updated_since: {
    kind: 'instant',
    pattern: INSTANT_PATTERN,
    description:
      'An ISO 8601 instant with a zone (Z, +00:00 or +0000; seconds optional), e.g. 2026-11-20T10:00:00Z: only conversations updated later, from the index the sync keeps. The body then adds synced_at.',
  },
} as const satisfies Record<string, ParameterRule>;

export type ConversationsParameter = keyof typeof CONVERSATIONS_QUERY;

/** `GET /pages`: the registered Pages by id, ascending; any other parameter is a 400. */
export const PAGES_QUERY = {
  limit: CONVERSATIONS_QUERY.limit,
  after: { kind: 'cursor', description: 'An opaque cursor this API returned for the same limit.' },
  before: { kind: 'cursor', description: 'An opaque cursor this API returned for the same limit.' },
} as const satisfies Record<string, ParameterRule>;

/** The JSON Schema of one parameter's value, as the OpenAPI document states it. */
export function parameterSchema(rule: ParameterRule): Record<string, unknown> {
  switch (rule.kind) {
    case 'enum':
      // The parser lowercases the value first: the named schema gives the canonical values, the pattern
      // admits them in any other case, so that a validating proxy accepts what the API accepts.
      return {
        anyOf: [
          { $ref: `#/components/schemas/${rule.schemaName}` },
          { type: 'string', pattern: anyCasePattern(rule.values) },
        ],
        ...(rule.default === undefined ? {} : { default: rule.default }),
      };
    case 'integer':
      return { type: 'integer', minimum: rule.minimum, maximum: rule.maximum, default: rule.default };
    case 'digits':
      return { type: 'string', pattern: rule.pattern };
    case 'instant':
      return { type: 'string', pattern: rule.pattern, examples: ['2026-11-20T10:00:00Z'] };
    case 'field-list':
    case 'cursor':
      return { type: 'string' };
  }
}

/** A pattern matching exactly the given words in any case (JSON Schema patterns have no `i` flag). */
export function anyCasePattern(words: readonly string[]): string {
  const anyCase = (word: string) =>
    [...word]
      .map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`))
      .join('');
  return `^(?:${words.map(anyCase).join('|')})$`;
}

/** One OpenAPI parameter object. */
export function openApiParameter(name: string, where: 'path' | 'query', rule: ParameterRule) {
  return {
    name,
    in: where,
    ...(where === 'path' ? { required: true } : {}),
    ...(rule.description === '' ? {} : { description: rule.description }),
    schema: parameterSchema(rule),
  };
}
