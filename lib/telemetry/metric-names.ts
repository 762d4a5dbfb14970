/**
 * The product's CloudWatch metrics, by name: the functions publish them (CloudWatch EMF lines, see
 * `metrics.ts`) and the stack's dashboard and alarms read them, so they are constants that CDK imports
 * rather than strings written twice. It imports only the Graph error table (which imports nothing at
 * run time), so that the CDK app can read it without loading Powertools.
 *
 * Every metric is a count (unit `Count`, statistic `Sum`; a level of `LEVEL_METRICS` is read by its
 * `Maximum`) in `METRICS_NAMESPACE` and carries the
 * dimension `service` (the function's `POWERTOOLS_SERVICE_NAME`), plus at most the one dimension named
 * beside it below, whose values are listed here too. Dimensions stay few and closed: a dimension value
 * is a metric of its own ($0.30 a month each), so a Page id is never one; it rides in the EMF line as
 * a property (`page_id`) that Logs Insights can search.
 */

import { graphCodeMetricValue, graphCodeMetricValues, graphCodeRule } from '../domain/graph-error-table.js';

export const METRICS_NAMESPACE = 'PageConversations';

export const METRIC_NAMES = {
  /** Each HTTP request to Graph, retries included, by `Outcome`: `ok` or `error`. */
  graphCalls: 'GraphCalls',
  /** Each failed request to Graph, by `GraphCode` (see `GRAPH_CODE_VALUES`). */
  graphErrors: 'GraphErrors',
  /** Each repeated request after a transient Graph failure. */
  graphRetries: 'GraphRetries',
  /**
   * Each throttle, by `Source`: `graph` (Graph refused with a rate-limit code: a 429 to a caller),
   * `usage` (Graph's usage header reached 100%, so the Page is backed off) or `backoff` (a call refused
   * without reaching Graph because the Page is backed off: also a 429 to a caller).
   */
  throttles: 'Throttles',
  /** Each sync run of a Page, by `Outcome`: `SYNC_RUN_OUTCOMES`. */
  syncRuns: 'SyncRuns',
  /** Conversations the index gained or changed, by the sync or by a webhook's refresh. */
  conversationsChanged: 'ConversationsChanged',
  /** Items Graph sent that the sync could not index (no valid id or time). */
  skippedItems: 'SkippedItems',
  /** Each webhook POST, by `Outcome`: `WEBHOOK_DELIVERY_OUTCOMES`. */
  webhookDeliveries: 'WebhookDeliveries',
  /** Each refresh a webhook asked for, by `Outcome`: `WEBHOOK_REFRESH_OUTCOMES`. */
  webhookRefreshes: 'WebhookRefreshes',
  /**
   * Each request to the webhook receiver it refused (`GET` or `POST`, `403` or `413`), by `Reason`:
   * `WEBHOOK_REFUSAL_REASONS`. The one count an alarm on refused webhook requests reads; a POST with a
   * bad signature is also counted in `WebhookDeliveries` (`invalid_signature`), as before.
   */
  webhookRefused: 'WebhookRefused',
  /**
   * (account, person) pairs named by one delivery past the first `MAX_TARGETS_PER_DELIVERY` (1,000):
   * counted and left to the scheduled sync, the one deliberate drop.
   */
  webhookTargetsDropped: 'WebhookTargetsDropped',
  /**
   * Each time a Page's token is marked invalid (Graph rejected it after one re-read of the secret). A
   * count of markings, not of invalid Pages: EMF has no gauge that holds a level between runs.
   */
  tokensMarkedInvalid: 'TokensMarkedInvalid',
  /** Each request refused with `invalid_cursor` (unknown, foreign, tampered or expired). */
  cursorMisses: 'CursorMisses',
  /** Each `503 unavailable` answer: DynamoDB or Secrets Manager did not answer in time. */
  storeUnavailable: 'StoreUnavailable',
  /** Change events the sink delivered (EventBridge in AWS). */
  changeEventsEmitted: 'ChangeEventsEmitted',
  /** Change events the sink could not deliver: they stay pending and go out with a later run. */
  changeEventsFailed: 'ChangeEventsFailed',
  /** Pages the schedule enqueued for a sync, per round. */
  pagesScheduled: 'PagesScheduled',
  /**
   * A level, not a count (read its `Maximum`; see `LEVEL_METRICS`): the registered Pages whose last
   * webhook subscription check found them `not_subscribed`, as the schedule reads the registry each
   * round. Printed every round, 0 included, so that its alarm sees it fall back.
   */
  pagesNotSubscribed: 'PagesNotSubscribed',
  /** Powertools' own: one per cold start, with the dimension `function_name` instead of the others. */
  coldStart: 'ColdStart',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/**
 * The metrics that are levels: one value per invocation, read by `Maximum`, and printed even when 0
 * (a count of 0 says nothing a missing point does not; a level of 0 says the problem is gone).
 */
export const LEVEL_METRICS: ReadonlySet<MetricName> = new Set([METRIC_NAMES.pagesNotSubscribed]);

/** The one extra dimension a metric may carry, by name. */
export const METRIC_DIMENSIONS = {
  outcome: 'Outcome',
  graphCode: 'GraphCode',
  source: 'Source',
  reason: 'Reason',
} as const;

export type MetricDimensionName = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];
export type MetricDimensions = Partial<Record<MetricDimensionName, string>>;

export const GRAPH_CALL_OUTCOMES = ['ok', 'error'] as const;
export const THROTTLE_SOURCES = ['graph', 'usage', 'backoff'] as const;
/**
 * A run's outcome as the sync state records it; `busy`: another run held the Page's lease; `crashed`:
 * our own fault (DynamoDB, a lost lease) stopped it unrecorded, and the queue delivers it again.
 */
export const SYNC_RUN_OUTCOMES = ['complete', 'partial', 'skipped', 'failed', 'busy', 'crashed'] as const;
export const WEBHOOK_DELIVERY_OUTCOMES = ['accepted', 'invalid_signature', 'invalid_body'] as const;
/**
 * Why the receiver refused a request: `secret_not_set` (the app secret is empty or still the stack's
 * placeholder: every request is refused), `invalid_signature` (a POST whose X-Hub-Signature-256 is
 * missing or wrong), `invalid_verify_token` (a handshake that is not ours), `payload_too_large` (a
 * body over 1 MB).
 */
export const WEBHOOK_REFUSAL_REASONS = [
  'secret_not_set',
  'invalid_signature',
  'invalid_verify_token',
  'payload_too_large',
] as const;
export type WebhookRefusalReason = (typeof WEBHOOK_REFUSAL_REASONS)[number];
/** `refresh.ts`'s outcomes, and `error`: our own fault (DynamoDB), delivered again by the queue. */
export const WEBHOOK_REFRESH_OUTCOMES = [
  'refreshed',
  'ignored',
  'covered',
  'deferred',
  'failed',
  'error',
] as const;

/**
 * Every `GraphCode` value: one per code or range of the Graph error table (`GRAPH_CODES` in
 * `lib/domain/graph-error-table.ts`: each code as itself, `200-299` for that range), `other` (a code
 * the table does not name) and `none` (no Graph error code: connection, timeout, a body without
 * Graph's error envelope).
 */
export const GRAPH_CODE_VALUES: readonly string[] = [...graphCodeMetricValues(), 'other', 'none'];

/** The `GraphCode` dimension of a failed Graph request: a closed set, whatever Graph sends. */
export function graphCodeDimension(code: number | undefined): string {
  if (code === undefined) return 'none';
  const rule = graphCodeRule(code);
  return rule === undefined ? 'other' : graphCodeMetricValue(rule, code);
}
