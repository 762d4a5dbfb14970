import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createDynamoClient, EMBEDDED_DYNAMO_TIMEOUTS } from '../store/dynamo-client.js';
import { GLOBAL_INDEXES, TABLE_KEYS } from '../store/table-schema.js';

export interface EmbeddedDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** The table as CDK deploys it: same keys and index, from the same schema module. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = TABLE_KEYS;
  const indexKeys = GLOBAL_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey, ...indexKeys].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/** Creates the table; one that already exists (a DynamoDB Local kept between runs) is fine. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error: unknown) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

/** dynalite's options: tables ACTIVE at once (`createTableMs: 0`) instead of half a second CREATING. */
const serverOptions = (path: string | undefined) => ({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(path ? { path } : {}),
});

export interface EmbeddedDynamoOptions {
  /** A LevelDB folder; in memory when absent. */
  path?: string;
  port?: number;
  /**
   * On a thread of its own (a worker), so that its work runs on another core than the API's and the
   * sync runs': what `npm start` does. In this thread otherwise (the tests, which run files in parallel).
   */
  thread?: boolean;
  /**
   * Sign each request as the SDK signs it for AWS: for the benches, whose timed request path is the one
   * Lambda runs. Unsigned otherwise (dynalite checks the header's shape only; see `createDynamoClient`).
   */
  signed?: boolean;
}

/**
 * dynalite on a free loopback port, in memory unless given a folder, in this process: on this thread,
 * or on a worker thread of its own.
 */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const server = options.thread === true ? await startOnThread(options) : await startHere(options);
  // On this machine, maybe on this event loop: the one DynamoDB allowed the patient timeouts.
  const client = createDynamoClient({
    endpoint: server.endpoint,
    timeouts: EMBEDDED_DYNAMO_TIMEOUTS,
    unsigned: options.signed !== true,
  });
  return {
    endpoint: server.endpoint,
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

type Listening = Pick<EmbeddedDynamo, 'endpoint' | 'close'>;

async function startHere(options: EmbeddedDynamoOptions): Promise<Listening> {
  const server = dynalite(serverOptions(options.path));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/**
 * The worker's code: plain CommonJS, so that it needs no TypeScript loader (`execArgv: []` keeps tsx
 * out of the thread), and dynalite by the path this module resolved, wherever the process started.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);
const server = dynalite(workerData.options);
server.once('error', (error) => parentPort.postMessage({ error: String(error) }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.once('message', () => { server.close(); server.closeAllConnections(); parentPort.close(); });
`;

async function startOnThread(options: EmbeddedDynamoOptions): Promise<Listening> {
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: {
      module: createRequire(import.meta.url).resolve('dynalite'),
      options: serverOptions(options.path),
      port: options.port ?? 0,
    },
  });
  const exited = once(worker, 'exit');
  try {
    const [started] = (await Promise.race([
      once(worker, 'message'),
      exited.then(() => [{ error: 'the thread exited' }]),
    ])) as [{ port?: number; error?: string }];
    if (started.port === undefined) throw new Error(`embedded DynamoDB did not start: ${started.error}`);
    return {
      endpoint: `http://127.0.0.1:${started.port}`,
      close: async () => {
        worker.postMessage('close');
        // A thread that does not end on its own (a connection kept open) is ended.
        const timer = setTimeout(() => void worker.terminate(), 2_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error: unknown) {
    await worker.terminate();
    throw error;
  }
}
