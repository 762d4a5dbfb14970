import * as v from 'valibot';
import { ERROR_CODES } from '../errors.js';
import { GRAPH_TIME_PATTERN } from '../graph-time.js';
import { FOLDERS, PLATFORMS } from '../vocabulary.js';

/**
 * The shapes every HTTP body shares: the contract's words (platform, folder, Graph's time), its error
 * shape and Graph's paging shape. Each is a valibot schema from which its TypeScript type is inferred
 * and its OpenAPI component emitted (`document.ts`), so that neither can drift from the other.
 *
 * Objects this API builds are closed (`strictObject`: `additionalProperties: false`); objects Graph
 * builds stay open (`looseObject`), since Graph may add fields.
 */

/** A non-negative whole number: counts. */
export const count = () => v.pipe(v.number(), v.integer(), v.minValue(0));

/** A whole number Graph gave (an error code): no bounds of ours. */
const graphInteger = () => v.pipe(v.number(), v.integer());

/** An instant this API writes itself: always `Date.prototype.toISOString()`, so RFC 3339 (`date-time`). */
export const instant = () => v.pipe(v.string(), v.isoTimestamp());

/** `instant()` with the words the document says about it. */
export const describedInstant = (description: string) =>
  v.pipe(v.string(), v.isoTimestamp(), v.description(description));

/** `T` or `null`, described as a whole (the description stands beside `anyOf`, not inside it). */
export const nullableWith = <T extends v.GenericSchema>(schema: T, description: string) =>
  v.pipe(v.nullable(schema), v.description(description));

const lowercaseNote = 'As this API writes it: lowercase. Query parameters take it in any case.';

export const PlatformSchema = v.pipe(v.picklist(PLATFORMS), v.description(lowercaseNote));
export const FolderSchema = v.pipe(v.picklist(FOLDERS), v.description(lowercaseNote));

export const GraphTimeSchema = v.pipe(
  v.string(),
  v.regex(new RegExp(GRAPH_TIME_PATTERN)),
  v.description(
    'A time as Graph writes it, e.g. 2026-11-20T10:00:00+0000: ISO 8601 with a zone offset that has no colon, so not RFC 3339 (the OpenAPI date-time format). One-second resolution. Passed on as Graph wrote it.',
  ),
  v.examples(['2026-11-20T10:00:00+0000']),
);

export const CursorsSchema = v.pipe(
  v.strictObject({ before: v.optional(v.string()), after: v.optional(v.string()) }),
  v.description(
    'Opaque cursors of this API (never Graph cursors), bound to the page and query they came from.',
  ),
);

/** A link of this API's own, relative or absolute. */
const link = (description: string) =>
  v.pipe(v.string(), v.metadata({ format: 'uri-reference' }), v.description(description));

export const PagingSchema = v.pipe(
  v.strictObject({
    cursors: CursorsSchema,
    next: v.optional(
      link("This API's own URL of the next page: PUBLIC_BASE_URL, else API Gateway's domain and stage."),
    ),
    previous: v.optional(link('Likewise, the previous page.')),
  }),
  v.description(
    "Graph's paging shape. `next` is absent on the last page and `previous` on the first; both repeat the query in normalized form with a cursor.",
  ),
);
export type Paging = v.InferOutput<typeof PagingSchema>;

export const GraphErrorDetailsSchema = v.pipe(
  v.strictObject({
    code: v.optional(graphInteger()),
    error_subcode: v.optional(graphInteger()),
    fbtrace_id: v.optional(v.pipe(v.string(), v.maxLength(1000))),
  }),
  v.description("Graph's own identifiers of the error behind this one, where Graph gave them."),
);

/** The contract's error shape: the `error` of every error answer, also stored as a failed run's `error`. */
export const ErrorBodySchema = v.pipe(
  v.strictObject({
    code: v.picklist(ERROR_CODES),
    message: v.pipe(v.string(), v.description('For people; never parse it.')),
    parameter: v.optional(
      v.pipe(
        v.string(),
        v.description('With invalid_request: the path or query parameter at fault, when one is.'),
      ),
    ),
    retry_after_seconds: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(1),
        v.description('With rate_limited: seconds to wait, as in Retry-After.'),
      ),
    ),
    retry_at: v.optional(describedInstant('With rate_limited: when the page may be asked again.')),
    graph: v.optional(GraphErrorDetailsSchema),
  }),
  v.description("This API's error shape. It never carries a token or a secret."),
);
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;

/** Every error answer of this API: `{"error": ErrorBody}`. */
export const ErrorAnswerSchema = v.pipe(
  v.strictObject({ error: ErrorBodySchema }),
  v.description('Every error this API answers: JSON, never an HTML page or a stack trace.'),
);
export type ErrorAnswer = v.InferOutput<typeof ErrorAnswerSchema>;
