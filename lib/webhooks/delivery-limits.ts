/**
 * What one webhook request may cost this deployment, whoever sent it. Meta's real deliveries are far
 * below both limits (a few KB, a handful of people); the limits bound what a leaked secret or a flood
 * can make the receiver buffer and enqueue.
 */

/**
 * The largest body the receiver takes: 1 MiB. A larger one is `413 payload_too_large`, before its
 * signature is checked (API Gateway's own limit, 10 MB, is what the HTTP API lets through).
 */
export const MAX_DELIVERY_BYTES = 1_048_576;

/**
 * The most distinct (account, person) pairs taken from one delivery: 1,000 refreshes at most per
 * request. The rest is counted (`WebhookTargetsDropped`) and left to the scheduled sync: the one
 * deliberate drop.
 */
export const MAX_TARGETS_PER_DELIVERY = 1_000;

/**
 * How far ahead of our clock Meta's `timestamp` of an event may be and still be trusted: the same 5
 * minutes as Graph's times in the sync (`FUTURE_TOLERANCE_SECONDS`). A later one is ignored: a year-9999
 * timestamp would otherwise mark every later event of that person as already covered.
 */
export const EVENT_TIME_TOLERANCE_MS = 5 * 60_000;
