/**
 * The API's dependencies as `createServices` builds them, with one difference: Graph is reached through
 * the business SDK. Stores, token source, router and error mapping are the product's own, so the peer
 * differs from the product in its Graph client only.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '#lib/config/config.js';
import type { ConversationsDependencies } from '#lib/conversations/list-conversations.js';
import type { ApiDependencies } from '#lib/http/api-handler.js';
import { BackoffStore } from '#lib/store/backoff-store.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { CursorStore } from '#lib/store/cursor-store.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { SyncStateStore } from '#lib/store/sync-state-store.js';
import type { SyncStarter } from '#lib/sync/sync-control.js';
import { createLogger, type Logger } from '#lib/telemetry/logger.js';
import type { TokenSource } from '#lib/tokens/token-source.js';
import { SdkConversationsGraph } from './sdk-graph.js';

export interface PeerInfrastructure {
  config: Config;
  dynamo: DynamoDBClient;
  tableName: string;
  tokens: TokenSource;
  starter: SyncStarter;
  logger?: Logger;
}

export function createPeerApiDependencies(infrastructure: PeerInfrastructure): ApiDependencies {
  const { config, dynamo, tableName, tokens, starter } = infrastructure;
  const now = () => new Date();
  const cursors = new CursorStore({ client: dynamo, tableName });
  const state = new SyncStateStore(dynamo, tableName);
  const conversations: ConversationsDependencies = {
    graph: new SdkConversationsGraph(config.graphApiBaseUrl),
    tokens,
    cursors,
    backoff: new BackoffStore({ client: dynamo, tableName }),
    now,
  };
  const registry = new PageRegistry({ client: dynamo, tableName, now });
  return {
    conversations,
    indexed: {
      index: new ConversationIndex(dynamo, tableName),
      cursors,
      state,
      registry,
      platforms: config.syncPlatforms,
      folders: config.syncFolders,
      now,
    },
    changes: { feed: new ConversationIndex(dynamo, tableName).feed, registry },
    control: {
      state,
      registry,
      starter,
      platforms: config.syncPlatforms,
      folders: config.syncFolders,
      now,
    },
    pages: { registry, cursors, now },
    logger: infrastructure.logger ?? createLogger(),
    now,
  };
}
