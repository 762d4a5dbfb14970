/**
 * The scheduled fan-out at scale: many small pages, created by the emulator on their first request,
 * synced by the local runtime's in-process fan-out (InProcessSyncRunner.syncAll) after a first backfill
 * round; and what the same quiet round would take in Lambda at the CDK's queue concurrency.
 */

import { emulatorToken, seedPage, truncateToSecond } from '#lib/local/graph-emulator-seed.js';
import { InProcessSyncRunner } from '#lib/local/in-process-sync-runner.js';
import type { Services } from '#lib/runtime/services.js';
import { type PageRunResult, syncPage } from '#lib/sync/page-run.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import type { PageCredentials } from '#lib/tokens/token-source.js';
import { DEFAULT_SYNC_CONCURRENCY, DEFAULT_SYNC_MINUTES } from '../../cdk/page-conversations.js';
import { startBenchEnvironment } from './environment.js';
import { count, median, ms, percentile, progress, type Report, seconds } from './report.js';

/** cdk/page-conversations.ts: one page per worker invocation (WORKER_BATCH_SIZE, not exported). */
const WORKER_BATCH_SIZE = 1;
const PACE_MS = 500;
const SAMPLE_PAGES = 30;

export interface FanOutOptions {
  pages: number;
  perPartition: number;
  concurrency: number;
}

function outcomeCounts(results: PageRunResult[], expected: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  if (results.length < expected) counts.set('crashed', expected - results.length);
  return counts;
}

/** One round through the local runtime's fan-out, with each page's run timed. */
async function timedRound(services: Services, pageIds: string[], concurrency: number) {
  const durations: number[] = [];
  const runner = new InProcessSyncRunner(async (pageId) => {
    const started = performance.now();
    const result = await syncPage(services.sync, pageId);
    durations.push(performance.now() - started);
    return result;
  }, services.logger);
  const started = performance.now();
  const results = await runner.syncAll(pageIds, concurrency);
  return { results, durations, wallMs: performance.now() - started };
}

export async function benchFanOut(report: Report, options: FanOutOptions): Promise<void> {
  const now = truncateToSecond(new Date());
  const pageIds = Array.from({ length: options.pages }, (_, i) => String(4_000_000_000_000_000 + i));
  const known = new Set(pageIds);
  const env = await startBenchEnvironment(
    {
      pageFactory: (id) =>
        known.has(id) ? seedPage(id, { perPartition: options.perPartition, now }) : undefined,
    },
    // Counting only: a shadow of 10,000 pages' items is not needed for wall time.
    { units: false, dynalite: 'child' },
  );
  try {
    const credentials = new Map<string, PageCredentials>(
      pageIds.map((id) => [id, { accessToken: emulatorToken(id) }]),
    );
    const tokens = FileTokenSource.fromMap(credentials);
    const section = `Scheduled fan-out: ${count(options.pages)} pages (${options.perPartition} conversation(s) per partition, 4 partitions each)`;

    progress(`fan-out: backfill round over ${count(options.pages)} pages (not counted, unpaced)`);
    const backfill = env.services({ tokens, pacer: { callsPerSecond: Number.POSITIVE_INFINITY } });
    const backfillStarted = performance.now();
    const first = await backfill.runner?.syncAll(pageIds, options.concurrency);
    const backfillMs = performance.now() - backfillStarted;
    const firstOutcomes = outcomeCounts(first ?? [], options.pages);
    if (firstOutcomes.get('complete') !== options.pages) {
      throw new Error(`the backfill round did not complete: ${[...firstOutcomes].join(' ')}`);
    }

    progress(`fan-out: quiet round, ${options.concurrency} at once, real Pacer`);
    const graphBefore = env.emulator.callCount();
    env.meter.take();
    const round = await timedRound(env.services({ tokens }), pageIds, options.concurrency);
    const { results, wallMs, durations } = round;
    const graphCalls = env.emulator.callCount() - graphBefore;
    const dynamo = env.meter.take();
    const outcomes = outcomeCounts(results, options.pages);
    const complete = outcomes.get('complete') ?? 0;

    const partitions = options.pages * 4;
    const localFloor = Math.ceil(options.pages / options.concurrency) * PACE_MS;
    report.add({
      section,
      measure: `quiet round in process (concurrency ${options.concurrency}): outcomes`,
      value: [...outcomes].map(([outcome, n]) => `${count(n)} ${outcome}`).join(', '),
      reference: `Graph calls ${count(graphCalls)} (floor ${count(partitions)}); DynamoDB ${count(dynamo.reads)} reads, ${count(dynamo.writes)} writes`,
      budget: `all ${count(options.pages)} complete`,
      verdict: complete === options.pages ? 'ok' : 'MISSED',
    });
    report.add({
      section,
      measure: 'quiet round in process: wall time',
      value: seconds(wallMs),
      reference: `floor: ${seconds(localFloor)} (⌈pages/concurrency⌉ × 0.5 s)`,
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section,
      measure: `per-page run time at concurrency ${options.concurrency} (median; p90)`,
      value: `${ms(median(durations), 0)}; ${ms(percentile(durations, 90), 0)}`,
      reference: 'floor: 500 ms (2 calls per account at 2/s)',
      budget: '—',
      verdict: 'info',
    });
    // A Lambda worker syncs one page at a time in its own container: time pages without the contention
    // of hundreds of runs on one event loop, a few at once as the queue's workers would.
    const lambdaConcurrency = DEFAULT_SYNC_CONCURRENCY;
    progress(`fan-out: ${SAMPLE_PAGES} pages again, ${lambdaConcurrency} at once, for the Lambda projection`);
    const sample = await timedRound(
      env.services({ tokens }),
      pageIds.slice(0, SAMPLE_PAGES),
      lambdaConcurrency,
    );
    const perPage = median(sample.durations);
    report.add({
      section,
      measure: `per-page run time, ${SAMPLE_PAGES} pages at concurrency ${lambdaConcurrency} (median; p90)`,
      value: `${ms(perPage, 0)}; ${ms(percentile(sample.durations, 90), 0)}`,
      reference: 'floor: 500 ms (2 calls per account at 2/s)',
      budget: '—',
      verdict: 'info',
    });
    const waves = Math.ceil(options.pages / (lambdaConcurrency * WORKER_BATCH_SIZE));
    const projectedMs = waves * perPage;
    const intervalMs = DEFAULT_SYNC_MINUTES * 60_000;
    report.add({
      section,
      measure: `projected quiet round in Lambda (maxConcurrency ${lambdaConcurrency}, batch size ${WORKER_BATCH_SIZE})`,
      value: `${seconds(projectedMs)} (${(projectedMs / 60_000).toFixed(1)} min)`,
      reference: `floor: ${seconds(waves * PACE_MS)}; schedule interval ${DEFAULT_SYNC_MINUTES} min`,
      budget: `≤ ${DEFAULT_SYNC_MINUTES} min (one round per interval)`,
      verdict: projectedMs <= intervalMs ? 'ok' : 'MISSED',
    });
    report.note(
      `Fan-out backfill round (unpaced, not counted): ${seconds(backfillMs)}. Projection: ⌈${count(options.pages)} / (${lambdaConcurrency} × ${WORKER_BATCH_SIZE})⌉ × median per-page run time of the sample at concurrency ${lambdaConcurrency}; SQS polling and invocation overhead not included. Concurrency needed to fit ${DEFAULT_SYNC_MINUTES} min at the measured per-page time: ${Math.ceil((options.pages * perPage) / intervalMs)}.`,
    );
  } finally {
    await env.close();
  }
}
