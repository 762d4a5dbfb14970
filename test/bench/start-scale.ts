/**
 * `npm start` with a tokens file of many Pages (`npm run bench -- start`): the product's own process
 * (lib/local/main.ts, as `npm start` runs it) against the emulator's generated Pages, at two sizes, so
 * that growth shows. Measured: time to /health, to every Page listed by `GET /pages`, to the start-up
 * checks' end; a `POST /pages/{id}/sync` of every Page until each has completed (one partition: the
 * runs' Graph calls per Page are its list and, once a day, its profile); Graph calls per Page at start
 * and per run; the process's peak memory (the kernel's high-water mark).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachLimited } from '#lib/domain/concurrency.js';
import {
  emulatorToken,
  type GraphEmulator,
  generatedPageIds,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';
import { ROOT } from './bundles.js';
import { count, progress, type Report, ratio, seconds, within } from './report.js';

const LIMIT_MS = 7 * 60_000;
/** How long a phase is waited for past its limit, so that a miss is measured, not only seen. */
const PATIENCE_MS = 25 * 60_000;
const MEMORY_LIMIT = 1.5 * 1024 ** 3;
const GROWTH_LIMIT = 15;

export interface StartRun {
  pages: number;
  healthMs: number;
  listedMs: number;
  checkedMs: number;
  startCallsMax: number;
  startCallsMean: number;
  /** NaN when not every run completed within the patience. */
  syncMs: number;
  /** Runs completed 7 minutes after the first POST. */
  completeAtLimit: number;
  /** POST /sync answers other than 202 (retried), by status and code. */
  refusals: string;
  runsFailed: number;
  runCallsMax: number;
  runCallsMean: number;
  peakRss: number;
}

interface PageItem {
  page_id: string;
  sync: { last_outcome: string | null } | null;
}

/** Every Page `GET /pages` lists, following its cursors, 100 at a time. */
async function listAll(url: string): Promise<PageItem[]> {
  const items: PageItem[] = [];
  let next: string | undefined = `${url}/pages?limit=100`;
  while (next !== undefined) {
    const body = (await (await fetch(next)).json()) as { data: PageItem[]; paging?: { next?: string } };
    items.push(...body.data);
    next = body.paging?.next;
  }
  return items;
}

/** The kernel's record of the process's largest resident set (Linux). */
function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) * 1024;
}

function callsPerPage(emulator: GraphEmulator, from: number, pageIds: readonly string[]) {
  const perPage = new Map<string, number>(pageIds.map((id) => [id, 0]));
  for (const call of emulator.calls.slice(from)) {
    if (call.pageId !== undefined && perPage.has(call.pageId))
      perPage.set(call.pageId, (perPage.get(call.pageId) ?? 0) + 1);
  }
  const values = [...perPage.values()];
  return { max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / values.length };
}

async function until<T>(test: () => Promise<T | undefined>, limitMs: number, what: string): Promise<T>;
async function until<T>(
  test: () => Promise<T | undefined>,
  limitMs: number,
  what: string,
  soft: true,
): Promise<T | undefined>;
/** Polls `test` until it gives a value; past `limitMs` throws, or gives undefined when `soft`. */
async function until<T>(
  test: () => Promise<T | undefined>,
  limitMs: number,
  what: string,
  soft = false,
): Promise<T | undefined> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = await test();
    } catch (error: unknown) {
      // A fetch refused while the server starts is waited out; the process gone is not.
      if (error instanceof Error && error.message.startsWith('npm start exited')) throw error;
    }
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      if (soft) return undefined;
      throw new Error(`${what}: not within ${seconds(limitMs)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs the client keeps going at once (the local schedule's own cap is 10). */
const RUNS_IN_FLIGHT = 16;

export async function measureStart(pages: number, burst = false): Promise<StartRun> {
  const generated = { count: pages };
  const pageIds = generatedPageIds(generated);
  const emulator = await startGraphEmulator({ generated });
  const dir = await mkdtemp(join(tmpdir(), 'start-scale-'));
  const tokensFile = join(dir, 'tokens.json');
  await writeFile(
    tokensFile,
    JSON.stringify(Object.fromEntries(pageIds.map((id) => [id, emulatorToken(id)]))),
  );
  let child: ChildProcess | undefined;
  try {
    const started = performance.now();
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        PAGE_TOKENS_FILE: tokensFile,
        GRAPH_API_BASE_URL: emulator.url,
        SYNC_INTERVAL_SECONDS: '0',
        SYNC_PLATFORMS: 'messenger',
        SYNC_FOLDERS: 'inbox',
        LOG_LEVEL: 'info',
        // An experiment's V8 flags for the measured process (e.g. --max-old-space-size), if any.
        ...(process.env.START_NODE_OPTIONS ? { NODE_OPTIONS: process.env.START_NODE_OPTIONS } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid ?? 0;
    let out = '';
    let log = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    // The local logger's lines, counted as they come: polling GET /pages for 10,000 runs' outcomes
    // would load the process being measured.
    let partial = '';
    let runsComplete = 0;
    let runsFailed = 0;
    let checked = false;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const outcome = / sync run page_id=\d+ outcome=(\w+)/.exec(line)?.[1];
        if (outcome === 'complete') runsComplete++;
        else if (outcome !== undefined || / sync run (failed|crashed) page_id=/.test(line)) runsFailed++;
        if (/ pages checked /.test(line)) checked = true;
      }
      log = (log + chunk).slice(-10_000);
    });
    child.once('exit', (code) => {
      log += `\nnpm start exited (${code})`;
    });
    const alive = <T>(value: T | undefined): T | undefined => {
      if (child?.exitCode !== null) throw new Error(`npm start exited: ${log.slice(-2_000)}`);
      return value;
    };
    const url = await until(
      async () => alive(/listening on (http:\/\/\S+)/.exec(out)?.[1]),
      LIMIT_MS,
      'listening',
    );
    await until(async () => ((await fetch(`${url}/health`)).ok ? true : undefined), LIMIT_MS, '/health');
    const healthMs = performance.now() - started;
    progress(`  ${count(pages)} Pages: /health after ${seconds(healthMs)}`);
    await until(
      async () => ((await listAll(url)).length === pages ? true : undefined),
      LIMIT_MS,
      'every Page listed',
    );
    const listedMs = performance.now() - started;
    const checkedMs = (await until(
      async () => (checked ? true : undefined),
      PATIENCE_MS,
      'start-up checks',
      true,
    ))
      ? performance.now() - started
      : Number.NaN;
    progress(`  listed after ${seconds(listedMs)}, checked after ${seconds(checkedMs)}`);
    const startCalls = callsPerPage(emulator, 0, pageIds);
    const callsBefore = emulator.calls.length;
    const syncStarted = performance.now();
    let posted = 0;
    // The limit counts from the first POST, while the posting may still be going on.
    let completeAtLimit = Number.NaN;
    const limitTimer = setTimeout(() => {
      completeAtLimit = runsComplete;
    }, LIMIT_MS);
    // As a client would: a 503 or 429 is retried after its Retry-After; the refusals are counted.
    const refusals = new Map<string, number>();
    // POST /sync starts its run at once, with no cap in the local runner: a client that posts every
    // Page at once starts thousands of runs together (that is measured too, `burst`). Here it keeps
    // at most RUNS_IN_FLIGHT runs going, as the schedule's cap would.
    const ended = () => runsComplete + runsFailed;
    await forEachLimited(pageIds, burst ? 16 : 1, async (pageId) => {
      while (!burst && posted - ended() >= RUNS_IN_FLIGHT)
        await new Promise((resolve) => setTimeout(resolve, 20));
      posted++;
      for (let attempt = 1; ; attempt++) {
        const answer = await fetch(`${url}/pages/${pageId}/sync`, { method: 'POST' });
        if (answer.status === 202) return;
        const body = await answer.text();
        const code = /"code":"([a-z_]+)"/.exec(body)?.[1] ?? String(answer.status);
        refusals.set(`${answer.status} ${code}`, (refusals.get(`${answer.status} ${code}`) ?? 0) + 1);
        if (![429, 503].includes(answer.status) || attempt === 5) {
          throw new Error(`POST /sync answered ${answer.status}: ${body.slice(0, 300)}`);
        }
        const wait = Number(answer.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.min(30, wait) * 1000));
      }
    });
    const allDone = await until(
      async () => (ended() >= pages ? true : undefined),
      PATIENCE_MS,
      'every POST /sync completed',
      true,
    );
    clearTimeout(limitTimer);
    const syncMs = allDone && runsFailed === 0 ? performance.now() - syncStarted : Number.NaN;
    if (Number.isNaN(completeAtLimit)) completeAtLimit = runsComplete;
    if (allDone && runsFailed === 0) {
      const outcomes = (await listAll(url)).filter((item) => item.sync?.last_outcome === 'complete').length;
      if (outcomes !== pages) throw new Error(`GET /pages shows ${outcomes} of ${pages} Pages synced`);
    }
    const runCalls = callsPerPage(emulator, callsBefore, pageIds);
    const rss = peakRss(pid);
    progress(
      `  POST /sync: ${count(completeAtLimit)} complete within 7 min, all after ${seconds(syncMs)}; peak RSS ${Math.round(rss / 1024 / 1024)} MB`,
    );
    return {
      pages,
      healthMs,
      listedMs,
      checkedMs,
      startCallsMax: startCalls.max,
      startCallsMean: startCalls.mean,
      syncMs,
      completeAtLimit,
      runsFailed,
      refusals: [...refusals].map(([what, n]) => `${n} × ${what}`).join(', ') || 'none',
      runCallsMax: runCalls.max,
      runCallsMean: runCalls.mean,
      peakRss: rss,
    };
  } finally {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchStart(report: Report, sizes: readonly [number, number]): Promise<void> {
  const [small, large] = [await measureStart(sizes[0]), await measureStart(sizes[1])];
  const burst = await measureStart(sizes[0], true);
  const section = `npm start with a tokens file of ${count(small.pages)} and ${count(large.pages)} Pages (emulator on loopback, one partition)`;
  const both = (format: (run: StartRun) => string) => `${format(small)} | ${format(large)}`;
  const add = (
    measure: string,
    value: string,
    reference: string,
    budget: string,
    verdict: 'ok' | 'MISSED' | 'info',
  ) => report.add({ section, measure, value, reference, budget, verdict });
  add(
    '/health answers',
    both((run) => seconds(run.healthMs)),
    `growth ${ratio(large.healthMs / small.healthMs)}`,
    '—',
    'info',
  );
  add(
    'every Page listed by GET /pages',
    both((run) => seconds(run.listedMs)),
    `growth ${ratio(large.listedMs / small.listedMs)}`,
    `≤ 7 min; growth ≤ ${GROWTH_LIMIT}×`,
    large.listedMs <= LIMIT_MS && large.listedMs / small.listedMs <= GROWTH_LIMIT ? 'ok' : 'MISSED',
  );
  add(
    'start-up checks done (profile and subscription of each Page)',
    both((run) => seconds(run.checkedMs)),
    `growth ${ratio(large.checkedMs / small.checkedMs)}`,
    `growth ≤ ${GROWTH_LIMIT}×`,
    within(large.checkedMs / small.checkedMs, GROWTH_LIMIT),
  );
  add(
    'Graph calls per Page at start (max; mean)',
    both((run) => `${run.startCallsMax}; ${run.startCallsMean.toFixed(2)}`),
    'profile and subscription',
    '≤ 2',
    within(Math.max(small.startCallsMax, large.startCallsMax), 2),
  );
  add(
    'a POST /sync of every Page, until each completed',
    both((run) => (Number.isNaN(run.syncMs) ? `not within ${seconds(PATIENCE_MS)}` : seconds(run.syncMs))),
    `${both((run) => `${count(run.completeAtLimit)} complete at 7 min, ${count(run.runsFailed)} failed, refused: ${run.refusals}`)}; growth ${ratio(large.syncMs / small.syncMs)}`,
    `≤ 7 min; growth ≤ ${GROWTH_LIMIT}×`,
    large.syncMs <= LIMIT_MS && large.syncMs / small.syncMs <= GROWTH_LIMIT ? 'ok' : 'MISSED',
  );
  add(
    'Graph calls per Page per run of one partition (max; mean)',
    both((run) => `${run.runCallsMax}; ${run.runCallsMean.toFixed(2)}`),
    'one list, and the profile once a day',
    '≤ 2',
    within(Math.max(small.runCallsMax, large.runCallsMax), 2),
  );
  add(
    'peak memory of the process (VmHWM)',
    both((run) => `${Math.round(run.peakRss / 1024 / 1024)} MB`),
    'the API, dynalite (its own thread) and every run',
    '< 1.5 GB',
    large.peakRss < MEMORY_LIMIT ? 'ok' : 'MISSED',
  );
  add(
    `POST /sync of all ${count(burst.pages)} Pages at once (16 requests in flight, no wait for runs)`,
    Number.isNaN(burst.syncMs) ? `${count(burst.runsFailed)} runs not complete` : seconds(burst.syncMs),
    `${count(burst.completeAtLimit)} complete at 7 min; refused: ${burst.refusals}; the local runner starts a POSTed run at once, uncapped`,
    'every run complete',
    Number.isNaN(burst.syncMs) ? 'MISSED' : 'ok',
  );
}
