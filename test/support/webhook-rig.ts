import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ConversationsGraph } from '#lib/conversations/list-conversations.js';
import type { ConversationChangeDetail } from '#lib/domain/change-event.js';
import type { Folder, Platform } from '#lib/domain/vocabulary.js';
import { GraphClient } from '#lib/graph/graph-client.js';
import type { HttpResponse } from '#lib/http/responses.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { type HttpApiHandler, lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { FileSink } from '#lib/local/file-sink.js';
import {
  type GraphEmulator,
  type GraphEmulatorOptions,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';
import { StaticWebhookSecrets } from '#lib/local/local-webhook-secrets.js';
import { instagramAccountOf } from '#lib/local/webhook-demo.js';
import { BackoffStore } from '#lib/store/backoff-store.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import {
  InProcessRefreshQueue,
  type InProcessRefreshQueueOptions,
} from '#lib/webhooks/in-process-refresh-queue.js';
import type { ReceiverDependencies } from '#lib/webhooks/receiver.js';
import type { RefreshDependencies, RefreshOutcome } from '#lib/webhooks/refresh.js';
import { runRefresh } from '#lib/webhooks/refresh-worker.js';
import { signBody } from '#lib/webhooks/signature.js';
import { createRefreshDependencies } from '#lib/webhooks/webhook-services.js';
import { FAST_GRAPH, recordingLogger, tokensOf } from './harness.js';
import { recordingMetrics } from './recording-metrics.js';

/** Fixture secrets: not real, and long enough to be registered for redaction. */
export const TEST_APP_SECRET = 'test-app-secret-for-webhooks';
export const TEST_VERIFY_TOKEN = 'test-verify-token-for-webhooks';

export interface WebhookRig {
  emulator: GraphEmulator;
  dynamo: EmbeddedDynamo;
  tableName: string;
  index: ConversationIndex;
  refresh: RefreshDependencies;
  backoff: BackoffStore;
  queue: InProcessRefreshQueue;
  outcomes: RefreshOutcome[];
  /** The most conversations-edge calls in flight at once, per page, platform and folder. */
  maxInFlight: Map<string, number>;
  /** The most refreshes the queue ran at once. */
  maxRefreshesAtOnce(): number;
  /** What the receiver and the refresh counted. */
  metrics: ReturnType<typeof recordingMetrics>;
  /** What the receiver, the queue and the refresh logged. */
  logger: ReturnType<typeof recordingLogger>;
  /**
   * POSTs a body to the receiver's handler as API Gateway would, signed with `TEST_APP_SECRET` unless
   * told (`signature: null` sends none); `base64` as API Gateway passes a binary body.
   */
  post(
    body: string | Buffer,
    options?: { signature?: string | null; base64?: boolean; headers?: Record<string, string> },
  ): Promise<HttpResponse>;
  /** The receiver's handler, for the local API Gateway adapter. */
  handler: HttpApiHandler;
  verify(rawQuery: string): Promise<HttpResponse>;
  /** Change events written so far, parsed from the events file's PutEvents entries. */
  events(): Promise<ConversationChangeDetail[]>;
  /** The conversations-edge calls made to the emulator. */
  conversationCalls(pageId?: string): Array<{ pageId: string | undefined; params: Record<string, string> }>;
  close(): Promise<void>;
}

export interface WebhookRigOptions {
  emulator?: GraphEmulatorOptions;
  platforms?: Platform[];
  folders?: Folder[];
  callsPerSecond?: number;
  /** The receiver's app secret; `TEST_APP_SECRET` unless given (the placeholder, '' …). */
  appSecret?: string;
  /** The clock of the receiver and the refresh: the real one unless given. */
  now?: () => Date;
  /** The in-process queue's bounds and back-off. */
  queue?: InProcessRefreshQueueOptions;
}

function httpEvent(
  method: string,
  rawQueryString: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/webhooks/meta',
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: '/webhooks/meta',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
  } as APIGatewayProxyEventV2;
}

/**
 * The receiver's real handler, the in-process refresh queue and the refresh, over the Graph emulator
 * and dynalite (real servers on loopback), with change events appended to a real events file.
 */
export async function startWebhookRig(options: WebhookRigOptions = {}): Promise<WebhookRig> {
  const emulator = await startGraphEmulator(options.emulator);
  const dynamo = await startEmbeddedDynamo();
  const tableName = `test-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  const folder = await mkdtemp(join(tmpdir(), 'webhook-events-'));
  const eventsFile = join(folder, 'events.jsonl');
  const logger = recordingLogger();
  const client = new GraphClient({ baseUrl: emulator.url, version: 'v24.0', ...FAST_GRAPH });
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const graph: ConversationsGraph = {
    async listConversations(credentials, params) {
      const key = `${params.pageId}:${params.platform}:${params.folder}`;
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      maxInFlight.set(key, Math.max(maxInFlight.get(key) ?? 0, inFlight.get(key) ?? 0));
      try {
        return await client.listConversations(credentials, params);
      } finally {
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      }
    },
  };
  const instagramAccounts = new Map<string, string>();
  for (const pageId of emulator.pages.keys()) {
    const account = instagramAccountOf(emulator, pageId);
    if (account !== undefined) instagramAccounts.set(account, pageId);
  }
  const now = options.now ?? (() => new Date());
  const metrics = recordingMetrics();
  const backoff = new BackoffStore({ client: dynamo.client, tableName });
  const index = new ConversationIndex(dynamo.client, tableName, { events: new FileSink(eventsFile), logger });
  const refresh = createRefreshDependencies({
    dynamo: dynamo.client,
    tableName,
    graph,
    tokens: FileTokenSource.fromMap(tokensOf(emulator)),
    backoff,
    index,
    registry: {
      pageIdForInstagramAccount: async (id) => instagramAccounts.get(id),
      // This rig keeps no token health.
      markTokenInvalid: async () => undefined,
      markTokenValid: async () => undefined,
    },
    logger,
    now,
    metrics,
    platforms: options.platforms ?? ['messenger', 'instagram'],
    folders: options.folders ?? ['inbox', 'other'],
    pacing: { callsPerSecond: options.callsPerSecond ?? Number.POSITIVE_INFINITY },
  });
  const queue = new InProcessRefreshQueue(logger, options.queue);
  const outcomes: RefreshOutcome[] = [];
  let running = 0;
  let maxRunning = 0;
  queue.process(async (request) => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      outcomes.push(await runRefresh(refresh, queue, request));
    } finally {
      running -= 1;
    }
  });
  const receiver: ReceiverDependencies = {
    secrets: new StaticWebhookSecrets({
      appSecret: options.appSecret ?? TEST_APP_SECRET,
      verifyToken: TEST_VERIFY_TOKEN,
    }),
    queue,
    logger,
    now,
    metrics,
  };
  const handler = createWebhookHandler(receiver);
  const invoke = async (event: APIGatewayProxyEventV2) =>
    (await handler(event, lambdaContext('webhook-receiver'))) as HttpResponse;
  return {
    emulator,
    dynamo,
    tableName,
    index,
    refresh,
    backoff,
    queue,
    outcomes,
    maxInFlight,
    maxRefreshesAtOnce: () => maxRunning,
    handler: handler as HttpApiHandler,
    metrics,
    logger,
    async post(body, postOptions = {}) {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const signature =
        postOptions.signature === undefined ? signBody(bytes, TEST_APP_SECRET) : postOptions.signature;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...postOptions.headers,
      };
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      const event = httpEvent('POST', '', bytes.toString('utf8'), headers);
      if (postOptions.base64 === true) {
        event.body = bytes.toString('base64');
        event.isBase64Encoded = true;
      }
      return invoke(event);
    },
    verify: (rawQuery) => invoke(httpEvent('GET', rawQuery)),
    async events() {
      let text = '';
      try {
        text = await readFile(eventsFile, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map(
          (line) => JSON.parse((JSON.parse(line) as { Detail: string }).Detail) as ConversationChangeDetail,
        );
    },
    conversationCalls(pageId) {
      return emulator.calls
        .filter(
          (call) => call.path.endsWith('/conversations') && (pageId === undefined || call.pageId === pageId),
        )
        .map(({ pageId: page, params }) => ({ pageId: page, params }));
    },
    async close() {
      await queue.idle();
      queue.close();
      await client.close();
      await emulator.close();
      await dynamo.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
