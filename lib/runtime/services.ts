import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import type { ConversationsDependencies } from '../conversations/list-conversations.js';
import { GraphClient, type GraphClientOptions } from '../graph/graph-client.js';
import type { ApiDependencies } from '../http/api-handler.js';
import { createLogger, type Logger } from '../logger.js';
import { BackoffStore } from '../store/backoff-store.js';
import { CursorStore } from '../store/cursor-store.js';
import type { TokenSource } from '../tokens/token-source.js';

/** What differs between Lambda, the local runtime and tests; everything else is built the same way. */
export interface Infrastructure {
  config: Config;
  dynamo: DynamoDBClient;
  tableName: string;
  tokens: TokenSource;
  logger?: Logger;
  /** Overrides of the Graph client's timeouts and retries (tests make them short). */
  graph?: Partial<GraphClientOptions>;
  now?: () => Date;
}

export interface Services {
  api: ApiDependencies;
  graph: GraphClient;
  conversations: ConversationsDependencies;
  logger: Logger;
}

/** Builds the product's services once per container (or process): clients and pools are reused. */
export function createServices(infrastructure: Infrastructure): Services {
  const { config, dynamo, tableName, tokens } = infrastructure;
  const now = infrastructure.now ?? (() => new Date());
  const logger = infrastructure.logger ?? createLogger();
  const graph = new GraphClient({
    baseUrl: config.graph.baseUrl,
    version: config.graph.version,
    now,
    ...infrastructure.graph,
  });
  const conversations: ConversationsDependencies = {
    graph,
    tokens,
    cursors: new CursorStore({ client: dynamo, tableName }),
    backoff: new BackoffStore({ client: dynamo, tableName }),
    now,
  };
  return { api: { conversations, logger, now }, graph, conversations, logger };
}
