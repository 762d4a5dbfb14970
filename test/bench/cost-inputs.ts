/**
 * The cost model's inputs as of today: per-operation counts, each marked `measured` (by this bench; the
 * README's table of 2026-11-26 or the issue's review of the code) or `assumed` (not measured yet: a later
 * bench step replaces it), the issue's workload per Page per day, and the two documented profiles.
 */
import type { Count, Deployment, OperationCounts, Scenario, Workload } from './cost-model.js';

const measured = (value: number, from: string): Count => ({ value, source: 'measured', from });
const assumed = (value: number, from: string): Count => ({ value, source: 'assumed', from });
const KB = 1024;

/** Issue 20's assumptions, per Page per day. */
export const ISSUE_WORKLOAD: Workload = { conversationChanges: 20, apiRequests: 100, webhookDeliveries: 60 };

export const TODAY_COUNTS: OperationCounts = {
  syncRunMs: measured(
    1_436,
    'bench round: mean steady run (4 partitions, profile read daily) of 200 Pages with 150-300 ms added per Graph call, 10 at once; 2,000 assumed before',
  ),
  scheduleMsPerSend: measured(
    20.6,
    'bench round: 100,000 Pages enqueued in 197-216 s, one SendMessageBatch of 10 at a time, against a stand-in answering after 10 ms (SQS time assumed)',
  ),
  apiRequestMs: assumed(
    300,
    'one Graph round trip and one PutItem; the handler alone is 7.1 ms p50 in process',
  ),
  receiverMs: assumed(20, 'one SQS send; verify and parse measured at 0.015 ms p50 in process'),
  refreshMs: assumed(500, 'one Graph call per webhook (measured 1.00) plus pacing and index writes'),
  graphCallsPerRun: measured(
    4,
    'bench round: 4.00 per steady run (1 per partition); the profile call once a day per Page (5 before, every run)',
  ),
  runWriteUnits: measured(4.99, 'bench (a): 499 WU for 100 quiet runs'),
  runReadUnits: measured(
    3,
    'bench fan-out: 30,000 reads for 10,000 quiet runs (1 RRU each assumed: items under 4 KB)',
  ),
  changeWriteUnits: measured(7.02, 'bench (b) minus (a): (850 − 499) WU for 50 changed conversations'),
  requestWriteUnits: measured(1, 'bench request path: 1 write (the cursor item) per answer'),
  requestReadUnits: assumed(
    0.5,
    'bench request path measured 0 reads warm, 1 with a cursor; half carry a cursor',
  ),
  refreshWriteUnits: assumed(
    3,
    'claim and release of the refresh item, the pacing item (the change itself is counted apart)',
  ),
  refreshReadUnits: assumed(2, 'back-off and registry items'),
  registryItemBytes: assumed(400, 'a registry item with name, token health and sync summary'),
  conversationsPerPage: assumed(1_000, 'an index of 1,000 conversations per Page'),
  storedBytesPerConversation: assumed(
    1_600,
    'item under 1 KB (backfill measured 1 WU table + 2 WU per index write) in the table and gsi1',
  ),
  runLogBytes: measured(
    932,
    'test/scale-log-bytes.test.ts: a quiet warm run through the sync worker entry point, log and EMF lines (1,433 before)',
  ),
  requestLogBytes: measured(
    702,
    'test/scale-log-bytes.test.ts: a warm API request through the API entry point, log and EMF lines (864 before)',
  ),
  receiverLogBytes: assumed(0.5 * KB, 'one line and one EMF line per delivery'),
  refreshLogBytes: assumed(0.83 * KB, 'as much as an API request'),
  platformLogBytes: assumed(0.35 * KB, "Lambda's START, END and REPORT lines per invocation"),
  accessLogBytes: assumed(0.3 * KB, "API Gateway's access log line (eight fields)"),
  secretCacheSeconds: measured(300, 'README: 1,000 Pages in 5 shared secrets, 5 reads per 5-minute period'),
  refreshesPerDelivery: assumed(1, 'each delivery names one conversation; coalescing of bursts not counted'),
  pollRequestsPerQueueMonth: assumed(
    648_000,
    "Lambda's 5 pollers, one 20 s long poll each at a time, on an idle queue",
  ),
};

/** The stack as deployed with no settings. */
export const DEFAULT_DEPLOYMENT: Deployment = {
  scheduleMinutes: 15,
  pagesPerSecret: 1,
  webhooks: false,
  dashboard: true,
  alarmMetrics: 8,
  // GraphCalls, SyncRuns, ConversationsChanged, ChangeEventsEmitted, PagesScheduled by service, and
  // Powertools' ColdStart per function, plus the odd error metric (issue 20: about $3).
  customMetrics: 10,
  memoryMb: 512,
  architecture: 'arm64',
  syncConcurrency: 10,
  syncBatchSize: 1,
  refreshBatchSize: 5,
  refreshConcurrent: false,
  // lib/sync/sync-queue.ts sends SendMessageBatch of 10, one batch at a time (scheduleMsPerSend is per batch).
  scheduleSendBatch: 10,
  logRetentionDays: 30,
  customerManagedKeys: 0,
};

/** The cheapest the README documents: shared secrets, a 6-hour schedule, webhooks on. */
export const CHEAPEST_DEPLOYMENT: Deployment = {
  ...DEFAULT_DEPLOYMENT,
  scheduleMinutes: 360,
  pagesPerSecret: 190,
  webhooks: true,
  // The webhook functions add WebhookDeliveries, WebhookRefreshes by outcome (three in a steady
  // month), and their own GraphCalls, ConversationsChanged, ChangeEventsEmitted and ColdStart.
  customMetrics: 19,
};

export interface Profile {
  readonly name: string;
  readonly scenario: Scenario;
}

export const PROFILES: readonly Profile[] = [
  {
    name: 'defaults (15-min schedule, a secret per Page, webhooks off)',
    scenario: { workload: ISSUE_WORKLOAD, deployment: DEFAULT_DEPLOYMENT, counts: TODAY_COUNTS },
  },
  {
    name: 'cheapest the README documents (shared secrets of 190 Pages, 6-hour schedule, webhooks on)',
    scenario: { workload: ISSUE_WORKLOAD, deployment: CHEAPEST_DEPLOYMENT, counts: TODAY_COUNTS },
  },
];

export const PAGE_COUNTS = [10, 1_000, 10_000, 100_000] as const;
