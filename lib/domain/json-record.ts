/**
 * Reading JSON we did not write ourselves, or wrote and read back (queue messages, stored details,
 * Graph's answers) as plain objects, before each field is checked by its reader.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object's fields, or none for anything else (an array, null, a string...). */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The fields of the JSON object `text` holds; undefined when it is not JSON or not an object. */
export function parseJsonRecord(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}
