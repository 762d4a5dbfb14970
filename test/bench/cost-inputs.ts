/**
 * The cost model's inputs as of today: per-operation counts, each marked `measured` (by this bench,
 * named in `from`) or `assumed` (not measured: what it stands on is said), the issue's workload per
 * Page per day, and the deployments the cost tables show.
 */
import { REFRESH_BATCH_SIZE, SYNC_BATCH_SIZE } from '#lib/config/stack-sizing.js';
import type { Count, Deployment, OperationCounts, Scenario, Workload } from './cost-model.js';

const measured = (value: number, from: string): Count => ({ value, source: 'measured', from });
const assumed = (value: number, from: string): Count => ({ value, source: 'assumed', from });
const KB = 1024;

/** Issue 20's assumptions, per Page per day. */
export const ISSUE_WORKLOAD: Workload = { conversationChanges: 20, apiRequests: 100, webhookDeliveries: 60 };

/**
 * `npm run bench -- memory` of 2026-12-07 (docs/benchmarks.md): the deployed entry points in a child
 * process, 40 invocations of each one at a time after 8 to warm up, Graph 150-300 ms a call; medians of
 * CPU and wall time (a whole core of this machine standing for a Lambda vCPU), means of the counts.
 */
const MEMORY_BENCH = 'bench memory (2026-12-07)';

export const TODAY_COUNTS: OperationCounts = {
  syncRunMs: measured(
    1_436,
    'bench round: mean steady run (4 partitions, profile read daily) of 200 Pages with 150-300 ms added per Graph call, 10 at once; the runs of 2026-12-07 measured 1,204 to 1,431 ms (kept: lib/config/stack-sizing.ts sizes the workers from 1,436)',
  ),
  syncRunCpuMs: measured(18.3, `${MEMORY_BENCH}: CPU of a steady sync run (wall 1,024 ms, one at a time)`),
  scheduleMsPerSend: measured(
    2.84,
    'bench round (2026-12-07, second run): 100,000 Pages listed and enqueued in 26.3 and 30.4 s, 10,000 SendMessageBatch calls of 10, 16 in flight, against a stand-in answering after 10 ms (SQS time assumed)',
  ),
  scheduleCpuMsPerSend: measured(1.36, 'bench round: the same invocations used 14.5 and 12.6 s of CPU'),
  apiRequestMs: measured(230.5, `${MEMORY_BENCH}: GET /pages/{id}/conversations through the API entry point`),
  apiRequestCpuMs: measured(4.3, `${MEMORY_BENCH}: its CPU`),
  receiverMs: measured(
    13.2,
    `${MEMORY_BENCH}: a signed POST through the receiver entry point, one SQS send answered after 10 ms (SQS time assumed)`,
  ),
  receiverCpuMs: measured(2.5, `${MEMORY_BENCH}: its CPU`),
  refreshMs: measured(
    243.5,
    `${MEMORY_BENCH}: one refresh through the refresh worker entry point, 1 Graph call; a third with a change (244.3 ms), two thirds with nothing new (243.1 ms)`,
  ),
  refreshCpuMs: measured(
    18.6,
    `${MEMORY_BENCH}: its CPU, weighted as above (21.8 ms changed, 17.0 nothing new)`,
  ),
  graphCallsPerRun: measured(
    4,
    `bench round and ${MEMORY_BENCH}: 4.00 per steady run (1 per partition); the profile call once a day per Page`,
  ),
  runWriteUnits: measured(
    5,
    `bench round and ${MEMORY_BENCH}: 3 writes, 5.00 WU per steady run (4.99 in the sync bench)`,
  ),
  runReadUnits: measured(
    5,
    'bench round (2026-12-07): 5.0 reads per steady run, each Page once a round as at scale (1 RRU each: items under 4 KB); 2.15 in bench memory, where one container ran the same 8 Pages again',
  ),
  changeWriteUnits: measured(7.02, 'bench (b) minus (a): (850 − 499) WU for 50 changed conversations'),
  requestWriteUnits: measured(1, 'bench request path and memory: 1 write (the cursor item) per answer'),
  requestReadUnits: assumed(
    0.5,
    `${MEMORY_BENCH}: 0 reads when the container has the Page's registry item cached, 1.5 on a container's first requests (quick run); half assumed`,
  ),
  refreshWriteUnits: measured(
    5,
    `${MEMORY_BENCH}: a refresh with nothing new, 5 writes, 5.00 WU (with a change 7.00: the change is counted apart)`,
  ),
  refreshReadUnits: measured(2, `${MEMORY_BENCH}: 2.00 reads a refresh, with a change or without`),
  registryItemBytes: measured(348, `${MEMORY_BENCH}: a registered Page's item after its runs`),
  conversationsPerPage: assumed(1_000, 'an index of 1,000 conversations per Page'),
  storedBytesPerConversation: measured(
    1_628,
    `${MEMORY_BENCH}: the conversation item, its person refs and index entries, 100 bytes overhead each, over 8 Pages' 960 conversations (the changes feed, kept CHANGES_DAYS, not counted)`,
  ),
  runLogBytes: measured(
    886,
    `${MEMORY_BENCH}: a steady run through the sync worker entry point (1,433 before issue 20)`,
  ),
  requestLogBytes: measured(
    657,
    `${MEMORY_BENCH}: a request through the API entry point (864 before issue 20)`,
  ),
  receiverLogBytes: measured(
    962,
    `${MEMORY_BENCH}: a delivery through the receiver entry point, log and EMF lines`,
  ),
  refreshLogBytes: measured(
    638,
    `${MEMORY_BENCH}: a refresh, a third with a change (852 bytes), two thirds with nothing new (531)`,
  ),
  platformLogBytes: assumed(0.35 * KB, "Lambda's START, END and REPORT lines per invocation"),
  accessLogBytes: assumed(0.3 * KB, "API Gateway's access log line (eight fields)"),
  secretCacheSeconds: measured(
    3_600,
    'PAGE_TOKEN_CACHE_SECONDS (an hour; 5 minutes before 981d440): test/pages-shared-secrets, one read per secret per period',
  ),
  refreshesPerDelivery: assumed(1, 'each delivery names one conversation; coalescing of bursts not counted'),
  pollRequestsPerQueueMonth: assumed(
    648_000,
    "Lambda's 5 pollers, one 20 s long poll each at a time, on an idle queue",
  ),
};

/**
 * What a user who follows the README gets: the stack's defaults (15-minute schedule, webhooks on,
 * the dashboard, 256 MB on arm64 (the schedule 1,024), sync runs 10 and refreshes 5 an invocation, run at once) and `pages connect`, which
 * stores a secret per Page up to 10 Pages and shared secrets (about 190 Pages each) above.
 */
export const README_DEPLOYMENT: Deployment = {
  scheduleMinutes: 15,
  pagesPerSecret: 190,
  sharedSecretsAbovePages: 10,
  webhooks: true,
  dashboard: true,
  // test/cdk/alarms.test.ts: seven alarms read 18 metrics (with webhooks off, three alarms fewer).
  alarmMetrics: 18,
  // Bench memory: 14 series in the EMF lines of the sync worker, API, receiver and refresh (ColdStart
  // per function, GraphCalls and the outcome sets), plus the schedule's PagesScheduled,
  // PagesNotSubscribed and ColdStart. Error outcomes add a series in a month they occur.
  customMetrics: 17,
  memoryMb: 256,
  architecture: 'arm64',
  // Left out, as the stack leaves it: computed from expectedPages (set to the Pages) and the schedule.
  syncConcurrency: undefined,
  syncBatchSize: SYNC_BATCH_SIZE,
  refreshBatchSize: REFRESH_BATCH_SIZE,
  refreshConcurrent: true,
  scheduleSendBatch: 10,
  logRetentionDays: 30,
  customerManagedKeys: 0,
};

/** Issue 20's "defaults" when it was filed: a secret per Page, webhooks off. */
export const ISSUE_DEFAULT_DEPLOYMENT: Deployment = {
  ...README_DEPLOYMENT,
  pagesPerSecret: 1,
  sharedSecretsAbovePages: undefined,
  webhooks: false,
  // Without webhooks the receiver's and refresh's 7 series are not published.
  customMetrics: 10,
  // The stack's default when the issue was filed.
  memoryMb: 512,
};

/**
 * The cheapest the README documents: shared secrets from the first Page (`pages connect --shared`),
 * a 6-hour schedule, webhooks on, no dashboard (`dashboard: false`), 256 MB (`memorySize`: the size
 * bench memory found cheapest for every function).
 */
export const CHEAPEST_DEPLOYMENT: Deployment = {
  ...README_DEPLOYMENT,
  scheduleMinutes: 360,
  sharedSecretsAbovePages: undefined,
  dashboard: false,
  memoryMb: 256,
};

export interface Profile {
  readonly key: 'readme' | 'issue' | 'cheapest';
  readonly name: string;
  readonly scenario: Scenario;
}

const scenarioOf = (deployment: Deployment): Scenario => ({
  workload: ISSUE_WORKLOAD,
  deployment,
  counts: TODAY_COUNTS,
});

export const PROFILES: readonly Profile[] = [
  {
    key: 'readme',
    name: 'defaults, as the README sets up (15-min schedule, webhooks on, shared secrets above 10 Pages, 256 MB)',
    scenario: scenarioOf(README_DEPLOYMENT),
  },
  {
    key: 'cheapest',
    name: 'cheapest the README documents (shared secrets, 6-hour schedule, webhooks on, no dashboard, 256 MB)',
    scenario: scenarioOf(CHEAPEST_DEPLOYMENT),
  },
  {
    key: 'issue',
    name: "issue 20's defaults (15-min schedule, a secret per Page, webhooks off, 512 MB)",
    scenario: scenarioOf(ISSUE_DEFAULT_DEPLOYMENT),
  },
];

export const profile = (key: Profile['key']): Profile => {
  const found = PROFILES.find((p) => p.key === key);
  if (found === undefined) throw new Error(`no cost profile ${key}`);
  return found;
};

export const PAGE_COUNTS = [10, 1_000, 10_000, 100_000] as const;
