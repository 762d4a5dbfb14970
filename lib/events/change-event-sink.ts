import type { ChangeEventSink } from '../domain/change-event.js';
import type { Logger } from '../telemetry/logger.js';
import { EventBridgeSink } from './eventbridge-sink.js';
import { LogSink } from './log-sink.js';

export interface ChangeEventSettings {
  /** `EVENT_BUS_NAME`: the bus events go to. */
  readonly eventBusName?: string | undefined;
}

/**
 * The sink the settings name: the bus when `EVENT_BUS_NAME` is set, else the log. The local runtime's
 * file (`EVENTS_FILE`) is its own choice (lib/local/local-services.ts), kept out of the Lambda bundles.
 */
export function createChangeEventSink(settings: ChangeEventSettings, logger: Logger): ChangeEventSink {
  if (settings.eventBusName !== undefined)
    return new EventBridgeSink({ eventBusName: settings.eventBusName });
  return new LogSink(logger);
}
