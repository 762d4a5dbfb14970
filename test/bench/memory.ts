/**
 * Lambda memory chosen by measurement (`npm run bench -- memory`, issue 20 item 2): the deployed entry
 * points in a child process (memory-child.ts) run a steady sync run, an API request, a webhook receive
 * and a webhook refresh against the Graph emulator with Graph's latency added; per invocation the CPU
 * time and the wall time are measured, and the duration at 256, 512 and 1,024 MB is modelled from them.
 *
 * Lambda gives CPU in proportion to memory, one vCPU at 1,769 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). The model: the time waiting
 * on I/O (wall − CPU) does not change with memory; the CPU time stretches by 1,769/m below 1,769 MB:
 *   duration(m) = (wall − cpu) + cpu × max(1, 1769 / m)
 * Its limits: this machine's core stands for one Lambda arm64 vCPU (Graviton and this x86 core differ,
 * either way); CPU and waiting are taken not to overlap (one invocation at a time, single-threaded,
 * true of Node); Lambda's throttling comes in slices, not evenly, which the average hides; garbage
 * collection at a smaller heap is not modelled (the child's peak memory is reported: a size below it
 * does not run at all); cold starts are left out (once per container).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { seedDemoPages } from '#lib/local/graph-emulator.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { KEY_PREFIXES } from '#lib/store/table-schema.js';
import { ROOT } from './bundles.js';
import { ISSUE_WORKLOAD } from './cost-inputs.js';
import { DAYS_PER_MONTH, durationAtMemory, ONE_VCPU_MB } from './cost-model.js';
import { itemSize } from './dynamo-meter.js';
import { type BenchEnvironment, startBenchEnvironment } from './environment.js';
import {
  type ChildResult,
  type Invocation,
  type MemoryPlan,
  OPERATIONS,
  type Operation,
  RESULT_PREFIX,
} from './memory-plan.js';
import { PRICES } from './prices.js';
import { median, ms, progress, type Report } from './report.js';
import { registryFootprint } from './round-parts.js';
import { startSqsStandIn } from './sqs-stand-in.js';

const SECTION = 'Lambda memory (entry points in a child process; Graph 150-300 ms a call)';
export const MEMORY_SIZES = [256, 512, 1_024] as const;
/** What DynamoDB adds to each item's size for storage, and to each index entry. */
const ITEM_OVERHEAD_BYTES = 100;
const CHILD = 'test/bench/memory-child.ts';

export interface MemoryOptions {
  pages: number;
  measured: number;
  warm: number;
  graphLatencyMs: readonly [number, number];
}

/** Dollars per invocation at `memoryMb` on arm64: GB-seconds (billed by the ms) and the request. */
export const invocationUsd = (durationMs: number, memoryMb: number) =>
  (Math.ceil(durationMs) / 1000) * (memoryMb / 1024) * PRICES.lambdaArmGbSecond.usd +
  PRICES.lambdaRequests.usd / PRICES.lambdaRequests.per;

/** An operation's invocations summed up: the median CPU and wall time, the mean of the counts. */
export interface OperationSummary extends Invocation {
  operation: Operation;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

function summarize(operation: Operation, runs: readonly Invocation[]): OperationSummary {
  return {
    operation,
    cpuMs: median(runs.map((run) => run.cpuMs)),
    wallMs: median(runs.map((run) => run.wallMs)),
    logBytes: mean(runs.map((run) => run.logBytes)),
    reads: mean(runs.map((run) => run.reads)),
    writes: mean(runs.map((run) => run.writes)),
    writeUnits: mean(runs.map((run) => run.writeUnits)),
    graphCalls: mean(runs.map((run) => run.graphCalls)),
  };
}

/** PutEvents answered on loopback: change events go to EventBridge in AWS, not to the log. */
async function startEventBridgeStandIn(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { Entries = [] } = JSON.parse(body || '{}') as { Entries?: unknown[] };
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(
        JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `event-${i}` })) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function runChild(
  env: BenchEnvironment,
  plan: MemoryPlan,
  settings: Record<string, string>,
): Promise<ChildResult> {
  const child: ChildProcess = fork(CHILD, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...settings },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.on('message', (question: { id: number; touch?: string; conversationId?: string }) => {
    if (question.touch !== undefined) {
      env.emulator.touch(question.touch, [question.conversationId ?? '']);
      child.send({ id: question.id, answer: true });
    } else {
      child.send({ id: question.id, answer: env.emulator.callCount() });
    }
  });
  child.send({ plan });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
  if (code !== 0 || line === undefined) {
    throw new Error(`the memory child failed (${code}): ${(stderr || stdout).slice(-2_000)}`);
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult;
}

/** Stored bytes per indexed conversation: its item and its person refs, each index entry, with overhead. */
async function storedBytesPerConversation(env: BenchEnvironment): Promise<{ bytes: number; count: number }> {
  let bytes = 0;
  let conversations = 0;
  let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await env.dynamo.client.send(
      new ScanCommand({ TableName: env.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    for (const item of page.Items ?? []) {
      const pk = item.pk?.S ?? '';
      const isConversation = pk.startsWith(KEY_PREFIXES.conversation);
      if (!isConversation && !pk.startsWith(KEY_PREFIXES.person)) continue;
      if (isConversation) conversations++;
      const size = itemSize(item) + ITEM_OVERHEAD_BYTES;
      // Projection ALL: an index entry weighs the item again, with its own overhead.
      const indexed = ['gsi1pk', 'gsi2pk'].filter((key) => item[key] !== undefined).length;
      bytes += size * (1 + indexed);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return { bytes: bytes / Math.max(1, conversations), count: conversations };
}

export interface MemoryResult {
  summaries: OperationSummary[];
  imports: ChildResult['imports'];
  metricSeries: string[];
  peakRssBytes: number;
  registryItemBytes: number;
  storedBytesPerConversation: number;
}

export async function measureMemory(options: MemoryOptions): Promise<MemoryResult> {
  const env = await startBenchEnvironment(
    { pages: seedDemoPages({ pages: options.pages, perPartition: 30 }), latencyMs: options.graphLatencyMs },
    { units: false, dynalite: 'child' },
  );
  const sqs = await startSqsStandIn({ latencyMs: 10 });
  const events = await startEventBridgeStandIn();
  try {
    const registry = new PageRegistry({ client: env.dynamo.client, tableName: env.tableName });
    const pages: MemoryPlan['pages'] = [];
    for (const page of env.emulator.pages.values()) {
      await registry.register({ pageId: page.id, token: { kind: 'page-secret' } });
      const conversation = page.conversations.find((c) => c.platform === 'messenger' && c.folder === 'inbox');
      pages.push({
        id: page.id,
        secret: JSON.stringify({
          access_token: page.accessToken,
          ...(page.appSecret === undefined ? {} : { app_secret: page.appSecret }),
        }),
        personId: conversation?.participants.data[0]?.id ?? '',
        conversationId: conversation?.id ?? '',
      });
    }
    const plan: MemoryPlan = {
      pages,
      tokenPrefix: 'bench-memory/page-',
      webhookSecretId: 'bench-memory/webhook',
      webhookSecret: { app_secret: 'bench-memory-app-secret-not-real', verify_token: 'bench-verify' },
      personKeySecretId: 'bench-memory/person-key',
      measured: options.measured,
      warm: options.warm,
    };
    const queue = (name: string) => `${sqs.url}/111122223333/${name}`;
    progress(`memory: ${pages.length} Pages, ${options.measured} invocations of each operation measured`);
    const child = await runChild(env, plan, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHMEMORY',
      AWS_SECRET_ACCESS_KEY: 'bench-memory-not-a-secret',
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(events.address() as AddressInfo).port}`,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      TABLE_NAME: env.tableName,
      DYNAMODB_ENDPOINT: env.dynamo.endpoint,
      TOKEN_SECRET_PREFIX: plan.tokenPrefix,
      GRAPH_API_BASE_URL: env.emulator.url,
      GRAPH_API_VERSION: 'v24.0',
      SYNC_QUEUE_URL: queue('sync'),
      PRIVACY_QUEUE_URL: queue('erasure'),
      WEBHOOK_QUEUE_URL: queue('refresh'),
      WEBHOOK_SECRET_ID: plan.webhookSecretId,
      PERSON_KEY_SECRET_ID: plan.personKeySecretId,
      EVENT_BUS_NAME: 'bench-memory-events',
    });
    const first = pages[0]?.id ?? '';
    const footprint = await registryFootprint(env, first, pages.length);
    const stored = await storedBytesPerConversation(env);
    return {
      summaries: OPERATIONS.map((name) => summarize(name, child.results[name] ?? [])),
      imports: child.imports,
      metricSeries: child.metricSeries,
      peakRssBytes: child.peakRssBytes,
      registryItemBytes: footprint.itemBytes,
      storedBytesPerConversation: stored.bytes,
    };
  } finally {
    events.close();
    await sqs.close();
    await env.close();
  }
}

const micro = (usd: number) => `$${(usd * 1_000_000).toFixed(2)}`;

/**
 * Invocations a Page makes in a month under the issue's workload, on the default 15-minute schedule
 * with webhooks on: a third of the deliveries bring a change (20 changes, 60 deliveries a day).
 */
function monthlyInvocations(): Record<string, number> {
  const w = ISSUE_WORKLOAD;
  const days = DAYS_PER_MONTH;
  return {
    'sync run': (days * 1440) / 15,
    'API request': w.apiRequests * days,
    'webhook receive': w.webhookDeliveries * days,
    'webhook refresh': w.conversationChanges * days,
    'webhook refresh, nothing new': (w.webhookDeliveries - w.conversationChanges) * days,
  };
}

/** Lambda's monthly bill for 1,000 Pages at one size for every function (one invocation per event). */
function monthlyPerThousand(summaries: readonly OperationSummary[], memoryMb: number): number {
  const perPage = monthlyInvocations();
  return summaries.reduce(
    (total, s) =>
      total +
      1_000 *
        (perPage[s.operation] ?? 0) *
        invocationUsd(durationAtMemory(s.wallMs, s.cpuMs, memoryMb), memoryMb),
    0,
  );
}

/** The section: per operation, measured times and the modelled duration and cost at each size. */
export async function benchMemory(report: Report, options: MemoryOptions): Promise<MemoryResult> {
  const result = await measureMemory(options);
  const header = `| operation | CPU ms (median) | wall ms (median) | CPU share | ${MEMORY_SIZES.map((m) => `${m} MB: ms · $ per million`).join(' | ')} | cheapest |`;
  const rows = result.summaries.map((s) => {
    const costs = MEMORY_SIZES.map((m) => {
      const duration = durationAtMemory(s.wallMs, s.cpuMs, m);
      return { m, duration, usd: invocationUsd(duration, m) };
    });
    const cheapest = costs.reduce((a, b) => (b.usd < a.usd ? b : a));
    return `| ${s.operation} | ${s.cpuMs.toFixed(1)} | ${s.wallMs.toFixed(1)} | ${((s.cpuMs / s.wallMs) * 100).toFixed(0)}% | ${costs.map((c) => `${c.duration.toFixed(0)} · ${micro(c.usd)}`).join(' | ')} | ${cheapest.m} MB |`;
  });
  const counts = result.summaries.map(
    (s) =>
      `| ${s.operation} | ${s.graphCalls.toFixed(2)} | ${s.reads.toFixed(2)} | ${s.writes.toFixed(2)} | ${s.writeUnits.toFixed(2)} | ${Math.round(s.logBytes)} |`,
  );
  report.section(
    [
      `### ${SECTION}`,
      '',
      `${options.measured} invocations of each, one at a time, after ${options.warm} to warm up; ${options.pages} Pages. Duration at m MB = (wall − CPU) + CPU × max(1, 1,769 / m) (one vCPU at 1,769 MB, AWS Lambda docs); cost = duration billed by the ms × m/1,024 GB × $${PRICES.lambdaArmGbSecond.usd} per GB-s (arm64) + $${PRICES.lambdaRequests.usd} per million requests. The child process (all four functions loaded) peaked at ${Math.round(result.peakRssBytes / 1024 / 1024)} MB RSS.`,
      '',
      header,
      `|---|--:|--:|--:|${MEMORY_SIZES.map(() => '--:').join('|')}|---|`,
      ...rows,
      '',
      `Every function at one size, the issue's workload on the 15-minute schedule with webhooks on, Lambda a month per 1,000 Pages (one event per invocation): ${MEMORY_SIZES.map((m) => `${m} MB $${monthlyPerThousand(result.summaries, m).toFixed(2)}`).join(', ')}.`,
      '',
      '| operation | Graph calls | DynamoDB reads | writes | write units | log bytes |',
      '|---|--:|--:|--:|--:|--:|',
      ...counts,
      '',
      `Imports as a cold start makes them, in load order (modules shared with a function loaded before are not counted again), CPU · wall on this machine, and the CPU stretched at ${MEMORY_SIZES.join(' / ')} MB if Lambda gave the init phase no more CPU than the invocations (not modelled further): ${Object.entries(
        result.imports,
      )
        .map(
          ([name, t]) =>
            `${name.replace('page-conversations-', '')} ${t.cpuMs.toFixed(0)} · ${t.wallMs.toFixed(0)} ms (${MEMORY_SIZES.map((m) => (t.cpuMs * Math.max(1, ONE_VCPU_MB / m)).toFixed(0)).join(' / ')} ms)`,
        )
        .join('; ')}.`,
      '',
      `Metric series named by the EMF lines of every invocation above (first runs and cold starts included): ${result.metricSeries.length}: ${result.metricSeries.join('; ')}.`,
      '',
      `Registry item: ${result.registryItemBytes} bytes. Stored per indexed conversation (its item, person refs and index entries, 100 bytes overhead each): ${Math.round(result.storedBytesPerConversation)} bytes.`,
    ].join('\n'),
  );
  for (const s of result.summaries) {
    report.add({
      section: SECTION,
      measure: `${s.operation}: CPU; wall (median of ${options.measured})`,
      value: `${ms(s.cpuMs)}; ${ms(s.wallMs)}`,
      reference: MEMORY_SIZES.map((m) => `${m} MB ${ms(durationAtMemory(s.wallMs, s.cpuMs, m), 0)}`).join(
        ', ',
      ),
      budget: '—',
      verdict: 'info',
    });
  }
  return result;
}
