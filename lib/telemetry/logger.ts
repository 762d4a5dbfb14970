import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redactDeep, redactSecrets } from './redaction.js';

/** Extra keys of a log line. An `error` key may hold an Error: it is logged as name, message and stack. */
export type LogExtra = Record<string, unknown>;

/** The logging the product does: structured lines with extra keys. */
export interface Logger {
  info(message: string, extra?: LogExtra): void;
  warn(message: string, extra?: LogExtra): void;
  /** `logger.error('what failed', error)` or `logger.error('what failed', { page_id, error })`. */
  error(message: string, extra?: LogExtra | Error): void;
}

/**
 * Powertools' logger underneath, for what only Lambda has: its middy middleware
 * (`injectLambdaContext`) and `addContext(context)`, which add cold_start, function_name and the
 * request id to every line of the invocation.
 */
export interface LambdaLogger extends Logger {
  readonly powertools: PowertoolsLogger;
}

/** The service name when `POWERTOOLS_SERVICE_NAME` is unset (tests, the CLI); metrics use it too. */
export const DEFAULT_SERVICE_NAME = 'page-conversations';

/**
 * Powertools' line without what every line of a function's log group repeats and no operator reads:
 * the function's ARN, its memory size (both in Lambda's own REPORT line) and the sampling rate (always
 * 0). The X-Ray trace id only when the invocation is traced. Logs are billed per byte ingested and
 * stored: those three were a quarter of a sync run's log line.
 */
class OperatorLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, extra: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const traced = process.env._X_AMZN_TRACE_ID?.includes('Sampled=1') === true;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        xray_trace_id: traced ? attributes.xRayTraceId : undefined,
      },
    }).addAttributes(extra);
  }
}

/**
 * JSON lines on stdout through Powertools' Logger, as CloudWatch Logs and the local runtime want, with
 * every loaded secret scrubbed from the message and extra keys (an Error's message and stack included).
 * The service name is the function's `POWERTOOLS_SERVICE_NAME`, which CDK sets per function, unless a
 * caller names one.
 */
export function createLogger(serviceName?: string): LambdaLogger {
  const logger = new PowertoolsLogger({
    serviceName: serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME,
    logFormatter: new OperatorLogFormatter(),
  });
  const line = (message: string, extra: LogExtra | Error = {}) =>
    [
      redactSecrets(message),
      redactDeep(extra instanceof Error ? { error: extra } : extra) as LogExtra,
    ] as const;
  return {
    powertools: logger,
    info: (message, extra) => logger.info(...line(message, extra)),
    warn: (message, extra) => logger.warn(...line(message, extra)),
    error: (message, extra) => logger.error(...line(message, extra)),
  };
}
