/**
 * The memory bench's "Lambda": the deployed entry points (`functions/*.ts`) imported in a process of
 * their own, configured by environment as CDK configures them, each invoked one event at a time, so
 * that `process.cpuUsage()` around an invocation is that invocation's CPU time and nothing else's (the
 * Graph emulator and the SQS and EventBridge stand-ins run in the parent, dynalite in a third process).
 * Per invocation: CPU time, wall time, bytes printed (what CloudWatch Logs ingests) and DynamoDB reads,
 * writes and write units (every client the functions build is metered). Prints one JSON line.
 *
 * The parent sends the plan over IPC and answers `touch` (change a conversation in the emulator, as a
 * webhook's message would) and `graphCalls` (the emulator's count), so Graph calls are counted per
 * operation.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import { newRefreshRequest } from '#lib/webhooks/refresh-request.js';
import { signBody } from '#lib/webhooks/signature.js';
import { apiGatewayEvent } from '../support/api-gateway-event.js';
import { fakeSecretsManager } from '../support/fake-secrets-manager.js';
import { DynamoMeter, totalUnits } from './dynamo-meter.js';
import {
  type ChildResult,
  type Invocation,
  type MemoryPlan,
  OPERATIONS,
  type Operation,
  RESULT_PREFIX,
} from './memory-plan.js';

type Handler<E> = (event: E, context: Context) => Promise<unknown>;

// The parent's answers to this process's questions, by id.
const waiting = new Map<number, (value: unknown) => void>();
let asked = 0;
function ask(question: Record<string, unknown>): Promise<unknown> {
  const id = ++asked;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    process.send?.({ ...question, id });
  });
}
const plan = await new Promise<MemoryPlan>((resolve) => {
  process.on('message', (message: { id?: number; answer?: unknown; plan?: MemoryPlan }) => {
    if (message.plan !== undefined) resolve(message.plan);
    if (message.id !== undefined) waiting.get(message.id)?.(message.answer);
  });
});

// Secrets Manager has no local server: the fake answers behind the real client (as the tests do).
const secrets = fakeSecretsManager();
for (const page of plan.pages) {
  secrets.secrets.set(`${plan.tokenPrefix}${page.id}`, { value: page.secret, version: 'v1' });
}
secrets.secrets.set(plan.webhookSecretId, { value: JSON.stringify(plan.webhookSecret), version: 'v1' });
secrets.secrets.set(plan.personKeySecretId, { value: 'bench-person-key-'.repeat(4), version: 'v1' });

// Every DynamoDB client the functions build is metered into one count and one shadow of the table.
// The bench owns this process: patching the client's `send` here changes no product code.
let meter: DynamoMeter | undefined;
const metered = new WeakSet<DynamoDBClient>();
const send = DynamoDBClient.prototype.send;
DynamoDBClient.prototype.send = function meteredSend(this: DynamoDBClient, ...args: unknown[]) {
  if (!metered.has(this)) {
    metered.add(this);
    if (meter === undefined) meter = new DynamoMeter(this);
    else meter.attach(this);
  }
  return (send as (...a: unknown[]) => unknown).apply(this, args);
} as typeof send;

const imports: ChildResult['imports'] = {};
async function load<E>(path: string, service: string): Promise<Handler<E>> {
  process.env.POWERTOOLS_SERVICE_NAME = service;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const module = (await import(path)) as { handler: Handler<E> };
  const used = process.cpuUsage(cpu);
  // Modules the functions share are imported once: a later function's import is the smaller for it.
  imports[service] = { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
  return module.handler;
}

/** Metric series in EMF lines: what CloudWatch bills $0.30 a month each for. */
const metricSeries = new Set<string>();
function collectSeries(printed: string): void {
  for (const line of printed.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"_aws"')) continue;
    const emf = JSON.parse(line) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: Array<{
          Namespace: string;
          Dimensions: string[][];
          Metrics: Array<{ Name: string }>;
        }>;
      };
    };
    for (const directive of emf._aws.CloudWatchMetrics) {
      for (const dimensions of directive.Dimensions) {
        const values = dimensions.map((name) => `${name}=${String(emf[name])}`).join(',');
        for (const metric of directive.Metrics)
          metricSeries.add(`${directive.Namespace} ${metric.Name} {${values}}`);
      }
    }
  }
}
const syncWorker = await load<SQSEvent>('../../functions/sync-worker.js', 'page-conversations-sync-worker');
const api = await load<APIGatewayProxyEventV2>('../../functions/api.js', 'page-conversations-api');
const receiver = await load<APIGatewayProxyEventV2>(
  '../../functions/webhook-receiver.js',
  'page-conversations-webhook-receiver',
);
const refresh = await load<SQSEvent>(
  '../../functions/webhook-refresh.js',
  'page-conversations-webhook-refresh',
);

/** One invocation, its output kept from the parent's pipe and counted in bytes. */
async function invoke<E>(handler: Handler<E>, event: E, name: string): Promise<Invocation> {
  const graphBefore = (await ask({ graphCalls: true })) as number;
  meter?.take();
  let logBytes = 0;
  const printed: string[] = [];
  const out = process.stdout.write;
  const count = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    logBytes += Buffer.byteLength(text);
    printed.push(text);
    (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
    return true;
  };
  process.stdout.write = count as typeof process.stdout.write;
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    await handler(event, lambdaContext(name));
  } finally {
    process.stdout.write = out;
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  collectSeries(printed.join(''));
  const dynamo = meter?.take();
  const graphCalls = ((await ask({ graphCalls: true })) as number) - graphBefore;
  return {
    cpuMs: (used.user + used.system) / 1000,
    wallMs,
    logBytes,
    reads: dynamo?.reads ?? 0,
    writes: dynamo?.writes ?? 0,
    writeUnits: dynamo === undefined ? 0 : totalUnits(dynamo),
    graphCalls,
  };
}

const sqsEvent = (body: unknown): SQSEvent =>
  ({ Records: [{ messageId: randomUUID(), body: JSON.stringify(body) }] }) as SQSEvent;

function webhookEvent(page: MemoryPlan['pages'][number]): APIGatewayProxyEventV2 {
  const body = metaWebhookBody('page', [
    { accountId: page.id, events: [{ personId: page.personId, timestamp: Date.now(), text: 'Grüße' }] },
  ]);
  const event = apiGatewayEvent('/webhooks/meta', {
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signBody(body, plan.webhookSecret.app_secret),
    },
  });
  event.requestContext.http.method = 'POST';
  return { ...event, routeKey: '$default', body, isBase64Encoded: false };
}

const operations: Record<Operation, (i: number) => Promise<Invocation>> = {
  'sync run': (i) => {
    const page = plan.pages[i % plan.pages.length] as MemoryPlan['pages'][number];
    return invoke(syncWorker, sqsEvent({ pageId: page.id }), 'sync-worker');
  },
  'API request': (i) => {
    const page = plan.pages[i % plan.pages.length] as MemoryPlan['pages'][number];
    return invoke(api, apiGatewayEvent(`/pages/${page.id}/conversations`), 'api');
  },
  'webhook receive': (i) => {
    const page = plan.pages[i % plan.pages.length] as MemoryPlan['pages'][number];
    return invoke(receiver, webhookEvent(page), 'webhook-receiver');
  },
  'webhook refresh': (i) => refreshOf(i, true),
  // Two in three of the issue's deliveries change nothing new (60 deliveries, 20 changes a day).
  'webhook refresh, nothing new': (i) => refreshOf(i, false),
};

async function refreshOf(i: number, changed: boolean): Promise<Invocation> {
  const page = plan.pages[i % plan.pages.length] as MemoryPlan['pages'][number];
  // A webhook says the conversation changed: Graph shows it changed, as it would. A refresh with
  // nothing new is a later delivery about a message already indexed.
  if (changed) await ask({ touch: page.id, conversationId: page.conversationId });
  const request = newRefreshRequest(
    { object: 'page', accountId: page.id, personId: page.personId },
    Date.now(),
  );
  return invoke(refresh, sqsEvent(request), 'webhook-refresh');
}

const results: Record<string, Invocation[]> = {};
// Each Page's first run is its backfill: once per Page, not what a steady run costs.
for (let i = 0; i < plan.pages.length; i++) await operations['sync run'](i);
for (const name of OPERATIONS) {
  const run = operations[name];
  for (let i = 0; i < plan.warm; i++) await run(i);
  const measured: Invocation[] = [];
  for (let i = 0; i < plan.measured; i++) measured.push(await run(i));
  results[name] = measured;
}
// Peak resident memory of the whole process (the kernel's high-water mark), all four functions loaded.
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const output: ChildResult = {
  results: results as ChildResult['results'],
  imports,
  metricSeries: [...metricSeries].sort(),
  peakRssBytes,
};
process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(output)}\n`);
secrets.mock.restore();
process.exit(0);
