import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../domain/errors.js';
import { type Admission, createAdmission } from '../privacy/admission.js';
import type { DataDeletionDependencies } from '../privacy/data-deletion.js';
import type { ErasableIndex, ErasureDependencies } from '../privacy/erasure.js';
import { type ExpiryDependencies, expireFolder, sweepPage } from '../privacy/expiry.js';
import type { PrivacyJobQueue } from '../privacy/jobs.js';
import { PersonHasher, type PersonKeySource } from '../privacy/person-hash.js';
import { TablePersonKey } from '../privacy/person-key.js';
import type { PrivacyWorkDependencies } from '../privacy/privacy-worker.js';
import { buildPersonRefsOnce } from '../privacy/ref-backfill.js';
import { retentionCutoff } from '../privacy/retention.js';
import { ErasureStore } from '../store/erasure-store.js';
import type { IndexPartition } from '../store/keys.js';
import type { PageRegistry } from '../store/page-registry.js';
import { PersonStore } from '../store/person-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';

/**
 * A person's data, composed once per container beside the other services (`services.ts`): the
 * index's `admit` hook (erasure records, retention, person refs), the erasure, the expiry sweep, and
 * what a read that asks for conversations past the retention does.
 */
export interface PrivacyInfrastructure {
  dynamo: DynamoDBClient;
  tableName: string;
  registry: PageRegistry;
  logger: Logger;
  now: () => Date;
  retentionDays: number | undefined;
  /** The person-hash key: AWS passes the secret's; the local table's unless given. */
  personKey?: PersonKeySource | undefined;
  /** Where erasure work off the request path goes; without one, a read queues no sweep. */
  jobs?: PrivacyJobQueue | undefined;
}

/** The parts the index needs before it exists (its `admit` hook), and the stores. */
export interface PrivacyBase {
  hasher: PersonHasher;
  persons: PersonStore;
  erasures: ErasureStore;
  admission: Admission;
}

export interface PrivacyServices extends PrivacyBase {
  erasure: ErasureDependencies;
  work: PrivacyWorkDependencies;
  /**
   * The scheduled run's housekeeping of a Page: person refs for conversations indexed before them
   * (once), then the retention's daily sweep (none without a retention, or when swept today).
   */
  sweep: (pageId: string) => Promise<number>;
  /** The indexed read's retention: the instant before which nothing is shown, and its folder's sweep. */
  readRetention: ReadRetention;
  /** The receiver's part of Meta's callback, given the app secret and where its erasures go. */
  dataDeletion: (
    secrets: DataDeletionDependencies['secrets'],
    jobs: PrivacyJobQueue,
    metrics?: ProductMetrics,
  ) => DataDeletionDependencies;
}

/** What the indexed read (`list-indexed.ts`) is given: nothing older than `cutoff` is shown. */
export interface ReadRetention {
  cutoff(now: Date): Date | undefined;
  /** The read asked for older conversations than the retention keeps: have the folder swept. */
  askedBeyond(partition: IndexPartition): Promise<void>;
}

/** A key source for functions that must never hash: a clear failure instead of a table key. */
export const NO_PERSON_KEY: PersonKeySource = {
  key: async () => {
    throw new ConfigurationError('PERSON_KEY_SECRET_ID must be set in Lambda (function hashes person ids).');
  },
};

export function createPrivacyBase(infra: PrivacyInfrastructure): PrivacyBase {
  const persons = new PersonStore(infra.dynamo, infra.tableName);
  const hasher = new PersonHasher(infra.personKey ?? new TablePersonKey(persons));
  const erasures = new ErasureStore(infra.dynamo, infra.tableName);
  const admission = createAdmission({
    hasher,
    persons,
    registry: infra.registry,
    retention: { days: infra.retentionDays },
    now: infra.now,
  });
  return { hasher, persons, erasures, admission };
}

/** A read sweeps a folder at most this often per container: repeated reads queue one job. */
const READ_SWEEP_EVERY_MS = 60_000;

export function createPrivacyServices(
  base: PrivacyBase,
  index: ErasableIndex,
  infra: PrivacyInfrastructure,
): PrivacyServices {
  const { hasher, persons, erasures } = base;
  const { registry, logger, now } = infra;
  const retention = { days: infra.retentionDays };
  const erasure: ErasureDependencies = { index, persons, erasures, hasher, registry, logger, now };
  const expiry: ExpiryDependencies = { index, erasures, persons, hasher, registry, retention, logger, now };
  const work: PrivacyWorkDependencies = {
    ...expiry,
    ...erasure,
    index,
    erasures,
    registry,
    requests: erasures,
  };
  const queued = new Map<string, number>();
  const readRetention: ReadRetention = {
    cutoff: (at) => retentionCutoff(retention, at),
    askedBeyond: async (partition) => {
      const cutoff = retentionCutoff(retention, now());
      if (cutoff === undefined) return;
      const key = `${partition.pageId}/${partition.platform}/${partition.folder}`;
      const last = queued.get(key);
      if (last !== undefined && now().getTime() - last < READ_SWEEP_EVERY_MS) return;
      try {
        // One item is enough to know the folder holds expired conversations: a Query of Limit 1.
        if ((await erasures.expiredLive(partition, cutoff, 1)).length === 0) return;
        queued.set(key, now().getTime());
        if (infra.jobs !== undefined) await infra.jobs.send({ kind: 'expire', ...partition });
        else await expireFolder(expiry, partition);
      } catch (error: unknown) {
        // The read's answer already leaves them out; the daily sweep removes them anyway.
        logger.warn('expired conversations not queued for removal', { page_id: partition.pageId, error });
      }
    },
  };
  return {
    ...base,
    erasure,
    work,
    sweep: async (pageId) => {
      // Once per Page, after the upgrade that brought person refs; then the retention's daily sweep.
      await buildPersonRefsOnce({ erasures, index, hasher, persons, registry, logger, now }, pageId);
      return sweepPage(expiry, pageId);
    },
    readRetention,
    dataDeletion: (secrets, jobs, metrics) => ({ secrets, requests: erasures, jobs, logger, now, metrics }),
  };
}
