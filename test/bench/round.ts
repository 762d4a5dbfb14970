/**
 * A round of 100,000 Pages, in process against the emulator (`npm run bench -- round`): the registry
 * listed through the product's own code, the schedule function's fan-out (its entry point in a child
 * process, its queue a recording SQS stand-in), the write rate of the hottest partition key, the worker
 * time of a round at the stack's concurrency projected from a sample of Pages synced for real with
 * Graph's latency added, and the schedule's memory. Each round is run `repeats` times, side by side.
 */

import { SYNC_BATCH_SIZE, syncWorkersFor } from '#lib/config/stack-sizing.js';
import { forEachLimited } from '#lib/domain/concurrency.js';
import { emulatorToken, generatedPageIds } from '#lib/local/graph-emulator.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { syncPage } from '#lib/sync/page-run.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { DEFAULT_SYNC_CONCURRENCY, DEFAULT_SYNC_MINUTES } from '../../cdk/page-conversations.js';
import { type BenchEnvironment, startBenchEnvironment } from './environment.js';
import { KeyWriteMeter } from './key-write-meter.js';
import { count, ms, percentile, progress, type Report, seconds } from './report.js';
import { registryFootprint, runScheduleChild, seedRegistry } from './round-parts.js';
import { startSqsStandIn } from './sqs-stand-in.js';

export interface RoundOptions {
  pages: number;
  /** Pages synced for real, whose run times project the round. */
  sample: number;
  repeats: number;
  /** Graph's time per call, added by the emulator. */
  graphLatencyMs: readonly [number, number];
  /** SQS's time per send, added by the stand-in (an assumption: SQS answers in about 10 ms in-region). */
  sqsLatencyMs: number;
}

/** The goals of issue 20 for a 100,000-Page round. */
const GOAL_INTERVAL_MINUTES = 360;
const GOAL_KEY_WRITES_PER_SECOND = 500;
/** `cdk/sync-fan-out.ts` SCHEDULE_TIMEOUT (not exported). */
const SCHEDULE_TIMEOUT_MS = 60_000;
const HOT_KEY_LIMIT = 1_000;
/**
 * Sampled runs at once, as that many Lambda workers would run them: 10, the stack's fixed default
 * until it was computed from `expectedPages`, kept so that runs of the bench compare.
 */
const SAMPLE_CONCURRENCY = 10;

interface RoundRun {
  listingMs: number;
  listingQueries: number;
  schedule: Awaited<ReturnType<typeof runScheduleChild>>;
  firstRound: SampleRound;
  steadyRound: SampleRound;
}

interface SampleRound {
  durations: number[];
  outcomes: Map<string, number>;
  graphCalls: number;
  reads: number;
  writes: number;
  /** Writes per run on the registry's one key, and on a Page's own key (its state and counters). */
  registryWritesPerRun: number;
  pageKeyWritesPerRun: number;
  hottest: ReturnType<KeyWriteMeter['hottest']>;
}

async function sampleRound(env: BenchEnvironment, meter: KeyWriteMeter, ids: string[]): Promise<SampleRound> {
  const tokens = FileTokenSource.fromMap(new Map(ids.map((id) => [id, { accessToken: emulatorToken(id) }])));
  const services = env.services({ tokens });
  const durations: number[] = [];
  const outcomes = new Map<string, number>();
  const graphBefore = env.emulator.callCount();
  env.meter.take();
  meter.start();
  // A Lambda worker runs one Page at a time: SAMPLE_CONCURRENCY of them at once.
  await forEachLimited(ids, SAMPLE_CONCURRENCY, async (pageId) => {
    const started = performance.now();
    const result = await syncPage(services.sync, pageId);
    durations.push(performance.now() - started);
    outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
  });
  meter.stop();
  const dynamo = env.meter.take();
  const totals = [...meter.totalsByKey()];
  const sum = (test: (key: string) => boolean) =>
    totals.filter(([key]) => test(key)).reduce((total, [, writes]) => total + writes, 0);
  return {
    durations,
    outcomes,
    graphCalls: env.emulator.callCount() - graphBefore,
    reads: dynamo.reads,
    writes: dynamo.writes,
    registryWritesPerRun: sum((key) => key === 'PAGES') / ids.length,
    pageKeyWritesPerRun: sum((key) => key.startsWith('PAGE#')) / ids.length,
    hottest: meter.hottest(),
  };
}

export async function benchRound(report: Report, options: RoundOptions): Promise<void> {
  const generated = { count: options.pages };
  const pageIds = generatedPageIds(generated);
  const env = await startBenchEnvironment(
    { generated, latencyMs: options.graphLatencyMs },
    { units: false, dynalite: 'child' },
  );
  const keyMeter = new KeyWriteMeter(env.dynamo.client);
  const sqs = await startSqsStandIn({ latencyMs: options.sqsLatencyMs });
  const section = `A round of ${count(options.pages)} Pages (emulator with Graph latency ${options.graphLatencyMs.join('–')} ms; dynalite; SQS stand-in ${options.sqsLatencyMs} ms a send)`;
  try {
    const registry = new PageRegistry({ client: env.dynamo.client, tableName: env.tableName });
    progress(
      `round: registering ${count(options.pages)} Pages (the first through register, copies of its item)`,
    );
    const seedStarted = performance.now();
    let reported = 0;
    await seedRegistry(env, registry, pageIds, (done) => {
      if (done - reported >= 10_000) {
        reported = done;
        progress(`  ${count(done)} registered`);
      }
    });
    const seedMs = performance.now() - seedStarted;
    const footprint = await registryFootprint(env, pageIds[0] ?? '', options.pages);
    const sampleIds = pageIds
      .filter((_, i) => i % Math.floor(options.pages / options.sample) === 0)
      .slice(0, options.sample);
    const runs: RoundRun[] = [];
    for (let repeat = 1; repeat <= options.repeats; repeat++) {
      progress(`round ${repeat}: listing the registry`);
      env.meter.take();
      const listingStarted = performance.now();
      const listed = await registry.listPageIds();
      const listingMs = performance.now() - listingStarted;
      const listingQueries = env.meter.take().reads;
      if (listed.length !== options.pages)
        throw new Error(`listed ${listed.length} of ${options.pages} Pages`);
      progress(`round ${repeat}: the schedule function's fan-out, in a child process`);
      sqs.reset();
      const schedule = await runScheduleChild(env, sqs);
      if (sqs.record.pageIds.size !== options.pages) {
        throw new Error(`the schedule enqueued ${sqs.record.pageIds.size} of ${options.pages} Pages`);
      }
      progress(`round ${repeat}: ${options.sample} Pages synced for real, ${SAMPLE_CONCURRENCY} at once`);
      // The sample's Pages are synced afresh each repeat: their first run, then a steady one.
      const firstRound = await sampleRound(env, keyMeter, sampleIds);
      const steadyRound = await sampleRound(env, keyMeter, sampleIds);
      runs.push({ listingMs, listingQueries, schedule, firstRound, steadyRound });
      // The next repeat's first round must be a first run again: other Pages of the same size.
      sampleIds.splice(0, sampleIds.length, ...sampleIds.map((id) => String(BigInt(id) + 1n)));
    }
    reportRound(report, section, options, { seedMs, footprint, runs });
  } finally {
    await sqs.close();
    await env.close();
  }
}

const sideBySide = (runs: RoundRun[], format: (run: RoundRun) => string) => runs.map(format).join(' | ');

function reportRound(
  report: Report,
  section: string,
  options: RoundOptions,
  measured: { seedMs: number; footprint: Awaited<ReturnType<typeof registryFootprint>>; runs: RoundRun[] },
): void {
  const { runs, footprint } = measured;
  const n = options.pages;
  const add = (
    measure: string,
    value: string,
    reference: string,
    budget = '—',
    verdict: 'ok' | 'MISSED' | 'info' = 'info',
  ) => report.add({ section, measure, value, reference, budget, verdict });
  add(
    `registry of ${count(n)} Pages written (BatchWriteItem of the registered item's copies; once)`,
    seconds(measured.seedMs),
    `item ${footprint.itemBytes} bytes`,
  );
  add(
    'registry listing (listPageIds), runs side by side',
    sideBySide(runs, (run) => seconds(run.listingMs)),
    `${sideBySide(runs, (run) => `${count(run.listingQueries)} ${run.listingQueries === 1 ? 'Query' : 'Queries'}`)}; ≈ ${count(footprint.listingReadUnits)} read units (eventually consistent, whole items: a projection does not cut the bill)`,
  );
  add(
    'GET /pages answer (registry.list, limit 100)',
    `1 Query, ${count(101)} items`,
    `≈ ${footprint.answerReadUnits} read units; a cursor walks ${count(Math.ceil(n / 100))} answers for all`,
    'bounded reads per answer',
    'ok',
  );
  const last = runs[runs.length - 1] as RoundRun;
  const sched = last.schedule;
  add(
    "schedule function's invocation (list + send), side by side",
    sideBySide(
      runs,
      (run) => `${seconds(run.schedule.handlerMs)} (CPU ${seconds(run.schedule.handlerCpuMs)})`,
    ),
    `${count(sched.requests)} SendMessageBatch calls, ${sched.maxInFlight} in flight at most; ${(sched.handlerMs / n).toFixed(2)} ms a Page; at 256 MB the CPU time could stretch ×${(1769 / 256).toFixed(1)} (bench memory)`,
    `≤ ${seconds(SCHEDULE_TIMEOUT_MS)} (its timeout)`,
    runs.every((run) => run.schedule.handlerMs <= SCHEDULE_TIMEOUT_MS) ? 'ok' : 'MISSED',
  );
  add(
    "schedule function's memory (peak RSS; peak heap), side by side",
    sideBySide(runs, (run) => `${mb(run.schedule.peakRss)}; ${mb(run.schedule.peakHeap)}`),
    `after import: ${mb(sched.rssAfterImport)} RSS, ${mb(sched.heapAfterImport)} heap; the work adds ${mb(sched.peakRss - sched.rssAfterImport)} RSS`,
  );
  for (const [name, pick] of [
    ['first run', (run: RoundRun) => run.firstRound],
    ['steady run', (run: RoundRun) => run.steadyRound],
  ] as const) {
    add(
      `${name} of a Page, ${options.sample} sampled, ${SAMPLE_CONCURRENCY} at once (mean; p90), side by side`,
      sideBySide(
        runs,
        (run) => `${ms(mean(pick(run).durations), 0)}; ${ms(percentile(pick(run).durations, 90), 0)}`,
      ),
      `${sideBySide(runs, (run) => `${(pick(run).graphCalls / options.sample).toFixed(2)} Graph calls, ${(pick(run).reads / options.sample).toFixed(1)} reads, ${(pick(run).writes / options.sample).toFixed(1)} writes a run; ${outcomesText(pick(run).outcomes)}`)}`,
    );
  }
  const steady = last.steadyRound;
  const runMs = mean(runs.flatMap((run) => run.steadyRound.durations));
  // The stack's default for a deployment sized for these Pages (expectedPages) on the goal's interval.
  // A worker invocation runs SYNC_BATCH_SIZE Pages at once, as the sample ran SAMPLE_CONCURRENCY at
  // once in one process: an invocation lasts about one sampled run.
  const concurrency = syncWorkersFor(n, GOAL_INTERVAL_MINUTES * 60);
  const invocations = (workers: number) => Math.ceil(n / (workers * SYNC_BATCH_SIZE));
  const roundMs = invocations(concurrency) * runMs;
  add(
    `projected round at the stack's computed concurrency ${concurrency} (expectedPages ${count(n)}, ${GOAL_INTERVAL_MINUTES}-min schedule; ${SYNC_BATCH_SIZE} Pages an invocation)`,
    `${(roundMs / 60_000).toFixed(0)} min`,
    `⌈${count(n)} / (${concurrency} × ${SYNC_BATCH_SIZE})⌉ × ${ms(runMs, 0)} (mean steady run of the samples, ${SAMPLE_CONCURRENCY} at once)`,
    `≤ ${GOAL_INTERVAL_MINUTES} min (goal)`,
    roundMs <= GOAL_INTERVAL_MINUTES * 60_000 ? 'ok' : 'MISSED',
  );
  const unsized = invocations(DEFAULT_SYNC_CONCURRENCY) * runMs;
  add(
    `the same round at concurrency ${DEFAULT_SYNC_CONCURRENCY} (expectedPages left at its default, ${DEFAULT_SYNC_MINUTES}-min schedule)`,
    `${(unsized / 60_000).toFixed(0)} min`,
    `⌈${count(n)} / (${DEFAULT_SYNC_CONCURRENCY} × ${SYNC_BATCH_SIZE})⌉ × ${ms(runMs, 0)}: a deployment of ${count(n)} Pages sets expectedPages`,
  );
  const needed = (minutes: number) => Math.ceil((n * runMs) / (SYNC_BATCH_SIZE * minutes * 60_000));
  add(
    'concurrency needed to finish a round within its interval',
    `${count(needed(DEFAULT_SYNC_MINUTES))} for ${DEFAULT_SYNC_MINUTES} min; ${count(needed(GOAL_INTERVAL_MINUTES))} for ${GOAL_INTERVAL_MINUTES} min`,
    `N × run time / (interval × ${SYNC_BATCH_SIZE} Pages an invocation)`,
  );
  const hot = steady.hottest[0];
  add(
    `hottest partition key in the sample's steady round (in process, ${SAMPLE_CONCURRENCY} at once)`,
    hot === undefined ? 'none' : `${hot.key}: ${count(hot.perSecond)} writes in one second`,
    `${steady.registryWritesPerRun.toFixed(2)} writes a run on PAGES (the run's summary), ${steady.pageKeyWritesPerRun.toFixed(2)} on the Page's own key`,
  );
  const perSecond = (c: number) => ((c * SYNC_BATCH_SIZE) / (runMs / 1000)) * steady.registryWritesPerRun;
  const atDefaultSchedule = perSecond(needed(DEFAULT_SYNC_MINUTES));
  add(
    'projected writes a second on the PAGES key, all runs spread evenly',
    `${perSecond(concurrency).toFixed(1)} at concurrency ${concurrency}; ${atDefaultSchedule.toFixed(0)} at ${count(needed(DEFAULT_SYNC_MINUTES))} (a ${DEFAULT_SYNC_MINUTES}-min round)`,
    `concurrency × ${SYNC_BATCH_SIZE} / run time × writes a run; a round's ${count(Math.round(n * steady.registryWritesPerRun))} writes all go to one key, DynamoDB allows ${count(HOT_KEY_LIMIT)} WCU/s per partition`,
    `≤ ${GOAL_KEY_WRITES_PER_SECOND} WCU/s on any key (goal)`,
    atDefaultSchedule <= GOAL_KEY_WRITES_PER_SECOND ? 'ok' : 'MISSED',
  );
  report.note(
    `Round of ${count(n)} Pages: the worker time is projected as ⌈N / (workers × ${SYNC_BATCH_SIZE})⌉ × mean steady run time of ${options.sample} sampled Pages synced for real against the emulator with ${options.graphLatencyMs.join('–')} ms added per Graph call (${SAMPLE_CONCURRENCY} at once in one process, as one worker's invocation of ${SYNC_BATCH_SIZE} Pages runs them); SQS polling and invocation overhead are not included. The schedule function ran in its own process against dynalite and an SQS stand-in answering each send after ${options.sqsLatencyMs} ms (assumed). The PAGES key is the registry's one partition: a run writes there only what the row above counts (its summary is on the Page's own partition).`,
  );
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const outcomesText = (outcomes: Map<string, number>) =>
  [...outcomes].map(([outcome, n]) => `${count(n)} ${outcome}`).join(', ');
