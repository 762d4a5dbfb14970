import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Reading and writing DynamoDB's typed attributes by hand: the items here are small and flat, and the
 * document client's marshalling library would add to every function's cold start for no gain.
 */
export type Item = Record<string, AttributeValue>;

export const stringAttribute = (value: string): AttributeValue => ({ S: value });
export const numberAttribute = (value: number): AttributeValue => ({ N: String(value) });

export function readString(item: Item | undefined, name: string): string | undefined {
  const value = item?.[name];
  return value !== undefined && 'S' in value ? value.S : undefined;
}

export function readNumber(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name];
  return value !== undefined && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
}

/** Epoch seconds, the unit of DynamoDB's TTL attribute. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Whether an item with a TTL attribute has expired: DynamoDB deletes such items only eventually. */
export function isExpired(item: Item, ttlAttribute: string, now: Date): boolean {
  const expiresAt = readNumber(item, ttlAttribute);
  return expiresAt !== undefined && expiresAt <= epochSeconds(now);
}

/** Whether an SDK error is a failed condition: the expected outcome of a guarded write. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
