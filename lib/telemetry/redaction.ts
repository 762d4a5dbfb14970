/**
 * Every secret this process has loaded, so that the logger can scrub them from whatever it is asked to
 * print: an SDK error, a Graph message or a bug's message could quote one, and logs are read by people
 * who must never see a Page token. Module-level on purpose: one set per container.
 */
const secrets = new Set<string>();

/** Shorter values are not tokens, and scrubbing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** Scrubs every string inside a log line's extra keys. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value instanceof Error) {
    const described: Record<string, string> = { name: value.name, message: redactSecrets(value.message) };
    if (value.stack !== undefined) described.stack = redactSecrets(value.stack);
    return described;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactDeep(inner)]));
  }
  return value;
}
