import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { LambdaLogger } from './logger.js';
import type { EmfMetrics } from './metrics.js';

/** One function's logger and metrics, built once per container by its entry point. */
export interface LambdaTelemetry {
  logger: LambdaLogger;
  metrics: EmfMetrics;
}

/**
 * Powertools' middy middlewares for an HTTP function: the Lambda context on every log line (cold start,
 * function name, request id) and the metrics published once per invocation, with a cold-start count.
 * Used outermost, so that they publish after the edge middleware has made the answer and its counts.
 */
export function telemetryMiddlewares({ logger, metrics }: LambdaTelemetry) {
  return [injectLambdaContext(logger.powertools), logMetrics(metrics, { captureColdStartMetric: true })];
}

/**
 * The same for a plain handler (SQS, schedule): context added before it runs, metrics published in a
 * `finally`, so that a failed invocation's counts are printed too.
 */
export function withTelemetry<Event, Result>(
  { logger, metrics }: LambdaTelemetry,
  handler: (event: Event, context: Context) => Promise<Result>,
): (event: Event, context: Context) => Promise<Result> {
  return async (event, context) => {
    logger.powertools.addContext(context);
    metrics.captureColdStartMetric(context.functionName);
    try {
      return await handler(event, context);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
