import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config/config.js';
import type { ConversationsDependencies } from '../conversations/list-conversations.js';
import type { IndexedDependencies } from '../conversations/list-indexed.js';
import type { ChangeEventSink } from '../domain/change-event.js';
import { LogSink } from '../events/log-sink.js';
import { GraphClient, type GraphClientOptions } from '../graph/graph-client.js';
import type { ApiDependencies } from '../http/api-handler.js';
import { BackoffStore } from '../store/backoff-store.js';
import { ConversationIndex } from '../store/conversation-index.js';
import { CursorStore } from '../store/cursor-store.js';
import { PageRegistry } from '../store/page-registry.js';
import { SyncStateStore } from '../store/sync-state-store.js';
import { InProcessSyncRunner } from '../sync/in-process-runner.js';
import { Pacer, type PacerOptions } from '../sync/pacer.js';
import { type SyncDependencies, syncPage } from '../sync/page-run.js';
import type { SyncControlDependencies, SyncStarter } from '../sync/sync-control.js';
import { countChangeEvents } from '../telemetry/counted-change-events.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import type { TokenSource } from '../tokens/token-source.js';
import type { RefreshDependencies } from '../webhooks/refresh.js';
import { createRefreshDependencies } from '../webhooks/webhook-services.js';

/** What differs between Lambda, the local runtime and tests; everything else is built the same way. */
export interface Infrastructure {
  config: Config;
  dynamo: DynamoDBClient;
  tableName: string;
  tokens: TokenSource;
  /** The Page registry the token source reads; built here on the same table unless given. */
  registry?: PageRegistry;
  logger?: Logger;
  /** Overrides of the Graph client's timeouts and retries (tests make them short). */
  graph?: Partial<GraphClientOptions>;
  pacer?: PacerOptions;
  /** Where change events go: EventBridge in AWS, `EVENTS_FILE` or the log locally; the log unless given. */
  events?: ChangeEventSink;
  /** How `POST /sync` starts a run; in process unless given (AWS gives the queue). */
  starter?: SyncStarter;
  /** CloudWatch EMF in Lambda; nothing unless given (the local runtime prints no metric lines). */
  metrics?: ProductMetrics;
  now?: () => Date;
}

export interface Services {
  api: ApiDependencies;
  graph: GraphClient;
  conversations: ConversationsDependencies;
  sync: SyncDependencies;
  registry: PageRegistry;
  /** What a webhook's targeted refresh needs: the sync's own Graph client, tokens, back-off and index. */
  refresh: RefreshDependencies;
  /** Present when runs happen in this process (local runtime, tests). */
  runner: InProcessSyncRunner | undefined;
  logger: Logger;
}

/** Builds the product's services once per container (or process): clients and pools are reused. */
export function createServices(infrastructure: Infrastructure): Services {
  const { config, dynamo, tableName, tokens } = infrastructure;
  const now = infrastructure.now ?? (() => new Date());
  const logger = infrastructure.logger ?? createLogger();
  const metrics = infrastructure.metrics ?? NO_METRICS;
  const graph = new GraphClient({
    baseUrl: config.graph.baseUrl,
    version: config.graph.version,
    now,
    metrics,
    ...infrastructure.graph,
  });
  const cursors = new CursorStore({ client: dynamo, tableName });
  const backoff = new BackoffStore({ client: dynamo, tableName });
  const state = new SyncStateStore(dynamo, tableName);
  const events = countChangeEvents(infrastructure.events ?? new LogSink(logger), metrics);
  const index = new ConversationIndex(dynamo, tableName, { events, logger, now });
  const registry = infrastructure.registry ?? new PageRegistry({ client: dynamo, tableName, now });
  const conversations: ConversationsDependencies = {
    graph,
    tokens,
    cursors,
    backoff,
    now,
    health: registry,
    metrics,
  };
  const sync: SyncDependencies = {
    graph,
    tokens,
    backoff,
    state,
    index,
    health: registry,
    registry,
    profiles: graph,
    pacer: new Pacer(infrastructure.pacer),
    logger,
    metrics,
    now,
    platforms: config.sync.platforms,
    folders: config.sync.folders,
    maxGraphCalls: config.sync.maxGraphCalls,
  };
  const runner = infrastructure.starter
    ? undefined
    : new InProcessSyncRunner((pageId) => syncPage(sync, pageId), logger);
  const control: SyncControlDependencies = {
    state,
    pages: registry,
    starter: infrastructure.starter ?? (runner as InProcessSyncRunner),
    platforms: config.sync.platforms,
    folders: config.sync.folders,
    now,
  };
  const indexed: IndexedDependencies = { index, cursors, state, tokens, now };
  const refresh = createRefreshDependencies({
    dynamo,
    tableName,
    graph,
    tokens,
    backoff,
    index,
    logger,
    metrics,
    now,
    health: registry,
    pages: registry,
    platforms: config.sync.platforms,
    folders: config.sync.folders,
  });
  return {
    api: {
      conversations,
      indexed,
      control,
      pages: { registry, cursors, now },
      logger,
      metrics,
      now,
      publicBaseUrl: config.publicBaseUrl,
      pageIdsClaim: config.jwtPageIdsClaim,
    },
    graph,
    registry,
    refresh,
    conversations,
    sync,
    runner,
    logger,
  };
}
