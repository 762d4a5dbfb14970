import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../config/config.js';
import { lambdaServing } from '../domain/routes.js';
import { WEBHOOK_FIELDS } from '../domain/shapes/pages.js';
import { createApiHandler } from '../http/api-handler.js';
import { createErasureHandler } from '../http/erasure-handler.js';
import { createWebhookHandler } from '../http/webhook-handler.js';
import { claimLocalEndpoints, LOCAL_ENDPOINTS_FILE, removeLocalEndpoints } from '../pages/local-endpoints.js';
import { registerLocalPages } from '../pages/manage-pages.js';
import { type CheckDependencies, checkPages } from '../pages/page-health.js';
import { runPrivacyJob } from '../privacy/privacy-worker.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import type { Logger } from '../telemetry/logger.js';
import { createLogger } from '../telemetry/logger.js';
import { FileTokenSource } from '../tokens/file-token-source.js';
import { InProcessRefreshQueue } from '../webhooks/in-process-refresh-queue.js';
import { runRefresh } from '../webhooks/refresh-worker.js';
import type { WebhookSecrets } from '../webhooks/webhook-secrets.js';
import { startLocalApi } from './api-gateway-adapter.js';
import { DEMO_MESSAGE_PATH, demoMessage } from './demo-message-route.js';
import { ensureTable, startEmbeddedDynamo } from './embedded-dynamodb.js';
import { type GraphEmulator, startGraphEmulator } from './graph-emulator.js';
import { InProcessPrivacyQueue } from './in-process-privacy-queue.js';
import { type LocalSchedule, startLocalSchedule } from './local-schedule.js';
import { createLocalChangeEventSink, createLocalServices, type LocalServices } from './local-services.js';
import { createLocalWebhookSecrets, DEMO_WEBHOOK_SECRETS } from './local-webhook-secrets.js';

export const LOCAL_TABLE_NAME = 'page-conversations-local';
/** How long the local registry serves a Page's item from memory: one run's reads of it are one. */
const LOCAL_REGISTRY_CACHE_MS = 5_000;
/** In the demo, the emulator's Page tokens are written here, as PAGE_TOKENS_FILE would hold them. */
export const DEMO_TOKENS_FILE = join('.local', 'demo-page-tokens.json');

export interface LocalRuntime {
  url: string;
  config: Config;
  services: LocalServices;
  /** Present in demo mode. */
  emulator: GraphEmulator | undefined;
  schedule: LocalSchedule | undefined;
  /**
   * The webhook secrets as the start-up banner may show them: the demo's own values (public, so that a
   * developer can sign a test delivery), else only whether one is set. Never a value the user gave.
   */
  webhookBanner: WebhookSecrets;
  /** The Pages this runtime serves, ascending. */
  pageIds(): Promise<string[]>;
  /** The demo user's token, which `npm start` prints for `npm run pages -- connect`; demo mode only. */
  demoUserToken: string | undefined;
  /** Where `npm run pages` finds this runtime; undefined when another running runtime owns that file. */
  endpointsFile: string | undefined;
  /** Settles once every Page registered at start has been checked with Graph (or the runtime closed). */
  pagesChecked: Promise<void>;
  close(): Promise<void>;
}

/**
 * The demo Pages' tokens, written where `npm run pages` can add to them: the local stand-in of the
 * secrets a customer would create. Emulator tokens, not real ones; `.local/` is ignored by git.
 */
async function writeDemoTokens(emulator: GraphEmulator): Promise<string> {
  const tokens: Record<string, { access_token: string; app_secret?: string }> = {};
  for (const page of emulator.pages.values()) {
    tokens[page.id] = page.appSecret
      ? { access_token: page.accessToken, app_secret: page.appSecret }
      : { access_token: page.accessToken };
  }
  await mkdir(dirname(DEMO_TOKENS_FILE), { recursive: true });
  await writeFile(DEMO_TOKENS_FILE, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return DEMO_TOKENS_FILE;
}

/**
 * Everything `npm start` runs, in one process: the API behind an API Gateway adapter, DynamoDB
 * (embedded unless `DYNAMODB_ENDPOINT` names one), in demo mode the Graph emulator, and the Page
 * registry, where every Page of the token file is registered at start with its name and Instagram
 * account. `.local/runtime.json` tells `npm run pages` where all of it listens.
 */
export async function startLocalRuntime(
  config: Config,
  options: {
    logger?: Logger;
    /** Where `npm run pages` finds this runtime; default `.local/runtime.json`, tests give their own. */
    endpointsFile?: string;
  } = {},
): Promise<LocalRuntime> {
  const closers: Array<() => Promise<void>> = [];
  try {
    const emulator = config.demo ? await startGraphEmulator() : undefined;
    if (emulator) closers.push(() => emulator.close());
    // The demo's seeded Pages are subscribed to the webhooks, as connected Pages would be.
    for (const pageId of emulator?.pages.keys() ?? []) emulator?.subscribe(pageId, WEBHOOK_FIELDS);
    const effective: Config = emulator ? Object.freeze({ ...config, graphApiBaseUrl: emulator.url }) : config;

    let dynamo = config.dynamodbEndpoint
      ? createDynamoClient({ endpoint: config.dynamodbEndpoint })
      : undefined;
    let dynamodbEndpoint = config.dynamodbEndpoint;
    if (dynamo === undefined) {
      // On its own thread: the second core serves DynamoDB while this one runs the API and the syncs.
      const embedded = await startEmbeddedDynamo({ thread: true });
      closers.push(() => embedded.close());
      dynamo = embedded.client;
      dynamodbEndpoint = embedded.endpoint;
    }
    const tableName = config.tableName ?? LOCAL_TABLE_NAME;
    await ensureTable(dynamo, tableName);

    // A short cache: `npm run pages` changes Pages from another process (a new Page is never cached as
    // missing), and a token marked valid again there is trusted here within seconds, not a minute.
    const registry = new PageRegistry({ client: dynamo, tableName, cacheMs: LOCAL_REGISTRY_CACHE_MS });
    const pageTokensFile = config.pageTokensFile ?? (emulator ? await writeDemoTokens(emulator) : undefined);
    if (pageTokensFile === undefined) throw new Error('PAGE_TOKENS_FILE must be set outside the demo.');
    // After the token file: the demo user's extra Pages are for `npm run pages -- connect` to add.
    const demoUser = emulator?.createDemoUser();
    const tokens = await FileTokenSource.fromFile(pageTokensFile, { registry, watch: true });
    closers.push(async () => tokens.close());
    const pageIds = [...tokens.entries().keys()];
    await registerLocalPages({ registry }, pageIds);
    const logger = options.logger ?? createLogger();
    // Erasure work off the request path (Meta's callback, a read's sweep) runs here; in AWS, the erasure
    // function's queue.
    const privacyQueue = new InProcessPrivacyQueue(logger);
    const services = createLocalServices({
      privacyJobs: privacyQueue,
      config: effective,
      dynamo,
      tableName,
      tokens,
      registry,
      logger,
      events: createLocalChangeEventSink(config, logger),
    });
    closers.push(() => services.graph.close());
    privacyQueue.process((job) => runPrivacyJob(services.privacy.work, job));
    closers.push(async () => {
      privacyQueue.close();
      await privacyQueue.idle();
    });
    // Webhooks refresh in process here; in AWS through the refresh queue and its worker.
    const refreshQueue = new InProcessRefreshQueue(logger);
    refreshQueue.process((request) => runRefresh(services.refresh, refreshQueue, request));
    closers.push(async () => {
      refreshQueue.close();
      await refreshQueue.idle();
    });
    const webhookSecrets = createLocalWebhookSecrets(config);
    const webhookHandler = createWebhookHandler({
      secrets: webhookSecrets,
      queue: refreshQueue,
      logger,
      now: () => new Date(),
      dataDeletion: services.privacy.dataDeletion(webhookSecrets, privacyQueue),
      publicBaseUrl: config.publicBaseUrl,
    });
    const erasureHandler = createErasureHandler({
      erasure: services.privacy.erasure,
      logger,
      now: () => new Date(),
    });
    // The first round waits for the start-up checks: a run that came first would read each Page's profile
    // and subscription again, two more Graph calls per Page.
    let checksSettled = () => {};
    const checked = new Promise<void>((resolve) => {
      checksSettled = resolve;
    });
    const schedule = startLocalSchedule(
      services.runner,
      registry,
      config.syncIntervalSeconds,
      services.logger,
      checked,
    );
    closers.push(() => schedule.stop());
    const apiHandler = createApiHandler(services.api);
    const demoSecret = (await webhookSecrets.get()).appSecret;
    let apiUrl = '';
    // One local server for what AWS splits in two functions: the API and the public webhook receiver
    // (and, in the demo, a route that makes a seeded person write).
    const api = await startLocalApi(
      (event, context) => {
        const lambda = lambdaServing(event.rawPath);
        if (lambda === 'webhook-receiver') return webhookHandler(event, context);
        if (lambda === 'erasure') return erasureHandler(event, context);
        if (emulator && event.rawPath === DEMO_MESSAGE_PATH)
          return demoMessage(event, emulator, apiUrl, demoSecret);
        return apiHandler(event, context);
      },
      { port: config.port },
    );
    apiUrl = api.url;
    closers.push(() => api.close());
    const endpointsFile = options.endpointsFile ?? LOCAL_ENDPOINTS_FILE;
    const claim = await claimLocalEndpoints(
      {
        apiUrl: api.url,
        dynamodbEndpoint: dynamodbEndpoint ?? '',
        tableName,
        graphBaseUrl: effective.graphApiBaseUrl,
        graphVersion: effective.graphApiVersion,
        pageTokensFile,
        pid: process.pid,
      },
      endpointsFile,
    );
    if (claim.owned) closers.push(() => removeLocalEndpoints(endpointsFile));
    else
      logger.warn('another local runtime owns the runtime file', {
        file: endpointsFile,
        pid: claim.ownerPid,
      });
    // The webhook subscription is read with each registered Page's check (the receiver runs here).
    const webhooks = config.webhookSubscriptionCheck
      ? { autoSubscribe: config.webhookAutoSubscribe }
      : undefined;
    const checks = startPageChecks({ registry, tokens, graph: services.graph, webhooks }, pageIds, logger);
    void checks.done.then(checksSettled);
    closers.push(() => checks.stop());
    return {
      url: api.url,
      webhookBanner: bannerSecrets(await webhookSecrets.get()),
      config: effective,
      services,
      emulator,
      schedule,
      pageIds: () => registry.listPageIds(),
      demoUserToken: demoUser?.token,
      endpointsFile: claim.owned ? endpointsFile : undefined,
      pagesChecked: checks.done,
      close: () => closeAll(closers),
    };
  } catch (error: unknown) {
    await closeAll(closers);
    throw error;
  }
}

/** Pages checked per round of the start-up checks: closing waits for one round at most. */
const CHECK_ROUND = 100;

/**
 * Each Page's Graph check (`GET /{page-id}`: its name, Instagram account and token health; and its
 * webhook subscription unless `WEBHOOK_SUBSCRIPTION_CHECK=false`), after the
 * API listens, so that a file of thousands of Pages does not keep `/health` and the routes waiting on
 * thousands of Graph calls: until its check, a Page answers with its token `unchecked`. One summary line.
 */
function startPageChecks(
  deps: CheckDependencies,
  pageIds: readonly string[],
  logger: Logger,
): { done: Promise<void>; stop(): Promise<void> } {
  let stopped = false;
  const done = (async () => {
    const counts = { valid: 0, invalid: 0, unreachable: 0 };
    const webhooks = { subscribed: 0, not_subscribed: 0, unknown: 0 };
    for (let start = 0; start < pageIds.length && !stopped; start += CHECK_ROUND) {
      for (const row of await checkPages(deps, pageIds.slice(start, start + CHECK_ROUND))) {
        counts[row.status]++;
        if (row.webhooks !== undefined) webhooks[row.webhooks.health.status]++;
      }
    }
    logger.info('pages checked', {
      pages: pageIds.length,
      ...counts,
      ...(deps.webhooks === undefined ? {} : { webhooks }),
    });
  })().catch((error: unknown) => logger.error('page checks failed', { error }));
  return {
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Shown as `(set)`, whatever its value: what a user gave is never printed, in full or in part. */
export const GIVEN_SECRET = '(set)';
export const MISSING_SECRET = '(not set)';

/** Each webhook secret as the banner shows it: the demo's public value, or only whether it is set. */
export function bannerSecrets(secrets: WebhookSecrets): WebhookSecrets {
  const shown = (value: string, demo: string) =>
    value === demo ? demo : value === '' ? MISSING_SECRET : GIVEN_SECRET;
  return {
    appSecret: shown(secrets.appSecret, DEMO_WEBHOOK_SECRETS.appSecret),
    verifyToken: shown(secrets.verifyToken, DEMO_WEBHOOK_SECRETS.verifyToken),
  };
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  closers.length = 0;
}
