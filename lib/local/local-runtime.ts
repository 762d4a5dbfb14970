import type { Config } from '../config/config.js';
import { createApiHandler } from '../http/api-handler.js';
import { createServices, type Services } from '../runtime/services.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import type { Logger } from '../telemetry/logger.js';
import { FileTokenSource } from '../tokens/file-token-source.js';
import type { PageCredentials, TokenSource } from '../tokens/token-source.js';
import { startLocalApi } from './api-gateway-adapter.js';
import { ensureTable, startEmbeddedDynamo } from './embedded-dynamodb.js';
import { emulatorToken, type GraphEmulator, seedDemoPages, startGraphEmulator } from './graph-emulator.js';
import { type LocalSchedule, startLocalSchedule } from './local-schedule.js';

export const LOCAL_TABLE_NAME = 'page-conversations-local';

export interface LocalRuntime {
  url: string;
  config: Config;
  services: Services;
  /** Present in demo mode. */
  emulator: GraphEmulator | undefined;
  schedule: LocalSchedule | undefined;
  /** The Pages this runtime serves, ascending. */
  pageIds(): Promise<string[]>;
  close(): Promise<void>;
}

/** The demo pages' tokens: the local stand-in of the secrets a customer would create. */
function demoTokens(emulator: GraphEmulator | undefined): TokenSource {
  const pages = emulator ? [...emulator.pages.values()] : seedDemoPages();
  const tokens = new Map<string, PageCredentials>();
  for (const page of pages) {
    const accessToken = emulator ? page.accessToken : emulatorToken(page.id);
    tokens.set(page.id, page.appSecret ? { accessToken, appSecret: page.appSecret } : { accessToken });
  }
  return FileTokenSource.fromMap(tokens);
}

/**
 * Everything `npm start` runs, in one process: the API behind an API Gateway adapter, DynamoDB
 * (embedded unless `DYNAMODB_ENDPOINT` names one) and, in demo mode, the Graph emulator.
 */
export async function startLocalRuntime(
  config: Config,
  options: { logger?: Logger } = {},
): Promise<LocalRuntime> {
  const closers: Array<() => Promise<void>> = [];
  try {
    const emulator = config.demo ? await startGraphEmulator() : undefined;
    if (emulator) closers.push(() => emulator.close());
    const effective: Config = emulator
      ? Object.freeze({ ...config, graph: Object.freeze({ ...config.graph, baseUrl: emulator.url }) })
      : config;

    let dynamo = config.dynamodbEndpoint
      ? createDynamoClient({ endpoint: config.dynamodbEndpoint })
      : undefined;
    if (dynamo === undefined) {
      const embedded = await startEmbeddedDynamo();
      closers.push(() => embedded.close());
      dynamo = embedded.client;
    }
    const tableName = config.tableName ?? LOCAL_TABLE_NAME;
    await ensureTable(dynamo, tableName);

    const tokens = config.pageTokensFile
      ? await FileTokenSource.fromFile(config.pageTokensFile)
      : demoTokens(emulator);
    const services = createServices({
      config: effective,
      dynamo,
      tableName,
      tokens,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    closers.push(() => services.graph.close());
    const schedule = services.runner
      ? startLocalSchedule(services.runner, tokens, config.sync.intervalSeconds, services.logger)
      : undefined;
    if (schedule) closers.push(() => schedule.stop());
    const api = await startLocalApi(createApiHandler(services.api), { port: config.port });
    closers.push(() => api.close());
    return {
      url: api.url,
      config: effective,
      services,
      emulator,
      schedule,
      pageIds: async () => (await tokens.listPageIds()).sort(byNumericId),
      close: () => closeAll(closers),
    };
  } catch (error: unknown) {
    await closeAll(closers);
    throw error;
  }
}

/** Page ids are digits: shorter is smaller, then as text. */
const byNumericId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  closers.length = 0;
}
