import { InvalidCursorError, UnavailableError } from '../domain/errors.js';
import { METRIC_NAMES } from './metric-names.js';
import type { ProductMetrics } from './product-metrics.js';

/**
 * Counts the error answers operators watch, called where every error becomes an answer (the HTTP
 * edges): a cursor that no longer works (`invalid_cursor`) and our own store or secrets not
 * answering (`503 unavailable`).
 */
export function countErrorAnswer(metrics: ProductMetrics | undefined, error: unknown): void {
  if (error instanceof InvalidCursorError) metrics?.count(METRIC_NAMES.cursorMisses);
  if (error instanceof UnavailableError) metrics?.count(METRIC_NAMES.storeUnavailable);
}
