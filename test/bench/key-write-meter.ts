/**
 * Writes per partition key per second, through a middleware on the DynamoDB client's own stack: what
 * DynamoDB throttles when one key takes more than its partition's 1,000 write units a second. Counts
 * every write sent (a failed conditional write is billed too), table keys only (the global indexes'
 * keys are per conversation folder, never shared between Pages).
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from '#lib/store/table-schema.js';

type Item = Record<string, AttributeValue>;

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

export interface HottestKey {
  key: string;
  /** The most writes it took within one wall-clock second. */
  perSecond: number;
  total: number;
}

export class KeyWriteMeter {
  /** Per key: its writes in each second it was written. */
  private bySecond = new Map<string, Map<number, number>>();
  private totals = new Map<string, number>();
  private enabled = false;

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.enabled) {
          const command = context.commandName ?? '';
          const input = args.input as { Key?: Item; Item?: Item; RequestItems?: Record<string, unknown[]> };
          if (WRITES.has(command)) this.count(input.Key ?? input.Item);
          if (command === 'BatchWriteItemCommand') {
            for (const requests of Object.values(input.RequestItems ?? {})) {
              for (const request of requests as Array<{
                PutRequest?: { Item: Item };
                DeleteRequest?: { Key: Item };
              }>)
                this.count(request.PutRequest?.Item ?? request.DeleteRequest?.Key);
            }
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchKeyWriteMeter' },
    );
  }

  /** Starts counting afresh (seeding the table is not the round). */
  start(): void {
    this.bySecond = new Map();
    this.totals = new Map();
    this.enabled = true;
  }

  stop(): void {
    this.enabled = false;
  }

  /** Writes per key over the whole measurement. */
  totalsByKey(): ReadonlyMap<string, number> {
    return this.totals;
  }

  /** The keys that took the most writes within one second, most first. */
  hottest(limit = 3): HottestKey[] {
    return [...this.bySecond]
      .map(([key, seconds]) => ({
        key,
        perSecond: Math.max(...seconds.values()),
        total: this.totals.get(key) ?? 0,
      }))
      .sort((a, b) => b.perSecond - a.perSecond || b.total - a.total)
      .slice(0, limit);
  }

  private count(item: Item | undefined): void {
    const key = item?.[TABLE_KEYS.partitionKey]?.S;
    if (key === undefined) return;
    const second = Math.floor(Date.now() / 1000);
    let seconds = this.bySecond.get(key);
    if (seconds === undefined) {
      seconds = new Map();
      this.bySecond.set(key, seconds);
    }
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
    this.totals.set(key, (this.totals.get(key) ?? 0) + 1);
  }
}
