/**
 * What an UpdateItem does to an item, so that the bench's meter knows "the item after" (write units
 * are billed on the larger of before and after). Models the forms this product writes, on top-level
 * attributes: `SET a = :v, #b = if_not_exists(#b, :zero) + :one`, `REMOVE c, d`, `ADD #n :delta`.
 * Anything else (nested paths, list functions, DELETE) returns undefined and is billed from
 * dynalite's own ConsumedCapacity instead.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

const CLAUSE = /^(SET|REMOVE|ADD)\s+/i;
const PATH = /^[#\w]+$/;

/** Splits on commas outside parentheses: `if_not_exists(a, b)` is one element. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** The clauses in order, each with its verb: keywords are found only outside parentheses. */
function clauses(expression: string): Array<{ verb: string; body: string }> | undefined {
  const words = expression.trim().split(/\s+(?=(?:SET|REMOVE|ADD|DELETE)\s)/i);
  const result: Array<{ verb: string; body: string }> = [];
  for (const word of words) {
    const verb = CLAUSE.exec(word)?.[1]?.toUpperCase();
    if (verb === undefined) return undefined;
    result.push({ verb, body: word.replace(CLAUSE, '') });
  }
  return result;
}

const numberOf = (value: AttributeValue | undefined) =>
  value?.N === undefined ? undefined : Number(value.N);

export function applyUpdate(
  base: Item,
  expression: string,
  names: Record<string, string> = {},
  values: Item = {},
): Item | undefined {
  const item: Item = { ...base };
  // Every operand reads the item as it was before this update, as DynamoDB evaluates it.
  const before: Item = { ...base };
  const nameOf = (path: string) =>
    PATH.test(path) ? (path.startsWith('#') ? names[path] : path) : undefined;
  const operand = (text: string): AttributeValue | undefined => {
    const trimmed = text.trim();
    if (trimmed.startsWith(':')) return values[trimmed];
    const call = /^if_not_exists\s*\((.*)\)$/is.exec(trimmed);
    if (call?.[1] !== undefined) {
      const [path, fallback, extra] = splitTopLevel(call[1], ',');
      if (path === undefined || fallback === undefined || extra !== undefined) return undefined;
      const name = nameOf(path);
      if (name === undefined) return undefined;
      return before[name] ?? evaluate(fallback);
    }
    const name = nameOf(trimmed);
    return name === undefined ? undefined : before[name];
  };
  const evaluate = (text: string): AttributeValue | undefined => {
    const match = /^(.+?)\s*([+-])\s*([^()+-]+)$/s.exec(text.trim());
    if (match === null) return operand(text);
    const [, left = '', sign, right = ''] = match;
    const a = numberOf(evaluate(left));
    const b = numberOf(operand(right));
    if (a === undefined || b === undefined) return undefined;
    return { N: String(sign === '+' ? a + b : a - b) };
  };

  const parsed = clauses(expression);
  if (parsed === undefined) return undefined;
  for (const { verb, body } of parsed) {
    for (const part of splitTopLevel(body, ',')) {
      if (verb === 'REMOVE') {
        const name = nameOf(part);
        if (name === undefined) return undefined;
        delete item[name];
        continue;
      }
      if (verb === 'ADD') {
        const [path, value, extra] = part.split(/\s+/);
        const name = path === undefined ? undefined : nameOf(path);
        const delta = numberOf(value === undefined ? undefined : values[value]);
        if (name === undefined || delta === undefined || extra !== undefined) return undefined;
        item[name] = { N: String((numberOf(before[name]) ?? 0) + delta) };
        continue;
      }
      const equals = part.indexOf('=');
      const name = equals < 0 ? undefined : nameOf(part.slice(0, equals).trim());
      const value = equals < 0 ? undefined : evaluate(part.slice(equals + 1));
      if (name === undefined || value === undefined) return undefined;
      item[name] = value;
    }
  }
  return item;
}
