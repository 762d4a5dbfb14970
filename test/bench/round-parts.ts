/**
 * The round bench's parts that talk to processes and items rather than to the product: the schedule
 * function run in a child process, and what the registry's items weigh.
 */
import { spawn } from 'node:child_process';
import { BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { forEachLimited } from '#lib/domain/concurrency.js';
import { keys } from '#lib/store/keys.js';
import type { PageRegistry } from '#lib/store/page-registry.js';
import { ROOT } from './bundles.js';
import { itemSize } from './dynamo-meter.js';
import type { BenchEnvironment } from './environment.js';
import type { SqsStandIn } from './sqs-stand-in.js';

export interface ScheduleRun {
  pages: number;
  importMs: number;
  handlerMs: number;
  /** CPU time of the invocation (user + system). */
  handlerCpuMs: number;
  rssAfterImport: number;
  heapAfterImport: number;
  peakRss: number;
  peakHeap: number;
  /** From the SQS stand-in. */
  requests: number;
  maxInFlight: number;
}

const CHILD = 'test/bench/round-schedule-child.ts';
const RESULT_PREFIX = 'ROUND-SCHEDULE ';

/**
 * `functions/sync-schedule.ts` in a process of its own, configured by environment as CDK configures
 * it, with the SDK's SQS endpoint pointed at the stand-in.
 */
export async function runScheduleChild(env: BenchEnvironment, sqs: SqsStandIn): Promise<ScheduleRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_OPTIONS: process.env.NODE_OPTIONS,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHROUND',
      AWS_SECRET_ACCESS_KEY: 'bench-round-not-a-secret',
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: env.tableName,
      DYNAMODB_ENDPOINT: env.dynamo.endpoint,
      SYNC_QUEUE_URL: `${sqs.url}/111122223333/page-conversations-sync`,
      POWERTOOLS_SERVICE_NAME: 'page-conversations-sync-schedule',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
  if (code !== 0 || line === undefined) {
    throw new Error(`the schedule child failed (${code}): ${(stderr || stdout).slice(-2_000)}`);
  }
  const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as Omit<
    ScheduleRun,
    'requests' | 'maxInFlight'
  >;
  return { ...result, requests: sqs.record.requests, maxInFlight: sqs.record.maxInFlight };
}

/**
 * One registry item's size, and what listing them costs in read units: a Query reads whole items (a
 * projection cuts the answer, not the bill), 4 KB a unit, half for an eventually consistent read.
 */
export async function registryFootprint(env: BenchEnvironment, pageId: string, pages: number) {
  const output = await env.dynamo.client.send(
    new GetItemCommand({ TableName: env.tableName, Key: marshall(keys.registeredPage(pageId)) }),
  );
  const itemBytes = output.Item === undefined ? 0 : itemSize(output.Item);
  const units = (items: number) => Math.ceil((items * itemBytes) / 4096) / 2;
  return { itemBytes, listingReadUnits: units(pages), answerReadUnits: units(101) };
}

/**
 * Registers the first Page through the product's `register` and writes the others as copies of its
 * item under their own keys, 25 to a BatchWriteItem: the registry's format stays the product's, and
 * 100,000 Pages take a minute instead of half an hour of one-by-one registrations on dynalite.
 */
export async function seedRegistry(
  env: BenchEnvironment,
  registry: PageRegistry,
  pageIds: readonly string[],
  onProgress: (done: number) => void,
): Promise<void> {
  const [first, ...rest] = pageIds;
  if (first === undefined) return;
  await registry.register({ pageId: first, token: { kind: 'page-secret' } });
  const output = await env.dynamo.client.send(
    new GetItemCommand({ TableName: env.tableName, Key: marshall(keys.registeredPage(first)) }),
  );
  const template = output.Item;
  if (template === undefined) throw new Error('the registered Page was not found');
  const batches: string[][] = [];
  for (let start = 0; start < rest.length; start += 25) batches.push(rest.slice(start, start + 25));
  let done = 1;
  await forEachLimited(batches, 4, async (batch) => {
    let requests = batch.map((pageId) => ({
      PutRequest: { Item: { ...template, ...marshall(keys.registeredPage(pageId)), page_id: { S: pageId } } },
    }));
    while (requests.length > 0) {
      const answer = await env.dynamo.client.send(
        new BatchWriteItemCommand({ RequestItems: { [env.tableName]: requests } }),
      );
      requests = (answer.UnprocessedItems?.[env.tableName] ?? []) as typeof requests;
    }
    done += batch.length;
    onProgress(done);
  });
}
