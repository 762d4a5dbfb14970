import type { ChangeEventSink } from '../domain/change-event.js';
import type { Logger } from '../telemetry/logger.js';
import { EventBridgeSink } from './eventbridge-sink.js';
import { FileSink } from './file-sink.js';
import { LogSink } from './log-sink.js';

export interface ChangeEventSettings {
  /** `EVENT_BUS_NAME`: in AWS, the bus events go to. */
  eventBusName?: string | undefined;
  /** `EVENTS_FILE`: locally, a file each event is appended to as one JSON line. */
  eventsFile?: string | undefined;
}

/**
 * The sink the settings name: a file when `EVENTS_FILE` is set (it then records `EventBusName` too),
 * else the bus when `EVENT_BUS_NAME` is set, else the log.
 */
export function createChangeEventSink(settings: ChangeEventSettings, logger: Logger): ChangeEventSink {
  if (settings.eventsFile !== undefined) return new FileSink(settings.eventsFile, settings.eventBusName);
  if (settings.eventBusName !== undefined)
    return new EventBridgeSink({ eventBusName: settings.eventBusName });
  return new LogSink(logger);
}
