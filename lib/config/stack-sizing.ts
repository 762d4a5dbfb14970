/**
 * How the stack sizes itself from the number of Pages it is deployed for (`expectedPages`): the sync
 * workers, the webhook refresh workers, the webhook routes' throttle, and the sync queue's retention.
 * Plain arithmetic on named, sourced numbers, so that the settings' descriptions, the construct and
 * the bench compute the same values.
 */

/**
 * Seconds one steady sync run of a Page takes with realistic Graph latency: the bench round's mean
 * (4 partitions, 150-300 ms added per Graph call, 10 runs at once), `syncRunMs` in
 * test/bench/cost-inputs.ts (1,436 ms), which a test holds this to.
 */
export const MEASURED_SYNC_RUN_SECONDS = 1.436;
/**
 * The share of the interval a round's work may fill: half, so that a round finishes within its
 * interval with room for slower Graph answers, first syncs and reconciliation passes.
 */
export const TARGET_FILL = 0.5;
/** SQS's longest `DelaySeconds`: the schedule spreads a round over at most this, a deferred refresh waits at most this. */
export const SQS_MAX_DELAY_SECONDS = 900;
/**
 * Sync messages a worker takes per invocation (SQS's most for a standard queue's batch), all run at once:
 * a run waits on Graph and DynamoDB most of its time, and each Page is paced on its own account, so ten
 * runs in one invocation take about as long as one and are billed once.
 */
export const SYNC_BATCH_SIZE = 10;
/** The SQS event source's maximum concurrency range, and so the bounds of a computed worker count. */
export const MIN_WORKERS = 2;
export const MAX_WORKERS = 1000;
/** Where the schedule is a cron expression (no fixed interval), the formula assumes the default rate's. */
export const CRON_INTERVAL_SECONDS = 15 * 60;

/** Meta's webhook deliveries per Page per day (issue 20's assumption: bursty, most in working hours). */
export const WEBHOOK_DELIVERIES_PER_PAGE_PER_DAY = 60;
/** The peak hour's share over the day's mean: the webhook throttle and refresh workers take 10 times it. */
export const WEBHOOK_PEAK_FACTOR = 10;
/** The webhook routes' rate never drops below this (requests per second): the fixed limit it replaces. */
export const MIN_WEBHOOK_RATE = 20;
/**
 * API Gateway's account-level limits per Region are 10,000 requests per second and a burst of 5,000;
 * a route's throttle cannot exceed them, and its burst is twice its rate, so the rate stops at 2,500.
 */
export const MAX_WEBHOOK_RATE = 2500;
/** A route's burst (API Gateway's token bucket) over its rate. */
export const WEBHOOK_BURST_PER_RATE = 2;
/**
 * Seconds the refresh worker spends on one batch (5 refreshes run at once, each about one Graph call,
 * `refreshMs` 500 ms assumed in test/bench/cost-inputs.ts): a batch takes about one second.
 */
export const REFRESH_BATCH_SECONDS = 1;
/** Refreshes per invocation of the refresh worker, all run at once (`REFRESH_BATCH_OPTIONS`). */
export const REFRESH_BATCH_SIZE = 5;

const SECONDS_PER_DAY = 86_400;

function clampWorkers(workers: number): number {
  return Math.min(MAX_WORKERS, Math.max(MIN_WORKERS, Math.ceil(workers)));
}

/**
 * Sync workers for a round of `expectedPages` within `intervalSeconds`, each running a batch of 10 at
 * once: ⌈expectedPages × 1.436 s ÷ (interval × 0.5 × 10)⌉, within 2 to 1000.
 */
export function syncWorkersFor(expectedPages: number, intervalSeconds: number): number {
  return clampWorkers(
    (expectedPages * MEASURED_SYNC_RUN_SECONDS) / (intervalSeconds * TARGET_FILL * SYNC_BATCH_SIZE),
  );
}

/** Webhook deliveries per second at the peak: expectedPages × 60 ÷ 86,400 × 10. */
function peakDeliveriesPerSecond(expectedPages: number): number {
  return ((expectedPages * WEBHOOK_DELIVERIES_PER_PAGE_PER_DAY) / SECONDS_PER_DAY) * WEBHOOK_PEAK_FACTOR;
}

/**
 * Requests per second the webhook routes take: the peak of Meta's deliveries,
 * ⌈expectedPages × 60 ÷ 86,400 × 10⌉, at least 20 and at most 2,500. Meta redelivers what was
 * throttled, so a burst above it is late, not lost.
 */
export function webhookRateFor(expectedPages: number): number {
  return Math.min(
    MAX_WEBHOOK_RATE,
    Math.max(MIN_WEBHOOK_RATE, Math.ceil(peakDeliveriesPerSecond(expectedPages))),
  );
}

/**
 * Refresh workers for the peak of Meta's deliveries: ⌈peak ÷ 5 per batch × 1 s⌉, within 2 to 1000 (the
 * peak factor is the headroom: a burst above it waits in the queue). The stack takes the larger of this
 * and the sync workers.
 */
export function refreshWorkersFor(expectedPages: number): number {
  return clampWorkers((peakDeliveriesPerSecond(expectedPages) / REFRESH_BATCH_SIZE) * REFRESH_BATCH_SECONDS);
}
