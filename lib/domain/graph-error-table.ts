import type { ErrorCode } from './errors.js';

/**
 * Graph's errors, declared once (the contract's errors table): which codes mean what, what this API
 * answers for each, how the `GraphCode` metric counts them, and the words the README and the OpenAPI
 * document say about them. The classifier (`lib/graph/graph-errors.ts`), the token-health reasons
 * (`page.ts`), the metric (`lib/telemetry/metric-names.ts`), the document
 * (`lib/http/openapi-responses.ts`) and the README's rows (`renderGraphErrorRows`, checked by a test)
 * all read it: a new Graph code is one line here. It lives in `lib/domain` so that every layer and the
 * CDK app may read it, and imports nothing at run time.
 *
 * Graph's HTTP status says little (most errors are 400, code 4 is 403, transient ones 500, never 429),
 * so a Graph error is classified on its `error.code` alone; `error_subcode` only refines a token
 * rejection into a reason.
 */

/** What a Graph error means for this API. */
export type GraphErrorClass = 'bad_request' | 'token_invalid' | 'permission' | 'rate_limit' | 'transient';

/**
 * Whether the Graph client tries a call again: `always`; `never` (a rate limit: retrying a throttled
 * Page prolongs the block, even when Graph says `is_transient`); or `if_transient` (only when Graph
 * sets `is_transient`). A code the table does not know is retried when Graph says `is_transient` or
 * answers 5xx.
 */
export type GraphRetry = 'always' | 'never' | 'if_transient';

export interface GraphErrorClassRule {
  /** This API's `error.code`. */
  readonly errorCode: ErrorCode;
  /** This API's HTTP status (the HTTP edge maps `errorCode`; a test checks that they agree). */
  readonly status: number;
  /** Whether the answer carries `Retry-After`. */
  readonly retryAfter: boolean;
  readonly retry: GraphRetry;
  /** What the codes are, in the README's and the document's words. */
  readonly words: string;
  /** What else falls in this class besides Graph's codes (Markdown), listed after them. */
  readonly besides: readonly string[];
  /** When, or what else, in the README's row: after the codes and `words`. */
  readonly afterwards?: string;
}

export const GRAPH_ERROR_CLASSES: Readonly<Record<GraphErrorClass, GraphErrorClassRule>> = {
  bad_request: {
    errorCode: 'invalid_request',
    status: 400,
    retryAfter: false,
    retry: 'if_transient',
    words: 'bad parameter or query',
    besides: [],
  },
  token_invalid: {
    errorCode: 'page_token_invalid',
    status: 502,
    retryAfter: false,
    retry: 'if_transient',
    words: 'token invalid, expired, missing',
    besides: [],
    afterwards: 'after one re-read of the secret',
  },
  permission: {
    errorCode: 'permission_denied',
    status: 403,
    retryAfter: false,
    retry: 'if_transient',
    words: 'permission, policy',
    besides: [],
  },
  rate_limit: {
    errorCode: 'rate_limited',
    status: 429,
    retryAfter: true,
    retry: 'never',
    words: "rate limits, Meta's business-use-case limits",
    besides: [],
    afterwards: 'or our own back-off',
  },
  transient: {
    errorCode: 'upstream_error',
    status: 502,
    retryAfter: false,
    retry: 'always',
    words: 'transient',
    besides: ['`is_transient`', '5xx', 'bad JSON', 'a redirect', 'a connection error'],
    afterwards: 'after retries',
  },
};

export interface GraphCodeRule {
  /** Graph's `error.code`; with `through`, the first of a range of codes. */
  readonly code: number;
  /** The last code of a range, inclusive. */
  readonly through?: number;
  readonly class: GraphErrorClass;
  /** What Graph means by it, for a reader of this table. */
  readonly graph: string;
  /**
   * A range's `GraphCode` metric value: one value named for the range (`200-299`) by default; with
   * `countEach`, each of its codes counts as itself. A single code always counts as itself.
   */
  readonly countEach?: boolean;
}

/**
 * Graph's code for a parameter it refuses, a paging cursor that no longer holds included (Meta's cursors
 * break when the conversation they point at moves or is deleted): the sync and the live route read it to
 * tell a stale cursor from a bad query.
 */
export const GRAPH_INVALID_PARAMETER = 100;

/**
 * Every Graph code the contract names, in the contract's order. A single code wins over a range that
 * holds it (230 is counted as itself, not as `200-299`). A code not here is `upstream_error`.
 */
export const GRAPH_CODES: readonly GraphCodeRule[] = [
  { code: GRAPH_INVALID_PARAMETER, class: 'bad_request', graph: 'invalid parameter' },
  { code: 2500, class: 'bad_request', graph: 'error parsing the query' },
  { code: 190, class: 'token_invalid', graph: 'invalid OAuth access token' },
  { code: 102, class: 'token_invalid', graph: 'session key invalid or expired' },
  { code: 104, class: 'token_invalid', graph: 'no access token, or a bad signature' },
  { code: 3, class: 'permission', graph: 'the app lacks the capability' },
  { code: 10, class: 'permission', graph: 'permission denied' },
  { code: 200, through: 299, class: 'permission', graph: 'a permission is missing' },
  { code: 230, class: 'permission', graph: 'the messaging permission is missing or revoked' },
  { code: 368, class: 'permission', graph: 'blocked by policy' },
  { code: 4, class: 'rate_limit', graph: "the app's rate limit" },
  { code: 17, class: 'rate_limit', graph: "the user's rate limit" },
  { code: 32, class: 'rate_limit', graph: "the Page's rate limit" },
  { code: 341, class: 'rate_limit', graph: "the app's limit" },
  { code: 613, class: 'rate_limit', graph: 'calls within an hour exceeded' },
  {
    code: 80001,
    through: 80014,
    class: 'rate_limit',
    graph: "Meta's business-use-case limits (80001 Pages, 80002 Instagram, 80006 Messenger, ...)",
    countEach: true,
  },
  { code: 1, class: 'transient', graph: 'unknown error' },
  { code: 2, class: 'transient', graph: 'service temporarily unavailable' },
];

/**
 * Why Graph rejected a token, by the `error_subcode` of a `token_invalid` answer, in the contract's
 * words (`token.error.reason` of a Page); any other subcode, or none, is `rejected`.
 */
export const TOKEN_REJECTION_REASONS: Readonly<Record<number, string>> = Object.freeze({
  458: 'app_not_installed',
  459: 'checkpointed',
  460: 'password_changed',
  463: 'expired',
  464: 'unconfirmed_user',
  467: 'invalid',
  492: 'role_removed',
});

/** The reason for a subcode that names none. */
export const OTHER_TOKEN_REJECTION = 'rejected';

const SINGLE = new Map(
  GRAPH_CODES.filter((rule) => rule.through === undefined).map((rule) => [rule.code, rule]),
);
const RANGES = GRAPH_CODES.filter((rule) => rule.through !== undefined);

/** The table's rule for a Graph code; undefined for a code the contract does not name. */
export function graphCodeRule(code: number | undefined): GraphCodeRule | undefined {
  if (code === undefined) return undefined;
  return SINGLE.get(code) ?? RANGES.find((rule) => code >= rule.code && code <= (rule.through ?? rule.code));
}

/** A rule's codes as the README and the document write them: `100`, or `200-299` for a range. */
export function graphCodeLabel(rule: GraphCodeRule): string {
  return rule.through === undefined ? String(rule.code) : `${rule.code}-${rule.through}`;
}

/** The `GraphCode` metric value of a code the table names (see `GraphCodeRule.countEach`). */
export function graphCodeMetricValue(rule: GraphCodeRule, code: number): string {
  return rule.through !== undefined && rule.countEach !== true ? graphCodeLabel(rule) : String(code);
}

/** Every `GraphCode` metric value the table yields, in the table's order. */
export function graphCodeMetricValues(): string[] {
  return GRAPH_CODES.flatMap((rule) => {
    if (rule.through === undefined || rule.countEach !== true) return [graphCodeLabel(rule)];
    return Array.from({ length: rule.through - rule.code + 1 }, (_, i) => String(rule.code + i));
  });
}

/** A class's codes in the table's order, e.g. `3, 10, 200-299, 230, 368`. */
export function graphCodeList(graphClass: GraphErrorClass): string {
  return GRAPH_CODES.filter((rule) => rule.class === graphClass)
    .map(graphCodeLabel)
    .join(', ');
}

/**
 * What falls in a class, in Markdown, as the README's rows and the document's descriptions say it:
 * `Graph 3, 10, 200-299, 230, 368 (permission, policy)`.
 */
export function graphErrorSituation(graphClass: GraphErrorClass): string {
  const rule = GRAPH_ERROR_CLASSES[graphClass];
  return `Graph ${[graphCodeList(graphClass), ...rule.besides].join(', ')} (${rule.words})`;
}

/**
 * The Graph rows of the README's errors table (columns: situation, HTTP, `error.code`), one per class;
 * a test checks that the README holds exactly these lines.
 */
export function renderGraphErrorRows(): string {
  // In the order of GRAPH_ERROR_CLASSES, which is the contract's.
  return (Object.keys(GRAPH_ERROR_CLASSES) as GraphErrorClass[])
    .map((graphClass) => {
      const rule = GRAPH_ERROR_CLASSES[graphClass];
      const situation = [graphErrorSituation(graphClass), rule.afterwards].filter(Boolean).join(', ');
      const status = rule.retryAfter ? `${rule.status} + \`Retry-After\`` : String(rule.status);
      return `| ${situation} | ${status} | \`${rule.errorCode}\` |`;
    })
    .join('\n');
}

/** The token-health reasons in Markdown: `` `app_not_installed` (458), …, else `rejected` ``. */
export function renderTokenRejectionReasons(): string {
  const named = Object.entries(TOKEN_REJECTION_REASONS).map(
    ([subcode, reason]) => `\`${reason}\` (${subcode})`,
  );
  return `${named.join(', ')}, else \`${OTHER_TOKEN_REJECTION}\``;
}
