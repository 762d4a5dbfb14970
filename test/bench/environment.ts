/**
 * The servers the bench runs against, built as test/support/harness.ts builds them: the Graph emulator
 * and dynalite on loopback, one table from the product's own schema, and the product's services.
 */
import { loadConfig } from '#lib/config/config.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import {
  type GraphEmulator,
  type GraphEmulatorOptions,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';
import { createLocalServices, type LocalServices } from '#lib/local/local-services.js';
import type { Infrastructure } from '#lib/runtime/services.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import type { PageCredentials, TokenSource } from '#lib/tokens/token-source.js';
import { startDynaliteProcess } from './dynalite-process.js';
import { DynamoMeter } from './dynamo-meter.js';

export interface BenchEnvironment {
  emulator: GraphEmulator;
  dynamo: EmbeddedDynamo;
  meter: DynamoMeter;
  tableName: string;
  /** The product's services over these servers; every set built is closed with the environment. */
  services(options: ServiceOptions): LocalServices;
  close(): Promise<void>;
}

export interface ServiceOptions {
  tokens?: TokenSource;
  /** SYNC_PLATFORMS / SYNC_FOLDERS, as the environment gives them. */
  env?: Record<string, string>;
  pacer?: Infrastructure['pacer'];
}

/** Every emulated page's own credentials, as a customer would have stored them. */
export function emulatedTokens(emulator: GraphEmulator): Map<string, PageCredentials> {
  const tokens = new Map<string, PageCredentials>();
  for (const page of emulator.pages.values()) {
    tokens.set(
      page.id,
      page.appSecret === undefined
        ? { accessToken: page.accessToken }
        : { accessToken: page.accessToken, appSecret: page.appSecret },
    );
  }
  return tokens;
}

export interface EnvironmentOptions {
  /** Model write units (keeps a shadow of the table), or only count commands. */
  units: boolean;
  /** dynalite in this process, as the harness runs it, or in a child process on the other core. */
  dynalite: 'in-process' | 'child';
}

export async function startBenchEnvironment(
  emulatorOptions: GraphEmulatorOptions,
  options: EnvironmentOptions,
): Promise<BenchEnvironment> {
  const emulator = await startGraphEmulator(emulatorOptions);
  let dynamo: EmbeddedDynamo | undefined;
  const built: LocalServices[] = [];
  try {
    // Signed, as in Lambda: the request path the benches time includes the SDK's signing.
    dynamo =
      options.dynalite === 'child'
        ? await startDynaliteProcess()
        : await startEmbeddedDynamo({ signed: true });
    const tableName = `bench-${Date.now().toString(36)}`;
    await ensureTable(dynamo.client, tableName);
    const meter = new DynamoMeter(dynamo.client, { units: options.units });
    const client = dynamo.client;
    return {
      emulator,
      dynamo,
      meter,
      tableName,
      services(options) {
        const config = loadConfig({
          GRAPH_API_BASE_URL: emulator.url,
          GRAPH_API_VERSION: 'v24.0',
          ...options.env,
        });
        const services = createLocalServices({
          config,
          dynamo: client,
          tableName,
          tokens: options.tokens ?? FileTokenSource.fromMap(emulatedTokens(emulator)),
          ...(options.pacer === undefined ? {} : { pacer: options.pacer }),
        });
        built.push(services);
        return services;
      },
      close: () => closeAll(emulator, dynamo, built, meter),
    };
  } catch (error: unknown) {
    await closeAll(emulator, dynamo, built);
    throw error;
  }
}

/**
 * Closes in dependency order, and closes dynalite only once no DynamoDB command is in flight: a
 * handler may still be writing after its caller stopped waiting, and dynalite closed under a write
 * takes the whole process down.
 */
async function closeAll(
  emulator: GraphEmulator,
  dynamo: EmbeddedDynamo | undefined,
  built: LocalServices[],
  meter?: DynamoMeter,
) {
  await meter?.settled();
  for (const services of built) {
    if (services.runner) await services.runner.idle().catch(() => undefined);
    await services.graph.close().catch(() => undefined);
  }
  await emulator.close().catch(() => undefined);
  // Closing Graph may have sent a run down an error path that still records its failure.
  await meter?.settled();
  await dynamo?.close().catch(() => undefined);
}
