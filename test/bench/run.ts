/**
 * `npm run bench`: cold start, request path, sync cost and scheduled fan-out, offline, against the
 * Graph emulator and dynalite. Prints one markdown table on stdout (progress goes to stderr) and
 * writes it, with the machine it ran on, to /tmp/bench-section.md. Budgets are reported, never
 * asserted: the exit code is 0 unless the bench itself failed.
 *
 *   npm run bench                 the full run (about four minutes on 2 cores)
 *   npm run bench -- --quick      smaller N everywhere, for trying changes (about a minute)
 *   npm run bench -- --only=cold,request,sync,fanout,webhooks,cost,round,start
 *   npm run bench -- cost         one section by name (cost: the monthly cost tables, in a second)
 *   npm run bench -- reconcile    a reconciliation of 10,000 conversations, 1% deleted and 1% moved
 *   npm run bench -- erasure      one erasure of a person with 1 and with 50 conversations in a 10,000-conversation Page
 *   npm run bench -- round        a round of 100,000 Pages (--quick: 10,000), run twice side by side
 *   npm run bench -- start        npm start with 1,000 and 10,000 Pages (--quick: 100 and 1,000)
 *   npm run bench -- memory       CPU and wall time per operation; duration and cost at 256, 512, 1,024 MB
 */
import { writeFileSync } from 'node:fs';
import { benchColdStart, measureBareNodeStart } from './cold-start.js';
import { benchCost } from './cost.js';
import { benchErasure } from './erasure.js';
import { benchFanOut } from './fan-out.js';
import { benchMemory } from './memory.js';
import { benchReconcile } from './reconcile.js';
import { machine, muteStdout, progress, Report, seconds } from './report.js';
import { benchRequestPath } from './request-path.js';
import { benchRound } from './round.js';
import { benchStart } from './start-scale.js';
import { benchSyncCost } from './sync-cost.js';
import { benchWebhooks } from './webhooks.js';

// Lambda runs Node 22: the SDK's notice about Node 20 says nothing about what is measured here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SECTION_FILE = '/tmp/bench-section.md';
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((arg) => !arg.startsWith('-'));
const only =
  args
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',') ?? (named.length > 0 ? named : undefined);

const SIZES = quick
  ? {
      importRuns: 7,
      requests: 500,
      sync: { pages: 20, perPartition: 20, changed: 10, backfill: 1_000 },
      fanOut: { pages: 1_000, perPartition: 1, concurrency: 200 },
      webhooks: { deliveries: 300, freshnessRuns: 10, stretchedScheduleMinutes: 360 },
      round: { pages: 10_000, sample: 50, repeats: 2 },
      start: [100, 1_000] as const,
    }
  : {
      importRuns: 15,
      requests: 3_000,
      sync: { pages: 100, perPartition: 20, changed: 50, backfill: 10_000 },
      // One conversation per partition: a quiet round costs the same at any size (one Graph call per
      // partition); only the backfill round before it, which is not measured, grows with it.
      fanOut: { pages: 10_000, perPartition: 1, concurrency: 200 },
      webhooks: { deliveries: 1_000, freshnessRuns: 30, stretchedScheduleMinutes: 360 },
      round: { pages: 100_000, sample: 200, repeats: 2 },
      start: [1_000, 10_000] as const,
    };

const SECTIONS: Array<{ name: string; run: (report: Report) => Promise<void> }> = [
  { name: 'cold', run: (report) => benchColdStart(report, { runs: SIZES.importRuns }) },
  { name: 'request', run: (report) => benchRequestPath(report, { iterations: SIZES.requests }) },
  { name: 'sync', run: (report) => benchSyncCost(report, SIZES.sync) },
  { name: 'fanout', run: (report) => benchFanOut(report, SIZES.fanOut) },
  { name: 'webhooks', run: (report) => benchWebhooks(report, SIZES.webhooks) },
  { name: 'cost', run: (report) => benchCost(report) },
  {
    name: 'reconcile',
    run: (report) =>
      benchReconcile(report, {
        conversations: quick ? 2_000 : 10_000,
        deletedShare: 0.01,
        movedShare: 0.01,
        scheduleMinutes: 360,
      }),
  },
  {
    name: 'round',
    run: (report) => benchRound(report, { ...SIZES.round, graphLatencyMs: [150, 300], sqsLatencyMs: 10 }),
  },
  { name: 'start', run: (report) => benchStart(report, SIZES.start) },
  {
    name: 'memory',
    run: async (report) => {
      await benchMemory(report, {
        pages: 8,
        measured: quick ? 10 : 40,
        warm: quick ? 3 : 8,
        graphLatencyMs: [150, 300],
      });
    },
  },
  {
    name: 'erasure',
    run: (report) => benchErasure(report, { conversations: quick ? 2_000 : 10_000, people: [1, 50] }),
  },
];

async function main(): Promise<number> {
  const report = new Report();
  const started = performance.now();
  // The cost section is arithmetic: run alone, it needs no measure of the machine's speed.
  if (only === undefined || only.some((name) => name !== 'cost')) {
    report.bareNodeMs = measureBareNodeStart(quick ? 5 : 11);
    progress(`${report.bareNodeText()} (median)`);
  }
  let failed = 0;
  for (const section of SECTIONS) {
    if (only !== undefined && !only.includes(section.name)) continue;
    const sectionStarted = performance.now();
    progress(`== ${section.name}`);
    // The product logs a JSON line per request and per sync run; the table keeps stdout to itself.
    const restore = muteStdout();
    try {
      await section.run(report);
    } catch (error: unknown) {
      failed++;
      const message = error instanceof Error ? error.message : String(error);
      progress(error instanceof Error ? (error.stack ?? message) : message);
      report.add({
        section: `${section.name}: the bench failed`,
        measure: section.name,
        value: message.split('\n')[0] ?? 'error',
        reference: '—',
        budget: '—',
        verdict: 'MISSED',
      });
    } finally {
      restore();
    }
    progress(`== ${section.name} took ${seconds(performance.now() - sectionStarted)}`);
  }
  const elapsed = performance.now() - started;
  const table = [report.table(), ...report.sections].join('\n\n');
  process.stdout.write(`${table}\n`);
  const header = [
    '## Benchmarks',
    '',
    `\`npm run bench${quick ? ' -- --quick' : ''}\`, ${new Date().toISOString().slice(0, 10)}, on ${machine()}; ${report.bareNodeText()} (how fast the machine was that day); the run took ${seconds(elapsed)}.`,
    'Offline: the Graph emulator and dynalite on loopback. Budgets are reported, not asserted. A budget on',
    'time is a ratio of two times measured in the same run; absolute times are information.',
    '',
  ];
  const notes = report.notes.map((note) => `- ${note}`);
  writeFileSync(
    SECTION_FILE,
    [...header, table, '', ...(notes.length > 0 ? ['Notes:', ...notes] : []), ''].join('\n'),
  );
  progress(`\n${report.notes.join('\n')}\nwritten to ${SECTION_FILE}; ${seconds(elapsed)} in all`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
    // A keep-alive socket or SDK timer left behind must not hold the process open after the table.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    progress(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
