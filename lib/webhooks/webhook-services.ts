import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CallPacingStore, type CallPacingStoreOptions } from '../store/call-pacing-store.js';
import { RefreshStore } from '../store/refresh-store.js';
import type { RefreshDependencies } from './refresh.js';

export type RefreshCollaborators = Omit<RefreshDependencies, 'refreshes' | 'pacer'> & {
  dynamo: DynamoDBClient;
  tableName: string;
  /** Overrides of the cross-container pacer (tests run unpaced: `callsPerSecond: Infinity`). */
  pacing?: Omit<CallPacingStoreOptions, 'client' | 'tableName'>;
  /** How long a refresh's claim lasts without release. */
  refreshLeaseMs?: number;
};

/**
 * The refresh's dependencies from the services a container already has (Graph client, tokens,
 * back-off, the index with its event sink, the Page registry): adds the two stores only webhooks use,
 * the coalescing items and the cross-container pacer.
 */
export function createRefreshDependencies(collaborators: RefreshCollaborators): RefreshDependencies {
  const { dynamo, tableName, pacing, refreshLeaseMs, ...rest } = collaborators;
  return {
    ...rest,
    refreshes: new RefreshStore({
      client: dynamo,
      tableName,
      ...(refreshLeaseMs === undefined ? {} : { leaseMs: refreshLeaseMs }),
    }),
    pacer: new CallPacingStore({ client: dynamo, tableName, ...pacing }),
  };
}
