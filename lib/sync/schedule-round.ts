import type { PageRegistry } from '../store/page-registry.js';
import { METRIC_NAMES } from '../telemetry/metric-names.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';

export interface ScheduleRoundDependencies {
  registry: Pick<PageRegistry, 'roster'>;
  /** Puts one sync message per Page (the SQS queue in AWS); answers how many were sent. */
  enqueue: (pageIds: readonly string[]) => Promise<number>;
  metrics: ProductMetrics;
}

/**
 * One round of the schedule: every registered Page enqueued, from one walk of the registry that also
 * counts the Pages whose webhook subscription was last found `not_subscribed`. That count is the
 * `PagesNotSubscribed` level its alarm reads: the schedule already reads every registry item each
 * round, so the level costs no read of its own, and it stays right at 100,000 Pages, where counting
 * changes as the daily checks happen would drift with every lost or repeated write.
 */
export async function scheduleRound(
  deps: ScheduleRoundDependencies,
): Promise<{ pages: number; notSubscribed: number }> {
  const { pageIds, notSubscribed } = await deps.registry.roster();
  const pages = await deps.enqueue(pageIds);
  deps.metrics.count(METRIC_NAMES.pagesScheduled, pages);
  deps.metrics.count(METRIC_NAMES.pagesNotSubscribed, notSubscribed);
  return { pages, notSubscribed };
}
