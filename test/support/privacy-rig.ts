import { loadConfig } from '#lib/config/config.js';
import type { ChangeEventSink, ConversationChangeDetail } from '#lib/domain/change-event.js';
import { lambdaServing } from '#lib/domain/routes.js';
import type { Platform } from '#lib/domain/vocabulary.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createErasureHandler } from '#lib/http/erasure-handler.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { type LocalApi, startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { type EmulatedConversation, seedPage } from '#lib/local/graph-emulator-seed.js';
import { InProcessPrivacyQueue } from '#lib/local/in-process-privacy-queue.js';
import { createLocalServices, type LocalServices } from '#lib/local/local-services.js';
import { StaticWebhookSecrets } from '#lib/local/local-webhook-secrets.js';
import { runPrivacyJob } from '#lib/privacy/privacy-worker.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { syncPage } from '#lib/sync/page-run.js';
import type { Logger } from '#lib/telemetry/logger.js';
import type { ProductMetrics } from '#lib/telemetry/product-metrics.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { InProcessRefreshQueue } from '#lib/webhooks/in-process-refresh-queue.js';
import { runRefresh } from '#lib/webhooks/refresh-worker.js';
import { signBody } from '#lib/webhooks/signature.js';
import { FAST_GRAPH, recordingLogger, tokensOf } from './harness.js';

/** Fixture secret: not real, long enough to be registered for redaction. */
export const PRIVACY_APP_SECRET = 'privacy-test-app-secret';
export const PAGE_ID = '1000000000000001';
/** The Page's Instagram professional account, as the emulator names it in its conversations. */
export const INSTAGRAM_ACCOUNT_ID = `17841${PAGE_ID.slice(-12).padStart(12, '0')}`;

export interface PrivacyRig {
  emulator: GraphEmulator;
  dynamo: EmbeddedDynamo;
  services: LocalServices;
  tableName: string;
  api: LocalApi;
  logger: Logger & { lines: string[] };
  /** Every change event published, in order. */
  events: ConversationChangeDetail[];
  /** The services' clock: set `clock.now` to move it. */
  clock: { now: Date };
  privacyQueue: InProcessPrivacyQueue;
  refreshQueue: InProcessRefreshQueue;
  call(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; text: string }>;
  erase(pageId: string, body: unknown): Promise<{ status: number; body: unknown; text: string }>;
  /** A full sync of the Page (every covered folder, reconciled), to the end. */
  fullSync(pageId?: string): Promise<void>;
  /** POSTs a signed Messenger webhook naming `personId` on the Page, and waits for its refresh. */
  webhook(personId: string, object?: 'page' | 'instagram'): Promise<number>;
  /** The ids listed by `updated_since` (epoch) on one platform and folder. */
  listed(platform: Platform, folder?: string, extra?: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface PrivacyRigOptions {
  env?: Record<string, string>;
  /** Where the services' clock starts: default an hour after the emulator's seed time. */
  start?: Date;
  appSecret?: string;
  /** Leave out the change-event sink: events are then logged, as `npm start` does without a file. */
  logEvents?: boolean;
  metrics?: ProductMetrics;
  /** Where events go instead of the recording sink (which `events` then stays empty of). */
  sink?: ChangeEventSink;
}

/** The emulator's seed instant: conversations spread over the 60 days before it. */
export const SEED_TIME = new Date('2026-11-20T10:00:00Z');

/**
 * The four functions of the product as `npm start` serves them (API, webhook receiver with Meta's
 * data-deletion callback, erasure function, with the refresh and erasure queues in process), over the
 * Graph emulator and dynalite, with an injected clock, a recording logger and a recording event sink.
 * One Page, registered, with a small seeded inbox on both platforms.
 */
export async function startPrivacyRig(options: PrivacyRigOptions = {}): Promise<PrivacyRig> {
  const page = seedPage(PAGE_ID, { perPartition: 4, now: SEED_TIME, name: 'Privacy Bakery' });
  page.instagramAccountId = INSTAGRAM_ACCOUNT_ID;
  const clock = { now: options.start ?? new Date(SEED_TIME.getTime() + 3_600_000) };
  const now = () => new Date(clock.now.getTime());
  const emulator = await startGraphEmulator({ pages: [page], now });
  const dynamo = await startEmbeddedDynamo();
  const tableName = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  const config = loadConfig({ GRAPH_API_BASE_URL: emulator.url, GRAPH_API_VERSION: 'v24.0', ...options.env });
  const registry = new PageRegistry({ client: dynamo.client, tableName, now, cacheMs: 0 });
  await registry.register({
    pageId: PAGE_ID,
    token: { kind: 'page-secret' },
    instagramAccountId: INSTAGRAM_ACCOUNT_ID,
  });
  const logger = recordingLogger();
  const events: ConversationChangeDetail[] = [];
  const sink: ChangeEventSink = {
    publish: async (details) => {
      events.push(...details);
      return { undelivered: [] };
    },
  };
  const privacyQueue = new InProcessPrivacyQueue(logger);
  const services = createLocalServices({
    config,
    dynamo: dynamo.client,
    tableName,
    registry,
    tokens: FileTokenSource.fromMap(tokensOf(emulator), registry),
    logger,
    graph: FAST_GRAPH,
    pacer: { callsPerSecond: Number.POSITIVE_INFINITY },
    now,
    privacyJobs: privacyQueue,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.logEvents === true ? {} : { events: options.sink ?? sink }),
  });
  privacyQueue.process((job) => runPrivacyJob(services.privacy.work, job));
  const refreshQueue = new InProcessRefreshQueue(logger);
  refreshQueue.process((request) => runRefresh(services.refresh, refreshQueue, request));
  const secrets = new StaticWebhookSecrets({
    appSecret: options.appSecret ?? PRIVACY_APP_SECRET,
    verifyToken: 'privacy-test-verify-token',
  });
  const webhookHandler = createWebhookHandler({
    secrets,
    queue: refreshQueue,
    logger,
    now,
    dataDeletion: services.privacy.dataDeletion(secrets, privacyQueue, options.metrics),
    publicBaseUrl: config.publicBaseUrl,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const erasureHandler = createErasureHandler({
    erasure: services.privacy.erasure,
    logger,
    now,
    metrics: options.metrics,
  });
  const apiHandler = createApiHandler(services.api);
  const api = await startLocalApi((event, context) => {
    const lambda = lambdaServing(event.rawPath);
    if (lambda === 'webhook-receiver') return webhookHandler(event, context);
    if (lambda === 'erasure') return erasureHandler(event, context);
    return apiHandler(event, context);
  });
  const call: PrivacyRig['call'] = async (path, init) => {
    const response = await fetch(`${api.url}${path}`, init);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text };
  };
  return {
    emulator,
    dynamo,
    services,
    tableName,
    api,
    logger,
    events,
    clock,
    privacyQueue,
    refreshQueue,
    call,
    erase: (pageId, body) =>
      call(`/pages/${pageId}/erasures`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async fullSync(pageId = PAGE_ID) {
      for (let run = 0; run < 5; run++) {
        const result = await syncPage(services.sync, pageId, { full: true });
        if (result.outcome === 'complete') return;
      }
      throw new Error('The sync did not complete in 5 runs.');
    },
    async webhook(personId, object = 'page') {
      const entryId = object === 'page' ? PAGE_ID : INSTAGRAM_ACCOUNT_ID;
      const body = JSON.stringify({
        object,
        entry: [
          {
            id: entryId,
            time: clock.now.getTime(),
            messaging: [
              {
                sender: { id: personId },
                recipient: { id: entryId },
                timestamp: clock.now.getTime(),
                message: { mid: 'm_1', text: 'hello' },
              },
            ],
          },
        ],
      });
      const response = await call('/webhooks/meta', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(body, options.appSecret ?? PRIVACY_APP_SECRET),
        },
        body,
      });
      await refreshQueue.idle();
      return response.status;
    },
    async listed(platform, folder = 'inbox', extra = '') {
      const items: Array<Record<string, unknown>> = [];
      let path = `/pages/${PAGE_ID}/conversations?updated_since=2000-01-01T00:00:00Z&platform=${platform}&folder=${folder}&limit=100${extra}`;
      for (let round = 0; round < 50; round++) {
        const answer = await call(path);
        if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
        const body = answer.body as { data: Array<Record<string, unknown>>; paging?: { next?: string } };
        items.push(...body.data);
        const next = body.paging?.next;
        if (next === undefined) return items;
        path = next.slice(api.url.length);
      }
      throw new Error('Too many pages.');
    },
    async close() {
      privacyQueue.close();
      await privacyQueue.idle();
      refreshQueue.close();
      await refreshQueue.idle();
      await services.runner.idle();
      await api.close();
      await services.graph.close();
      await emulator.close();
      await dynamo.close();
    },
  };
}

/** The person of a conversation (the participant that is not the Page's own account). */
export function personOf(conversation: EmulatedConversation): string {
  const person = conversation.participants.data.find(
    (participant) => participant.id !== PAGE_ID && participant.id !== INSTAGRAM_ACCOUNT_ID,
  );
  if (person === undefined) throw new Error(`No person in ${conversation.id}.`);
  return person.id;
}

/** Makes a conversation name `personId` as its person (participants and senders). */
export function namePerson(conversation: EmulatedConversation, personId: string): void {
  const previous = personOf(conversation);
  for (const participant of conversation.participants.data)
    if (participant.id === previous) participant.id = personId;
  for (const sender of conversation.senders.data) if (sender.id === previous) sender.id = personId;
}
