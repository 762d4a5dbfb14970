/**
 * Counts what the product asks of DynamoDB, through a middleware on the client's own stack: reads and
 * writes by command, and the write units DynamoDB would bill. Units are computed as DynamoDB bills
 * them: ceil(KB) of the larger of the item before and after, failed conditional writes included; plus,
 * for each global secondary index (projection ALL), a put, an update, or a delete and a put when its
 * key moves.
 * dynalite's own ConsumedCapacity (table only, successful writes only) is collected to cross-check.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GLOBAL_INDEXES, TABLE_KEYS } from '#lib/store/table-schema.js';
import { applyUpdate } from './update-expression.js';

type Item = Record<string, AttributeValue>;

const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

export interface DynamoCounts {
  reads: number;
  writes: number;
  failedConditionalWrites: number;
  /** Billed write units of the table, by the item kind (the key's prefix: CONV, PAGE, CURSOR...). */
  tableUnits: Record<string, number>;
  indexUnits: number;
  /** dynalite's ConsumedCapacity over the successful writes, to compare with our table units. */
  reportedUnits: number;
  /** Our table units over the same successful writes. */
  modelledReportedUnits: number;
  /** Writes whose update expression this model cannot apply: their units come from dynalite. */
  unmodelled: number;
}

const emptyCounts = (): DynamoCounts => ({
  reads: 0,
  writes: 0,
  failedConditionalWrites: 0,
  tableUnits: {},
  indexUnits: 0,
  reportedUnits: 0,
  modelledReportedUnits: 0,
  unmodelled: 0,
});

/** DynamoDB's item size: attribute names plus values (UTF-8 strings, numbers by significant digits). */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace(/\./, '').replace(/^0+/, '').replace(/0+$/, '');
    return 1 + Math.ceil(Math.max(1, digits.length) / 2);
  }
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemSize(value.M);
  if (value.SS !== undefined) return value.SS.reduce((sum, element) => sum + Buffer.byteLength(element), 0);
  return 0;
}

const units = (item: Item | undefined) => (item === undefined ? 0 : Math.ceil(itemSize(item) / 1024));

const { partitionKey, sortKey } = TABLE_KEYS;
const keyOf = (item: Item) => `${item[partitionKey]?.S}\u0000${item[sortKey]?.S}`;
const kindOf = (item: Item) => /^[A-Z]+/.exec(item[partitionKey]?.S ?? '')?.[0] ?? 'other';

/** Write units in every global index (projection ALL: an entry is the whole item; sparse when keyless). */
function indexUnits(before: Item | undefined, after: Item | undefined): number {
  let total = 0;
  for (const index of GLOBAL_INDEXES) {
    const indexKey = (item: Item | undefined) => {
      const hash = item?.[index.partitionKey]?.S;
      const range = item?.[index.sortKey]?.S;
      return hash === undefined || range === undefined ? undefined : `${hash}\u0000${range}`;
    };
    const was = indexKey(before);
    const is = indexKey(after);
    if (was === undefined && is === undefined) continue;
    if (was === undefined) total += units(after);
    else if (is === undefined) total += units(before);
    else if (was !== is) total += units(before) + units(after);
    else if (JSON.stringify(before) !== JSON.stringify(after)) total += units(after);
  }
  return total;
}

export class DynamoMeter {
  private counts = emptyCounts();
  /** The table as the meter has seen it written: what "the item before" is. */
  private readonly shadow = new Map<string, Item>();
  /** Commands sent and not yet answered, and when the last one was sent: what teardown waits for. */
  private inFlight = 0;
  private lastSentAt = 0;

  /** `units: false` only counts commands: no shadow of the table, nothing added to the requests. */
  constructor(
    client: DynamoDBClient,
    private readonly options: { units: boolean } = { units: true },
  ) {
    this.attach(client);
  }

  /**
   * Meters one more client into the same counts and shadow: a process whose functions each build their
   * own client (the memory bench's child) is metered whole.
   */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if (READS.has(command)) this.counts.reads++;
        if (!WRITES.has(command)) return next(args);
        this.counts.writes++;
        if (!this.options.units) return next(args);
        const input = args.input as Record<string, unknown>;
        if (command === 'BatchWriteItemCommand') {
          const result = await next(args);
          this.settleBatch(input);
          return result;
        }
        const planned = this.plan(command, input);
        try {
          const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } });
          const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
          const reported = output.ConsumedCapacity?.CapacityUnits ?? 0;
          delete output.ConsumedCapacity;
          this.settle(planned, reported, true);
          return result;
        } catch (error: unknown) {
          if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
            this.counts.failedConditionalWrites++;
            this.settle(planned, 0, false);
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchDynamoMeter' },
    );
    client.middlewareStack.add(
      (next) => async (args) => {
        this.inFlight++;
        this.lastSentAt = performance.now();
        try {
          return await next(args);
        } finally {
          this.inFlight--;
        }
      },
      { step: 'initialize', priority: 'high', name: 'benchDynamoInFlight' },
    );
  }

  /**
   * Resolves once no command has been in flight for `quietMs`: a handler whose answer the caller no
   * longer waits for may still be between its Graph call and its write, and closing dynalite under
   * that write crashes the process ("Database is closed"). Gives up after `maxMs`.
   */
  async settled({ quietMs = 100, maxMs = 10_000 } = {}): Promise<void> {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline) {
      if (this.inFlight === 0 && performance.now() - this.lastSentAt >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, quietMs / 4));
    }
  }

  /** The counts since the last call, and a fresh start for the next measurement. */
  take(): DynamoCounts {
    const counts = this.counts;
    this.counts = emptyCounts();
    return counts;
  }

  private plan(command: string, input: Record<string, unknown>) {
    const key = (input.Key ?? input.Item) as Item | undefined;
    if (key === undefined) return undefined;
    const before = this.shadow.get(keyOf(key));
    let after: Item | undefined;
    if (command === 'PutItemCommand') after = input.Item as Item;
    if (command === 'UpdateItemCommand') {
      after = applyUpdate(
        before ?? key,
        String(input.UpdateExpression ?? ''),
        input.ExpressionAttributeNames as Record<string, string> | undefined,
        input.ExpressionAttributeValues as Item | undefined,
      );
      if (after === undefined) return { key, before, after: before, unmodelled: true };
    }
    return { key, before, after, unmodelled: false };
  }

  /**
   * A BatchWriteItem's puts (the changes feed's records), each billed as the PutItem it stands for; its
   * deletes are not modelled. Left out of the cross-check with dynalite, which reports the batch whole.
   */
  private settleBatch(input: Record<string, unknown>): void {
    const requests = Object.values(
      (input.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item: Item } }>>,
    );
    for (const request of requests.flat()) {
      const after = request.PutRequest?.Item;
      if (after === undefined) continue;
      const before = this.shadow.get(keyOf(after));
      const kind = kindOf(after);
      this.counts.tableUnits[kind] =
        (this.counts.tableUnits[kind] ?? 0) + Math.max(1, units(before), units(after));
      this.counts.indexUnits += indexUnits(before, after);
      this.shadow.set(keyOf(after), after);
    }
  }

  private settle(planned: ReturnType<DynamoMeter['plan']>, reported: number, succeeded: boolean): void {
    if (planned === undefined) return;
    const { key, before, after, unmodelled } = planned;
    const tableUnits = Math.max(1, units(before), units(after));
    const kind = kindOf(key);
    if (unmodelled) {
      this.counts.unmodelled++;
      this.counts.tableUnits[kind] = (this.counts.tableUnits[kind] ?? 0) + (reported || tableUnits);
      return;
    }
    this.counts.tableUnits[kind] = (this.counts.tableUnits[kind] ?? 0) + tableUnits;
    if (!succeeded) return;
    this.counts.reportedUnits += reported;
    this.counts.modelledReportedUnits += tableUnits;
    this.counts.indexUnits += indexUnits(before, after);
    if (after === undefined) this.shadow.delete(keyOf(key));
    else this.shadow.set(keyOf(key), after);
  }
}

export const totalUnits = (counts: DynamoCounts) =>
  Object.values(counts.tableUnits).reduce((sum, value) => sum + value, 0) + counts.indexUnits;
