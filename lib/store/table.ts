import { setTimeout as delay } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableKey } from './keys.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The one table, as every store uses it: keys from `keys.ts`, records in and out as plain objects
 * (the SDK's `marshall`/`unmarshall`), and a failed condition answered once, here, as `applied: false`
 * rather than an exception each store catches. Items are flat: strings and numbers.
 */

/**
 * A value a record or an expression holds; an `undefined` one is left out of the item. A list of
 * strings is for `list_append` (the index's pending changes, in write order).
 */
export type Value = string | number | readonly string[] | undefined;
/** Expression values by placeholder: `{ ':now': 1700000000000 }`. */
export type Values = Record<`:${string}`, Value>;

/** A record read back: any attribute may be missing (written by an older version, or never set). */
export type Stored<T> = Partial<T>;

/** Items with a TTL attribute carry it as epoch seconds. */
export type Expiring = Partial<Record<typeof TABLE_KEYS.timeToLive, number>>;

export interface Expressions {
  /** Placeholders for attribute names that are reserved words or declared elsewhere: `{ '#rev': 'rev' }`. */
  names?: Record<`#${string}`, string>;
  values?: Values;
}

export interface Guarded extends Expressions {
  /** A ConditionExpression: when it does not hold, nothing is written and the answer is `applied: false`. */
  condition?: string;
}

export interface Update extends Guarded {
  /** An UpdateExpression. */
  update: string;
  /** The item as it was (`ALL_OLD`) or became (`ALL_NEW`), when the write applied. */
  returns?: 'ALL_OLD' | 'ALL_NEW';
}

/** What a write did: `applied` false when its condition did not hold; `record` as `returns` asked. */
export interface Written<T> {
  applied: boolean;
  record: Stored<T> | undefined;
}

export interface Query extends Expressions {
  /** A global index, from `TABLE_KEYS`; the table itself without one. */
  index?: { indexName: string };
  keyCondition: string;
  filter?: string;
  projection?: string;
  limit?: number;
  /** Ascending order of the sort key; default true. */
  forward?: boolean;
  /** Where to resume: a key as `lastKey` gave it. */
  startKey?: Record<string, string>;
  /** A strongly consistent read (the table only: a global index has none). */
  consistent?: boolean;
}

export interface QueryResult<T> {
  records: Stored<T>[];
  /** The key of the last item read when more lie beyond it; undefined at the end. */
  lastKey: Record<string, string> | undefined;
}

/**
 * Expression names checked against the record they name: `namesOf<ConversationItem>({ '#rev': 'rev' })`
 * fails to compile when the attribute is renamed, where a string in an expression would fail at run time.
 */
export const namesOf = <T>(names: Record<`#${string}`, keyof T & string>): Record<`#${string}`, string> =>
  names;

/** BatchGetItem takes at most 100 keys, BatchWriteItem 25 items; what either leaves unprocessed is sent again, a few times. */
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const BATCH_ATTEMPTS = 5;

/** Epoch seconds, the unit of DynamoDB's TTL attribute. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Whether a record has expired: DynamoDB deletes such items only eventually, the embedded one never. */
export function isExpired(record: Expiring, now: Date): boolean {
  const expiresAt = record[TABLE_KEYS.timeToLive];
  return expiresAt !== undefined && expiresAt <= epochSeconds(now);
}

/** Whether an SDK error is a failed condition: the expected outcome of a guarded write. */
function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

const toItem = (record: object): Record<string, AttributeValue> =>
  marshall(record, { removeUndefinedValues: true });
const fromItem = <T>(item: Record<string, AttributeValue> | undefined): Stored<T> | undefined =>
  item === undefined ? undefined : (unmarshall(item) as Stored<T>);

/** The expression fields of a command; DynamoDB refuses an empty map, so an empty one is left out. */
function expressionFields({ names, values }: Expressions) {
  const marshalled = values === undefined ? undefined : toItem(values);
  return {
    ExpressionAttributeNames: names !== undefined && Object.keys(names).length > 0 ? names : undefined,
    ExpressionAttributeValues:
      marshalled !== undefined && Object.keys(marshalled).length > 0 ? marshalled : undefined,
  };
}

export class Table {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
  ) {}

  async get<T>(key: TableKey, options: { consistent?: boolean } = {}): Promise<Stored<T> | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.name,
        Key: toItem(key),
        ...(options.consistent === true ? { ConsistentRead: true } : {}),
      }),
    );
    return fromItem<T>(output.Item);
  }

  /** Writes a whole record (its key included). False when `guard`'s condition did not hold. */
  async put(record: TableKey & Record<string, Value>, guard: Guarded = {}): Promise<boolean> {
    const written = await ifConditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.name,
          Item: toItem(record),
          ConditionExpression: guard.condition,
          ...expressionFields(guard),
        }),
      ),
    );
    return written !== undefined;
  }

  async update<T>(key: TableKey, change: Update): Promise<Written<T>> {
    const output = await ifConditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.name,
          Key: toItem(key),
          UpdateExpression: change.update,
          ConditionExpression: change.condition,
          ...expressionFields(change),
          ReturnValues: change.returns,
        }),
      ),
    );
    return { applied: output !== undefined, record: fromItem<T>(output?.Attributes) };
  }

  /** Deletes an item; `returns: 'ALL_OLD'` gives it back (undefined when there was none). */
  async delete<T>(key: TableKey, guard: Guarded & { returns?: 'ALL_OLD' } = {}): Promise<Written<T>> {
    const output = await ifConditionHolds(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.name,
          Key: toItem(key),
          ConditionExpression: guard.condition,
          ...expressionFields(guard),
          ReturnValues: guard.returns,
        }),
      ),
    );
    return { applied: output !== undefined, record: fromItem<T>(output?.Attributes) };
  }

  /**
   * The items of many keys (BatchGetItem, 100 a call, strongly consistent), in no particular order;
   * keys DynamoDB left unprocessed are asked again. `projection` names the attributes wanted.
   */
  async getMany<T>(keys: readonly TableKey[], projection?: Expressions & { attributes: string }) {
    const records: Stored<T>[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
      let asked: Record<string, AttributeValue>[] = keys.slice(start, start + BATCH_GET_LIMIT).map(toItem);
      for (let attempt = 1; asked.length > 0; attempt++) {
        if (attempt > BATCH_ATTEMPTS) throw new Error('BatchGetItem left keys unprocessed.');
        // Unprocessed keys mean throttling: back off before asking again, as the SDK's retries do.
        if (attempt > 1) await delay(25 * 2 ** attempt);
        const output = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.name]: {
                Keys: asked,
                ConsistentRead: true,
                ProjectionExpression: projection?.attributes,
                ExpressionAttributeNames: projection?.names,
              },
            },
          }),
        );
        for (const item of output.Responses?.[this.name] ?? []) records.push(unmarshall(item) as Stored<T>);
        asked = output.UnprocessedKeys?.[this.name]?.Keys ?? [];
      }
    }
    return records;
  }

  /**
   * Writes whole records without conditions (BatchWriteItem, 25 a call): for records whose writing
   * twice is harmless. Items DynamoDB left unprocessed are sent again.
   */
  async putMany(records: ReadonlyArray<TableKey & Record<string, Value>>): Promise<void> {
    for (let start = 0; start < records.length; start += BATCH_WRITE_LIMIT) {
      let requests = records.slice(start, start + BATCH_WRITE_LIMIT).map((record) => ({
        PutRequest: { Item: toItem(record) },
      }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > BATCH_ATTEMPTS) throw new Error('BatchWriteItem left items unprocessed.');
        if (attempt > 1) await delay(25 * 2 ** attempt);
        const output = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.name]: requests } }),
        );
        requests = (output.UnprocessedItems?.[this.name] ?? []).flatMap((request) =>
          request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
        );
      }
    }
  }

  /** One Query call: at most `limit` records, and where to resume. */
  async query<T>(query: Query): Promise<QueryResult<T>> {
    const output = await this.client.send(new QueryCommand(this.queryInput(query)));
    return {
      records: (output.Items ?? []).map((item) => unmarshall(item) as Stored<T>),
      lastKey: output.LastEvaluatedKey === undefined ? undefined : unmarshall(output.LastEvaluatedKey),
    };
  }

  /** Every record a Query matches, one batch (one call, up to 1 MB) at a time. */
  async *batches<T>(query: Query): AsyncGenerator<Stored<T>[]> {
    let startKey = query.startKey;
    do {
      const { records, lastKey } = await this.query<T>({ ...query, startKey });
      yield records;
      startKey = lastKey;
    } while (startKey !== undefined);
  }

  /** How many items a Query matches, counted by DynamoDB (`Select: COUNT`) over as many calls as it takes. */
  async count(query: Query): Promise<number> {
    let total = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({ ...this.queryInput(query), Select: 'COUNT', ExclusiveStartKey: startKey }),
      );
      total += output.Count ?? 0;
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }

  private queryInput(query: Query): QueryCommandInput {
    return {
      TableName: this.name,
      IndexName: query.index?.indexName,
      KeyConditionExpression: query.keyCondition,
      FilterExpression: query.filter,
      ProjectionExpression: query.projection,
      ...expressionFields(query),
      ScanIndexForward: query.forward,
      ...(query.consistent === true ? { ConsistentRead: true } : {}),
      Limit: query.limit,
      ExclusiveStartKey: query.startKey === undefined ? undefined : toItem(query.startKey),
    };
  }
}

/**
 * A guarded write's result, or undefined when its condition did not hold: the one place a failed
 * condition is told apart from a failure. Every other error is thrown as it came.
 */
export async function ifConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error: unknown) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
