/**
 * What the scheduled sync costs, run for real (syncPage through the InProcessSyncRunner) against the
 * emulator and dynalite: Graph calls, DynamoDB write units and wall time, for a quiet run, a run after
 * some conversations changed, and the backfill of one large partition.
 */
import { MAX_LIMIT } from '#lib/domain/vocabulary.js';
import type { EmulatedPage } from '#lib/local/graph-emulator.js';
import {
  emulatorToken,
  makeConversation,
  mulberry32,
  seedPage,
  truncateToSecond,
} from '#lib/local/graph-emulator-seed.js';
import type { LocalServices } from '#lib/local/local-services.js';
import type { PageRunResult } from '#lib/sync/page-run.js';
import { totalUnits } from './dynamo-meter.js';
import { type BenchEnvironment, startBenchEnvironment } from './environment.js';
import { count, progress, type Report, seconds, within } from './report.js';

const PACE_MS = 500; // Graph's Conversations API: 2 calls per second per Page and per Instagram account
const DAY_SECONDS = 86_400;

export interface SyncCostOptions {
  pages: number;
  perPartition: number;
  changed: number;
  backfill: number;
}

/** One run of `pageIds`, measured: wall time, Graph calls, DynamoDB counts, and the run results. */
async function measuredRun(
  env: BenchEnvironment,
  services: LocalServices,
  pageIds: string[],
  concurrency: number,
) {
  const runner = services.runner;
  if (runner === undefined) throw new Error('the services have no in-process runner');
  env.meter.take();
  const graphBefore = env.emulator.callCount();
  const started = performance.now();
  const results = await runner.syncAll(pageIds, concurrency);
  const wallMs = performance.now() - started;
  return { wallMs, graph: env.emulator.callCount() - graphBefore, dynamo: env.meter.take(), results };
}

function outcomes(results: PageRunResult[], expected: number): string {
  const byOutcome = new Map<string, number>();
  for (const result of results) byOutcome.set(result.outcome, (byOutcome.get(result.outcome) ?? 0) + 1);
  const missing = expected - results.length;
  if (missing > 0) byOutcome.set('crashed', missing);
  return [...byOutcome].map(([outcome, n]) => `${count(n)} ${outcome}`).join(', ');
}

/** One Messenger inbox of `size` conversations spread over 60 days, newest first in Graph's order. */
function largePartitionPage(pageId: string, size: number): EmulatedPage {
  const random = mulberry32(0xbac0f111);
  const nowSeconds = Math.floor(truncateToSecond(new Date()).getTime() / 1000);
  const page: EmulatedPage = {
    id: pageId,
    name: 'Bench Large Page',
    accessToken: emulatorToken(pageId),
    conversations: [],
  };
  for (let i = 0; i < size; i++) {
    const time = new Date((nowSeconds - 1 - Math.floor(random() * 60 * DAY_SECONDS)) * 1000);
    const number = 10_000_000_000_000 + i * 7;
    page.conversations.push(
      makeConversation(random, { page, platform: 'messenger', folder: 'inbox', number, time }),
    );
  }
  return page;
}

const unitsText = (dynamo: ReturnType<BenchEnvironment['meter']['take']>) => {
  const index = (dynamo.tableUnits.CONV ?? 0) + dynamo.indexUnits;
  return {
    value: `${count(totalUnits(dynamo))} WU (${count(dynamo.writes)} writes, ${count(dynamo.failedConditionalWrites)} failed conditional)`,
    floor: `index data alone: ${count(index)} WU (table ${count(dynamo.tableUnits.CONV ?? 0)} + GSI ${count(dynamo.indexUnits)})`,
  };
};

export async function benchSyncCost(report: Report, options: SyncCostOptions): Promise<void> {
  const now = truncateToSecond(new Date());
  const pageIds = Array.from({ length: options.pages }, (_, i) => String(3_000_000_000_000_000 + i));
  const pages = pageIds.map((id) => seedPage(id, { perPartition: options.perPartition, now }));
  const largeId = '3999999999999999';
  pages.push(largePartitionPage(largeId, options.backfill));
  const env = await startBenchEnvironment({ pages }, { units: true, dynalite: 'child' });
  try {
    const partitions = options.pages * 4; // messenger and instagram, inbox and other (the defaults)
    const concurrency = options.pages;
    const section = `Sync cost (syncPage via InProcessSyncRunner, real Pacer 2 calls/s per account, ${concurrency} pages at once)`;
    progress(`sync: backfill of ${options.pages} pages (not counted)`);
    const unpaced = env.services({ pacer: { callsPerSecond: Number.POSITIVE_INFINITY } });
    await measuredRun(env, unpaced, pageIds, 20);

    progress('sync: (a) quiet run');
    const quiet = await measuredRun(env, env.services({}), pageIds, concurrency);
    const quietUnits = unitsText(quiet.dynamo);
    const wallFloor = Math.ceil(options.pages / concurrency) * PACE_MS; // 2 calls per account: one wait
    report.add({
      section,
      measure: `(a) quiet run, ${options.pages} pages: Graph calls`,
      value: count(quiet.graph),
      reference: `floor: ${count(partitions)} (1 per partition)`,
      budget: `= ${count(partitions)}`,
      verdict: within(quiet.graph, partitions),
    });
    report.add({
      section,
      measure: '(a) quiet run: DynamoDB write units',
      value: quietUnits.value,
      reference: quietUnits.floor,
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section,
      measure: '(a) quiet run: wall time',
      value: seconds(quiet.wallMs),
      reference: `floor: ${seconds(wallFloor)} (2 calls per account at 2/s)`,
      budget: '—',
      verdict: 'info',
    });
    report.note(`(a) outcomes: ${outcomes(quiet.results, options.pages)}.`);

    progress(`sync: (b) run after ${options.changed} conversations changed`);
    const touchedPages = pages.slice(0, Math.ceil(options.changed / 2));
    let left = options.changed;
    for (const page of touchedPages) {
      const ids = page.conversations
        .filter((c) => c.platform === 'messenger' && c.folder === 'inbox')
        .slice(0, Math.min(2, left))
        .map((c) => c.id);
      env.emulator.touch(page.id, ids);
      left -= ids.length;
    }
    const changed = await measuredRun(env, env.services({}), pageIds, concurrency);
    const changedUnits = unitsText(changed.dynamo);
    const conversationsChanged = changed.results.reduce((sum, r) => sum + r.conversationsChanged, 0);
    report.add({
      section,
      measure: `(b) after ${options.changed} conversations changed: Graph calls`,
      value: count(changed.graph),
      reference: `floor: ${count(partitions)} (each change fits the first page: ⌈(n+1)/${MAX_LIMIT}⌉ = 1)`,
      budget: `= ${count(partitions)}`,
      verdict: within(changed.graph, partitions),
    });
    report.add({
      section,
      measure: '(b) after changes: DynamoDB write units',
      value: `${changedUnits.value}; ${count(conversationsChanged)} indexed as changed`,
      reference: changedUnits.floor,
      budget: `${options.changed} changed`,
      verdict: conversationsChanged === options.changed ? 'ok' : 'MISSED',
    });
    report.add({
      section,
      measure: '(b) after changes: wall time',
      value: seconds(changed.wallMs),
      reference: `floor: ${seconds(wallFloor)}`,
      budget: '—',
      verdict: 'info',
    });
    report.note(`(b) outcomes: ${outcomes(changed.results, options.pages)}.`);

    progress(`sync: (c) backfill of ${count(options.backfill)} conversations in one partition (paced)`);
    const single = env.services({ env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' } });
    const backfill = await measuredRun(env, single, [largeId], 1);
    const backfillUnits = unitsText(backfill.dynamo);
    const callsFloor = Math.ceil(options.backfill / MAX_LIMIT);
    const backfilled = backfill.results[0]?.conversationsChanged ?? 0;
    report.add({
      section: 'Sync cost: backfill of one partition (messenger/inbox), real Pacer',
      measure: `(c) backfill of ${count(options.backfill)}: Graph calls`,
      value: count(backfill.graph),
      reference: `floor: ⌈${count(options.backfill)}/${MAX_LIMIT}⌉ = ${count(callsFloor)} (no mark to reach)`,
      budget: `= ${count(callsFloor)}`,
      verdict: within(backfill.graph, callsFloor),
    });
    report.add({
      section: 'Sync cost: backfill of one partition (messenger/inbox), real Pacer',
      measure: '(c) backfill: DynamoDB write units',
      value: `${backfillUnits.value}; ${count(backfilled)} indexed`,
      reference: backfillUnits.floor,
      budget: `${count(options.backfill)} indexed`,
      verdict: backfilled === options.backfill ? 'ok' : 'MISSED',
    });
    report.add({
      section: 'Sync cost: backfill of one partition (messenger/inbox), real Pacer',
      measure: '(c) backfill: wall time',
      value: seconds(backfill.wallMs),
      reference: `floor: ${seconds((callsFloor - 1) * PACE_MS)} ((calls − 1) × 0.5 s)`,
      budget: '—',
      verdict: 'info',
    });
    const all = [quiet.dynamo, changed.dynamo, backfill.dynamo];
    report.note(
      `Write units are modelled from item sizes (max of before and after, failed conditional writes included, GSI puts/deletes added); dynalite's ConsumedCapacity (table only, successful writes) says ${count(all.reduce((s, d) => s + d.reportedUnits, 0))} WU where the model says ${count(all.reduce((s, d) => s + d.modelledReportedUnits, 0))}${all.some((d) => d.unmodelled > 0) ? `; ${all.reduce((s, d) => s + d.unmodelled, 0)} writes not modelled` : ''}.`,
    );
  } finally {
    await env.close();
  }
}
