import type { ChangeEventSink } from '../domain/change-event.js';
import { METRIC_NAMES } from './metric-names.js';
import type { ProductMetrics } from './product-metrics.js';

/**
 * A change-event sink that counts what it delivered and what it could not. Undelivered events stay
 * pending in the index and go out with a later run, so `ChangeEventsFailed` counts failed attempts,
 * not lost events.
 */
export function countChangeEvents(sink: ChangeEventSink, metrics: ProductMetrics): ChangeEventSink {
  return {
    async publish(details) {
      let undelivered: string[];
      try {
        ({ undelivered } = await sink.publish(details));
      } catch (error: unknown) {
        metrics.count(METRIC_NAMES.changeEventsFailed, details.length);
        throw error;
      }
      metrics.count(METRIC_NAMES.changeEventsEmitted, details.length - undelivered.length);
      if (undelivered.length > 0) metrics.count(METRIC_NAMES.changeEventsFailed, undelivered.length);
      return { undelivered };
    },
  };
}
