import type { MetricDimensions, MetricName, ProductMetrics } from '#lib/telemetry/product-metrics.js';

/** Metrics that keep what they are told, for tests that read counts without parsing EMF. */
export function recordingMetrics(): ProductMetrics & {
  metadata: Map<string, string>;
  /** The sum of `name`, over every dimension set, or over those matching `dimensions`. */
  total(name: MetricName, dimensions?: MetricDimensions): number;
} {
  const counts: Array<{ name: MetricName; value: number; dimensions: MetricDimensions }> = [];
  const metadata = new Map<string, string>();
  return {
    metadata,
    count: (name, value = 1, dimensions = {}) => {
      counts.push({ name, value, dimensions });
    },
    addMetadata: (key, value) => {
      metadata.set(key, value);
    },
    total: (name, dimensions = {}) =>
      counts
        .filter(
          (count) =>
            count.name === name &&
            Object.entries(dimensions).every(
              ([key, value]) => count.dimensions[key as keyof MetricDimensions] === value,
            ),
        )
        .reduce((sum, count) => sum + count.value, 0),
  };
}
