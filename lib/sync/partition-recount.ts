import { emptyPartition, partitionName } from '../domain/sync-state.js';
import type { Platform } from '../domain/vocabulary.js';
import type { RunContext } from './run-context.js';

/**
 * Counts the configured folders of these platforms again from the index (`ConversationIndex.recount`)
 * and keeps the counts in the partitions' state: after a run that died between index writes and their
 * counters, after a failed index write, and at the end of each reconciliation. Throws if DynamoDB fails:
 * the run then ends without releasing its lease, so the next run counts again.
 */
export async function recountPartitions(context: RunContext, platforms: readonly Platform[]): Promise<void> {
  const { deps, pageId } = context;
  const counts: Record<string, number> = {};
  for (const platform of platforms) {
    for (const folder of deps.folders) {
      const name = partitionName(platform, folder);
      const partition = context.partitions[name] ?? emptyPartition(platform, folder);
      context.partitions[name] = partition;
      partition.indexedConversations = await deps.index.recount({ pageId, platform, folder });
      counts[name] = partition.indexedConversations;
    }
  }
  deps.logger.info('sync recounted the index', { page_id: pageId, indexed_conversations: counts });
}
