import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

/** The logging the product does: structured lines with extra keys. */
export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** JSON lines on stdout through Powertools' Logger, as CloudWatch Logs and the local runtime want. */
export function createLogger(serviceName = 'page-conversations'): Logger {
  const logger = new PowertoolsLogger({ serviceName });
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
}
