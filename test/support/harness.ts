import { loadConfig } from '#lib/config/config.js';
import { lambdaServing } from '#lib/domain/routes.js';
import type { GraphClientOptions } from '#lib/graph/graph-client.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createErasureHandler } from '#lib/http/erasure-handler.js';
import { type LocalApi, startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import {
  type GraphEmulator,
  type GraphEmulatorOptions,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';
import { createLocalServices, type LocalServices } from '#lib/local/local-services.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import type { PacerOptions } from '#lib/sync/pacer.js';
import type { Logger } from '#lib/telemetry/logger.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import type { PageCredentials, TokenSource } from '#lib/tokens/token-source.js';

/** Graph timeouts and retries short enough for tests, still real timers against a real server. */
export const FAST_GRAPH: Partial<GraphClientOptions> = {
  timeouts: { connectMs: 500, headersMs: 400, bodyMs: 400, totalMs: 1_500 },
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 20,
};

export interface Harness {
  api: LocalApi;
  emulator: GraphEmulator;
  dynamo: EmbeddedDynamo;
  services: LocalServices;
  tableName: string;
  /** GET (or another method) on the local API; answers with status, headers and parsed JSON. */
  call(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: GraphEmulatorOptions;
  /** Defaults to every emulated page's own token. */
  tokens?: TokenSource;
  logger?: Logger;
  graph?: Partial<GraphClientOptions>;
  now?: () => Date;
  /** More configuration, by the contract's names (SYNC_PLATFORMS, SYNC_MAX_GRAPH_CALLS, ...). */
  env?: Record<string, string>;
  /** Tests run the sync unpaced unless they are about pacing. */
  pacer?: PacerOptions;
  /**
   * Register every emulated page in the Page registry and read tokens through it, as deployments do.
   * Off by default: most tests are about conversations, and an unregistered page costs no profile call.
   */
  registered?: boolean;
}

/** The emulated pages' credentials, as a customer would have stored them. */
export function tokensOf(emulator: GraphEmulator): Map<string, PageCredentials> {
  const tokens = new Map<string, PageCredentials>();
  for (const page of emulator.pages.values()) {
    tokens.set(
      page.id,
      page.appSecret
        ? { accessToken: page.accessToken, appSecret: page.appSecret }
        : { accessToken: page.accessToken },
    );
  }
  return tokens;
}

/**
 * The real API handler behind the API Gateway adapter, over dynalite and the Graph emulator, both real
 * servers on loopback. Each harness gets its own table, so tests never share state.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = await startGraphEmulator(options.emulator);
  const dynamo = await startEmbeddedDynamo();
  const tableName = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  const config = loadConfig({
    GRAPH_API_BASE_URL: emulator.url,
    GRAPH_API_VERSION: 'v24.0',
    // The daily webhook subscription check is a Graph call of its own: on only in the tests about it.
    WEBHOOK_SUBSCRIPTION_CHECK: 'false',
    ...options.env,
  });
  const registry = new PageRegistry({
    client: dynamo.client,
    tableName,
    ...(options.now ? { now: options.now } : {}),
  });
  if (options.registered === true) {
    for (const pageId of emulator.pages.keys())
      await registry.register({ pageId, token: { kind: 'page-secret' } });
  }
  const services = createLocalServices({
    config,
    dynamo: dynamo.client,
    pacer: options.pacer ?? { callsPerSecond: Number.POSITIVE_INFINITY },
    tableName,
    registry,
    tokens:
      options.tokens ??
      FileTokenSource.fromMap(tokensOf(emulator), options.registered === true ? registry : undefined),
    logger: options.logger ?? recordingLogger(),
    graph: { ...FAST_GRAPH, ...options.graph },
    ...(options.now ? { now: options.now } : {}),
  });
  const apiHandler = createApiHandler(services.api);
  // The erasure route runs on its own function in AWS; here beside the API, as `npm start` serves it.
  const erasureHandler = createErasureHandler({
    erasure: services.privacy.erasure,
    logger: services.logger,
    now: services.api.now,
  });
  const api = await startLocalApi((event, context) =>
    lambdaServing(event.rawPath) === 'erasure' ? erasureHandler(event, context) : apiHandler(event, context),
  );
  return {
    api,
    emulator,
    dynamo,
    services,
    tableName,
    async call(path, init) {
      const response = await fetch(`${api.url}${path}`, init);
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, headers: response.headers, body, text };
    },
    async close() {
      await services.runner?.idle();
      await api.close();
      await services.graph.close();
      await emulator.close();
      await dynamo.close();
    },
  };
}

/** A logger that keeps every line it is given, serialized as Powertools would print it. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, extra: Record<string, unknown> = {}) => {
      lines.push(JSON.stringify({ level, message, ...extra }));
    };
  return { lines, info: record('INFO'), warn: record('WARN'), error: record('ERROR') };
}
