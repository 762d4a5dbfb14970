import type { MetricDimensions, MetricName } from './metric-names.js';

export type { MetricDimensions, MetricName } from './metric-names.js';

/**
 * The counting the product does, handed to services like any collaborator: CloudWatch EMF in Lambda
 * (`metrics.ts`), nothing by default (the local runtime, most tests), a recording one in tests about
 * metrics. Apart from `metrics.ts` so that lib/ code importing it does not load Powertools.
 */
export interface ProductMetrics {
  /**
   * Adds `value` (default 1) to a count; `dimensions` from `METRIC_DIMENSIONS`, closed value sets only.
   * A level (`LEVEL_METRICS`) is given once per invocation, as its value.
   */
  count(name: MetricName, value?: number, dimensions?: MetricDimensions): void;
  /**
   * A property of this invocation's metric lines, searchable in Logs Insights but not a dimension
   * (`page_id`: a dimension would make a metric per Page).
   */
  addMetadata(key: string, value: string): void;
}

/** Counts nothing: what services use unless given metrics, so that every constructor keeps working. */
export const NO_METRICS: ProductMetrics = Object.freeze({
  count: () => undefined,
  addMetadata: () => undefined,
});
