/**
 * What a reconciliation costs, run for real (syncPage with `full`) against the emulator and dynalite:
 * one 10,000-conversation partition with 1% deleted and 1% moved to the other covered folder (Graph
 * calls, DynamoDB reads and write units, wall time at Graph's 2 calls per second), and the Graph calls
 * per day of a quiet Page reconciled daily on a stretched schedule with webhooks on.
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
import { syncPage } from '#lib/sync/page-run.js';
import { type DynamoCounts, totalUnits } from './dynamo-meter.js';
import { startBenchEnvironment } from './environment.js';
import { count, progress, type Report, seconds, within } from './report.js';

const PACE_MS = 500; // Graph's Conversations API: 2 calls per second per Page and per Instagram account
const DAY_SECONDS = 86_400;
const SECTION = 'Reconciliation (syncPage with full=true, one platform, folders inbox and other)';
const UNPACED = { callsPerSecond: Number.POSITIVE_INFINITY };

export interface ReconcileBenchOptions {
  /** Conversations in the one large partition (messenger/inbox). */
  conversations: number;
  /** Share of them deleted, and share moved to `other`, before the reconciliation. */
  deletedShare: number;
  movedShare: number;
  /** The stretched schedule the quiet Page's daily calls are projected for (webhooks on). */
  scheduleMinutes: number;
}

/** One Messenger inbox of `size` conversations spread over 60 days. */
function largeInbox(pageId: string, size: number): EmulatedPage {
  const random = mulberry32(0x4ec0c11e);
  const nowSeconds = Math.floor(truncateToSecond(new Date()).getTime() / 1000);
  const page: EmulatedPage = {
    id: pageId,
    name: 'Bench Page',
    accessToken: emulatorToken(pageId),
    conversations: [],
  };
  for (let i = 0; i < size; i++) {
    const time = new Date((nowSeconds - 1 - Math.floor(random() * 60 * DAY_SECONDS)) * 1000);
    const number = 20_000_000_000_000 + i * 7;
    page.conversations.push(
      makeConversation(random, { page, platform: 'messenger', folder: 'inbox', number, time }),
    );
  }
  return page;
}

/** Write units by item kind: RECON chunks, CONV index items (+ their GSI entries), CHANGES feed, PAGE state. */
const units = (dynamo: DynamoCounts) => {
  const kinds = Object.entries(dynamo.tableUnits)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, value]) => `${kind} ${count(value)}`);
  // Writes whose update expression the meter cannot apply are billed as dynalite reports them: table only.
  const unmodelled =
    dynamo.unmodelled > 0 ? `; ${count(dynamo.unmodelled)} not modelled, their GSI units not counted` : '';
  return `${count(totalUnits(dynamo))} WU in ${count(dynamo.writes)} writes (${kinds.join(', ')}, GSI ${count(dynamo.indexUnits)}${unmodelled})`;
};

export async function benchReconcile(report: Report, options: ReconcileBenchOptions): Promise<void> {
  const largeId = '3888888888888888';
  const quietId = '3888888888888889';
  const now = truncateToSecond(new Date());
  const env = await startBenchEnvironment(
    { pages: [largeInbox(largeId, options.conversations), seedPage(quietId, { perPartition: 20, now })] },
    { units: true, dynalite: 'child' },
  );
  try {
    const large = env.services({
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox,other' },
      pacer: UNPACED,
    });
    progress(`reconcile: backfill of ${count(options.conversations)} conversations (not counted)`);
    await syncPage(large.sync, largeId);
    const inbox = env.emulator.pages.get(largeId)?.conversations ?? [];
    const deleted = Math.round(options.conversations * options.deletedShare);
    const moved = Math.round(options.conversations * options.movedShare);
    // Every 50th conversation, from the oldest and the newest ends alike: spread over the listings.
    const picked = inbox.filter((_, i) => i % 50 === 7).slice(0, deleted + moved);
    for (const conversation of picked.slice(0, deleted))
      env.emulator.deleteConversation(largeId, conversation.id);
    for (const conversation of picked.slice(deleted))
      env.emulator.moveConversation(largeId, conversation.id, 'other');

    progress('reconcile: the reconciliation run');
    env.meter.take();
    const graphBefore = env.emulator.callCount();
    const started = performance.now();
    const run = await syncPage(large.sync, largeId, { full: true });
    const wallMs = performance.now() - started;
    const calls = env.emulator.callCount() - graphBefore;
    const dynamo = env.meter.take();
    const records = Object.values(run.partitions);
    const removedCount = records.reduce((sum, record) => sum + record.removed, 0);
    const movedCount = records.reduce((sum, record) => sum + record.moved, 0);
    const left = options.conversations - deleted - moved;
    const listings = Math.ceil(left / MAX_LIMIT) + Math.max(1, Math.ceil(moved / MAX_LIMIT));
    // The run's incremental pass (1 per folder), the listings, the incremental pass again (1 per folder).
    const floor = 2 + listings + 2;
    report.add({
      section: SECTION,
      measure: `${count(options.conversations)} conversations, ${count(deleted)} deleted, ${count(moved)} moved: Graph calls`,
      value: count(calls),
      reference: `⌈N/${MAX_LIMIT}⌉ per folder = ${count(listings)}, + 2 × 1 per folder (incremental pass before and after)`,
      budget: `= ${count(floor)}`,
      verdict: within(calls, floor),
    });
    report.add({
      section: SECTION,
      measure: 'removed, moved (from the run record)',
      value: `${count(removedCount)}, ${count(movedCount)}`,
      reference: `${count(deleted)}, ${count(moved)}`,
      budget: 'exact',
      verdict: removedCount === deleted && movedCount === moved ? 'ok' : 'MISSED',
    });
    report.add({
      section: SECTION,
      measure: 'DynamoDB write units',
      value: units(dynamo),
      reference: `1 chunk per listing (${count(listings)}), 1 index write per change (${count(deleted + moved)}), its changes-feed record (batched) and the write clearing its pending event, counters and state`,
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section: SECTION,
      measure: 'DynamoDB reads (calls)',
      value: count(dynamo.reads),
      reference: '1 BatchGetItem per listing, the chunks and live ids once, the recount',
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section: SECTION,
      measure: 'wall time at 2 calls/s (from the calls); measured unpaced',
      value: `${seconds((calls - 1) * PACE_MS)}; ${seconds(wallMs)}`,
      reference: '(calls − 1) × 0.5 s: Graph’s pace decides, not the work per listing',
      budget: '—',
      verdict: 'info',
    });

    progress('reconcile: a quiet Page, reconciled daily');
    const quiet = env.services({ pacer: UNPACED });
    await syncPage(quiet.sync, quietId);
    const quietBefore = env.emulator.callCount();
    await syncPage(quiet.sync, quietId);
    const quietRun = env.emulator.callCount() - quietBefore;
    const reconcileBefore = env.emulator.callCount();
    await syncPage(quiet.sync, quietId, { full: true });
    const reconcileRun = env.emulator.callCount() - reconcileBefore;
    const runsPerDay = (24 * 60) / options.scheduleMinutes;
    // The run after the first reads neither the profile nor the subscription: each is due once a day.
    const dailyChecks = 2;
    const daily = runsPerDay * quietRun + (reconcileRun - quietRun) + dailyChecks;
    report.add({
      section: SECTION,
      measure: `Graph calls per quiet Page per day (20 per folder, 2 platforms × 2 folders, schedule every ${options.scheduleMinutes} min, webhooks on, reconciled daily)`,
      value: `${count(daily)} + the webhooks' own`,
      reference: `${count(runsPerDay)} runs × ${quietRun} + the reconciliation's ${reconcileRun - quietRun} more (a listing and a look at the top per folder) + the daily profile and webhook subscription reads (${dailyChecks})`,
      budget: '—',
      verdict: 'info',
    });
  } finally {
    await env.close();
  }
}
