import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config/config.js';
import type { ConversationsDependencies } from '../conversations/list-conversations.js';
import type { IndexedDependencies } from '../conversations/list-indexed.js';
import type { ChangeEventSink } from '../domain/change-event.js';
import { LogSink } from '../events/log-sink.js';
import type { GraphClientOptions } from '../graph/graph-client.js';
import { GraphSubscriptionsClient } from '../graph/graph-subscriptions.js';
import type { ApiDependencies } from '../http/api-handler.js';
import type { PrivacyJobQueue } from '../privacy/jobs.js';
import type { PersonKeySource } from '../privacy/person-hash.js';
import { BackoffStore } from '../store/backoff-store.js';
import { ConversationIndex } from '../store/conversation-index.js';
import { CursorStore } from '../store/cursor-store.js';
import { PageRegistry } from '../store/page-registry.js';
import { ReconcileStore } from '../store/reconcile-store.js';
import { SyncStateStore } from '../store/sync-state-store.js';
import { Pacer, type PacerOptions } from '../sync/pacer.js';
import type { SyncDependencies } from '../sync/page-run.js';
import type { SyncControlDependencies, SyncStarter } from '../sync/sync-control.js';
import { countChangeEvents } from '../telemetry/counted-change-events.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import type { TokenSource } from '../tokens/token-source.js';
import type { RefreshDependencies } from '../webhooks/refresh.js';
import { createRefreshDependencies } from '../webhooks/webhook-services.js';
import {
  createPrivacyBase,
  createPrivacyServices,
  type PrivacyInfrastructure,
  type PrivacyServices,
} from './privacy-services.js';

/**
 * What differs between Lambda (`aws-services.ts`) and the local runtime (`lib/local/local-services.ts`):
 * the implementations each passes in. Everything else is built the same way here, and this module
 * imports no implementation of either side's own, so that a Lambda bundle holds no local stand-in.
 */
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
  /**
   * How `POST /sync` starts a run, made from the sync's own dependencies: the queue in AWS, a runner in
   * this process locally.
   */
  starter: (sync: SyncDependencies) => SyncStarter;
  /** CloudWatch EMF in Lambda; nothing unless given (the local runtime prints no metric lines). */
  metrics?: ProductMetrics;
  now?: () => Date;
  /** The person-hash key: the stack's secret in AWS; the local table's key unless given. */
  personKey?: PersonKeySource;
  /** Where erasure work off the request path goes (SQS in AWS, this process locally). */
  privacyJobs?: PrivacyJobQueue;
}

export interface Services {
  api: ApiDependencies;
  graph: GraphSubscriptionsClient;
  conversations: ConversationsDependencies;
  sync: SyncDependencies;
  registry: PageRegistry;
  /** What a webhook's targeted refresh needs: the sync's own Graph client, tokens, back-off and index. */
  refresh: RefreshDependencies;
  /** A person's data: erasures, the retention's sweeps, Meta's data-deletion callback. */
  privacy: PrivacyServices;
  index: ConversationIndex;
  logger: Logger;
}

/** Builds the product's services once per container (or process): clients and pools are reused. */
export function createServices(infrastructure: Infrastructure): Services {
  const { config, dynamo, tableName, tokens } = infrastructure;
  const now = infrastructure.now ?? (() => new Date());
  const logger = infrastructure.logger ?? createLogger();
  const metrics = infrastructure.metrics ?? NO_METRICS;
  const graph = new GraphSubscriptionsClient({
    baseUrl: config.graphApiBaseUrl,
    version: config.graphApiVersion,
    now,
    metrics,
    ...infrastructure.graph,
  });
  const cursors = new CursorStore({ client: dynamo, tableName });
  const backoff = new BackoffStore({ client: dynamo, tableName });
  const state = new SyncStateStore(dynamo, tableName);
  const events = countChangeEvents(infrastructure.events ?? new LogSink(logger), metrics);
  const registry = infrastructure.registry ?? new PageRegistry({ client: dynamo, tableName, now });
  const privacyInfrastructure: PrivacyInfrastructure = {
    dynamo,
    tableName,
    registry,
    logger,
    now,
    retentionDays: config.retentionDays,
    personKey: infrastructure.personKey,
    jobs: infrastructure.privacyJobs,
  };
  const privacyBase = createPrivacyBase(privacyInfrastructure);
  const index = new ConversationIndex(dynamo, tableName, {
    events,
    logger,
    now,
    tombstoneDays: config.tombstoneDays,
    changesDays: config.changesDays,
    // Every write passes a person's erasures and the retention first (`lib/privacy/admission.ts`).
    admit: privacyBase.admission,
  });
  const privacy = createPrivacyServices(privacyBase, index, privacyInfrastructure);
  // What the sync covers: the scheduled runs, the control routes and the webhook refreshes alike.
  const coverage = { platforms: config.syncPlatforms, folders: config.syncFolders };
  const conversations: ConversationsDependencies = {
    graph,
    tokens,
    cursors,
    backoff,
    now,
    registry,
    metrics,
  };
  const sync: SyncDependencies = {
    graph,
    tokens,
    backoff,
    state,
    index,
    registry,
    profiles: graph,
    // The daily subscription check, only where webhooks are on (the stack's `webhooks`).
    ...(config.webhookSubscriptionCheck ? { subscriptions: graph } : {}),
    webhookAutoSubscribe: config.webhookAutoSubscribe,
    pacer: new Pacer(infrastructure.pacer),
    logger,
    metrics,
    now,
    ...coverage,
    maxGraphCalls: config.syncMaxGraphCalls,
    reconciliations: new ReconcileStore(dynamo, tableName),
    reconcileEveryHours: config.reconcileEveryHours,
    sweep: privacy.sweep,
  };
  const control: SyncControlDependencies = {
    state,
    registry,
    starter: infrastructure.starter(sync),
    ...coverage,
    now,
  };
  const indexed: IndexedDependencies = {
    index,
    cursors,
    state,
    registry,
    now,
    ...coverage,
    retention: privacy.readRetention,
  };
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
    registry,
    ...coverage,
  });
  return {
    api: {
      conversations,
      indexed,
      changes: { feed: index.feed, registry },
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
    privacy,
    index,
    conversations,
    sync,
    logger,
  };
}
