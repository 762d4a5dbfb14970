import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_SERVICE_NAME } from './logger.js';
import { LEVEL_METRICS, METRICS_NAMESPACE, type MetricDimensions, type MetricName } from './metric-names.js';
import type { ProductMetrics } from './product-metrics.js';

interface CountGroup {
  dimensions: Record<string, string>;
  counts: Map<MetricName, number>;
  /** The Powertools instance that prints this group's line; kept for the container's life. */
  line: Metrics | undefined;
}

/**
 * Powertools' Metrics (CloudWatch EMF: metrics as JSON log lines, no API calls), extended with the
 * product's `count`. An EMF line gives each dimension one value, so counts are summed per dimension
 * set and each set prints its own line when the invocation publishes: a sync run that made forty
 * Graph calls prints one `GraphCalls` line per outcome, not forty. Counts without an extra dimension go
 * into Powertools' own line, beside its cold-start metric. Because it is Powertools' class, its middy
 * middleware (`logMetrics`) publishes it.
 */
export class EmfMetrics extends Metrics implements ProductMetrics {
  readonly #serviceName: string;
  readonly #groups = new Map<string, CountGroup>();
  readonly #metadata = new Map<string, string>();

  constructor(serviceName: string = process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME) {
    super({ namespace: METRICS_NAMESPACE, serviceName });
    this.#serviceName = serviceName;
  }

  /**
   * A count of 0 prints nothing: every product metric is a sum, its alarms fire above a threshold and
   * take missing data as not breaching, so a zero says nothing a missing point does not, and costs an
   * EMF line (a quiet sync run printed one for ConversationsChanged 0 and SkippedItems 0). A level
   * (`LEVEL_METRICS`) prints its 0: that the problem is gone.
   */
  count(name: MetricName, value = 1, dimensions: MetricDimensions = {}): void {
    if (value === 0 && !LEVEL_METRICS.has(name)) return;
    const defined = Object.entries(dimensions)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    const key = JSON.stringify(defined);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { dimensions: Object.fromEntries(defined), counts: new Map(), line: undefined };
      this.#groups.set(key, group);
    }
    group.counts.set(name, (group.counts.get(name) ?? 0) + value);
  }

  override addMetadata(key: string, value: string): this {
    this.#metadata.set(key, value);
    return super.addMetadata(key, value);
  }

  /** Prints this invocation's lines and forgets its counts and metadata; prints nothing when none. */
  override publishStoredMetrics(): this {
    for (const group of this.#groups.values()) {
      if (group.counts.size === 0) continue;
      if (Object.keys(group.dimensions).length === 0) {
        for (const [name, value] of group.counts) this.addMetric(name, MetricUnit.Count, value);
      } else {
        group.line ??= new Metrics({
          namespace: METRICS_NAMESPACE,
          serviceName: this.#serviceName,
          defaultDimensions: group.dimensions,
        });
        for (const [key, value] of this.#metadata) group.line.addMetadata(key, value);
        for (const [name, value] of group.counts) group.line.addMetric(name, MetricUnit.Count, value);
        group.line.publishStoredMetrics();
      }
      group.counts.clear();
    }
    this.#metadata.clear();
    if (!this.hasStoredMetrics()) {
      // Powertools warns on every empty publish: a health check would log a warning each time.
      this.clearMetadata();
      this.clearDimensions();
      return this;
    }
    return super.publishStoredMetrics();
  }
}

/** The Lambda functions' metrics: namespace `PageConversations`, service `POWERTOOLS_SERVICE_NAME`. */
export function createMetrics(serviceName?: string): EmfMetrics {
  return new EmfMetrics(serviceName);
}
