import type { Config } from '../config/config.js';
import type { ChangeEventSink } from '../domain/change-event.js';
import { createChangeEventSink } from '../events/change-event-sink.js';
import { createServices, type Infrastructure, type Services } from '../runtime/services.js';
import { syncPage } from '../sync/page-run.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { FileSink } from './file-sink.js';
import { InProcessSyncRunner } from './in-process-sync-runner.js';

export interface LocalServices extends Services {
  /** Runs the syncs `POST /sync` and the local schedule start, in this process. */
  runner: InProcessSyncRunner;
}

/**
 * The services as `npm start` and the tests run them: the shared composition (lib/runtime/services.ts)
 * with this process's stand-ins for what AWS does elsewhere: syncs run in process (the queue and its
 * workers in AWS). Lambda builds them with `createAwsServices`, which knows none of this file.
 */
export function createLocalServices(infrastructure: Omit<Infrastructure, 'starter'>): LocalServices {
  const logger = infrastructure.logger ?? createLogger();
  let runner: InProcessSyncRunner | undefined;
  const services = createServices({
    ...infrastructure,
    logger,
    starter: (sync) => {
      runner = new InProcessSyncRunner((pageId, options) => syncPage(sync, pageId, options), logger);
      return runner;
    },
  });
  if (runner === undefined) throw new Error('createServices made no sync starter.');
  return { ...services, runner };
}

/**
 * Where `npm start` sends change events: appended to `EVENTS_FILE` when set (with the bus's name, as
 * PutEvents' entries carry it), else the bus when `EVENT_BUS_NAME` is set, else the log.
 */
export function createLocalChangeEventSink(
  config: Pick<Config, 'eventsFile' | 'eventBusName'>,
  logger: Logger,
): ChangeEventSink {
  if (config.eventsFile !== undefined) return new FileSink(config.eventsFile, config.eventBusName);
  return createChangeEventSink(config, logger);
}
