import type { Config } from '../config/config.js';
import type { LogExtra, Logger } from '../telemetry/logger.js';
import { redactDeep, redactSecrets } from '../telemetry/redaction.js';

/**
 * How much `npm start` prints, from `LOG_LEVEL` (its values and default are the setting's, in
 * lib/config/settings.ts): `debug` and `info` print every line, `silent` none.
 */
export type LogLevel = Config['logLevel'];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * The local runtime's logger: one short human-readable line per event on stderr (`12:00:01 sync
 * round pages=3 outcomes={"complete":3}`), scrubbed like the Lambda logger, so that the start-up
 * "Try:" block on stdout stays readable. Lambda keeps Powertools' JSON lines.
 */
export function createConsoleLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const line = (lineLevel: LogLevel, message: string, extra: LogExtra | Error = {}) => {
    if (RANK[lineLevel] < RANK[level]) return;
    const fields = redactDeep(extra instanceof Error ? { error: extra } : extra) as LogExtra;
    const time = new Date().toISOString().slice(11, 19);
    const tag = lineLevel === 'info' ? '' : ` ${lineLevel.toUpperCase()}`;
    const details = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    write(`${time}${tag} ${redactSecrets(message)}${details === '' ? '' : ` ${details}`}`);
  };
  return {
    info: (message, extra) => line('info', message, extra),
    warn: (message, extra) => line('warn', message, extra),
    error: (message, extra) => line('error', message, extra),
  };
}
