import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { redactDeep, redactSecrets } from './redaction.js';

/** The logging the product does: structured lines with extra keys. */
export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/**
 * JSON lines on stdout through Powertools' Logger, as CloudWatch Logs and the local runtime want, with
 * every loaded secret scrubbed from the message and extra keys.
 */
export function createLogger(serviceName = 'page-conversations'): Logger {
  const logger = new PowertoolsLogger({ serviceName });
  const line = (message: string, extra: Record<string, unknown>) =>
    [redactSecrets(message), redactDeep(extra) as Record<string, unknown>] as const;
  return {
    info: (message, extra = {}) => logger.info(...line(message, extra)),
    warn: (message, extra = {}) => logger.warn(...line(message, extra)),
    error: (message, extra = {}) => logger.error(...line(message, extra)),
  };
}
