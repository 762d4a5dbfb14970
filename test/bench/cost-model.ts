/**
 * What a deployment costs a month, line by line: a pure function of the number of Pages, what a Page
 * does in a day, the deployment's settings, per-operation counts (each marked measured or assumed, so
 * that the bench can feed in what it measured) and the price table (`prices.ts`). No I/O, no clock.
 *
 * The model counts what the stack bills for: each sync run, API request and webhook delivery, and what
 * the stack holds whatever it does (alarms, metrics, dashboard, the webhook secret, queue polling).
 * A month is 30 days. Free tiers are left out: the account shares them with everything else in it.
 */
import { syncWorkersFor } from '#lib/config/stack-sizing.js';
import { costOf, PRICES, type PriceTable } from './prices.js';

export const DAYS_PER_MONTH = 30;
const SECONDS_PER_DAY = 86_400;
const SECONDS_PER_MONTH = DAYS_PER_MONTH * SECONDS_PER_DAY;
const KB = 1024;
const GB = 1024 ** 3;
/** The stack's two SQS queues with a Lambda poller (sync, webhook refresh); dead-letter queues are not polled. */
const POLLED_QUEUES = 2;

/** What one Page does in a day (the issue's assumptions). */
export interface Workload {
  readonly conversationChanges: number;
  readonly apiRequests: number;
  /** Counted only when the deployment has webhooks on. */
  readonly webhookDeliveries: number;
}

/** The deployment's settings, today's and the levers' (issue 20 item 2). */
export interface Deployment {
  readonly scheduleMinutes: number;
  /** 1: a secret per Page; more: shared secrets (`pages connect` fills about 190 a secret). */
  readonly pagesPerSecret: number;
  /**
   * `pages connect` stores a secret per Page up to this many Pages and shared secrets above it
   * (`SHARED_SECRETS_ABOVE_PAGES`, 10); unset: `pagesPerSecret` at any size.
   */
  readonly sharedSecretsAbovePages?: number | undefined;
  readonly webhooks: boolean;
  readonly dashboard: boolean;
  /** Metrics the alarms read (four alarms on eight today): CloudWatch bills each. */
  readonly alarmMetrics: number;
  /** Metric name and dimension sets published in a steady month. */
  readonly customMetrics: number;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /**
   * Sync workers at once; unset: what the stack computes for a deployment sized for the Pages
   * (`expectedPages`) at its schedule (`syncWorkersFor`).
   */
  readonly syncConcurrency?: number | undefined;
  /** Pages per sync-worker invocation, run at once (today 1): an invocation lasts about one run. */
  readonly syncBatchSize: number;
  /** Refresh requests per refresh-worker invocation (today 5). */
  readonly refreshBatchSize: number;
  /** Whether an invocation runs its refreshes at once (today one after another). */
  readonly refreshConcurrent: boolean;
  /** Messages per SendMessage call of the schedule (today 1; SendMessageBatch takes 10). */
  readonly scheduleSendBatch: number;
  readonly logRetentionDays: number;
  /** `encryptionKeyArn`: a customer managed key's monthly fee (its requests are not modelled). */
  readonly customerManagedKeys: number;
}

export type CountName =
  | 'syncRunMs'
  | 'syncRunCpuMs'
  | 'scheduleMsPerSend'
  | 'scheduleCpuMsPerSend'
  | 'apiRequestMs'
  | 'apiRequestCpuMs'
  | 'receiverMs'
  | 'receiverCpuMs'
  | 'refreshMs'
  | 'refreshCpuMs'
  | 'graphCallsPerRun'
  | 'runWriteUnits'
  | 'runReadUnits'
  | 'changeWriteUnits'
  | 'requestWriteUnits'
  | 'requestReadUnits'
  | 'refreshWriteUnits'
  | 'refreshReadUnits'
  | 'registryItemBytes'
  | 'conversationsPerPage'
  | 'storedBytesPerConversation'
  | 'runLogBytes'
  | 'requestLogBytes'
  | 'receiverLogBytes'
  | 'refreshLogBytes'
  | 'platformLogBytes'
  | 'accessLogBytes'
  | 'secretCacheSeconds'
  | 'refreshesPerDelivery'
  | 'pollRequestsPerQueueMonth';

/** One per-operation number, with where it comes from. */
export interface Count {
  readonly value: number;
  readonly source: 'measured' | 'assumed';
  readonly from: string;
}

export type OperationCounts = { readonly [K in CountName]: Count };

export interface Scenario {
  readonly workload: Workload;
  readonly deployment: Deployment;
  readonly counts: OperationCounts;
}

export const LINE_LABELS = {
  secrets: 'Secrets Manager',
  kms: 'KMS',
  monitoring: 'alarms, dashboard, metrics',
  lambda: 'Lambda',
  dynamodb: 'DynamoDB',
  sqs: 'SQS',
  eventbridge: 'EventBridge',
  logs: 'CloudWatch Logs',
  apiGateway: 'API Gateway',
} as const;

export type LineName = keyof typeof LINE_LABELS;
export const LINE_NAMES = Object.keys(LINE_LABELS) as LineName[];

export interface MonthlyCost {
  readonly pages: number;
  /** Each line's parts in dollars, by what they pay for. */
  readonly parts: { readonly [L in LineName]: Readonly<Record<string, number>> };
  readonly lines: { readonly [L in LineName]: number };
  readonly total: number;
  /** How long a scheduled round takes at the deployment's concurrency (longer than the interval: it falls behind). */
  readonly roundMinutes: number;
  /** The sync workers the round was counted at (the deployment's, or the stack's computed default). */
  readonly syncConcurrency: number;
  /** Refresh workers busy at once on average; above the deployment's concurrency the queue only grows. */
  readonly refreshWorkersNeeded: number;
}

/**
 * GetSecretValue calls made by `containers` warm containers that cache each secret for a period: in a
 * period a container reads each secret it is asked for once. With demand spread evenly over `secrets`
 * secrets (a Poisson count per secret), a container reads S × (1 − e^(−k/S)) secrets a period, where k
 * is its demand in that period: about k when secrets are many (a secret per Page), about S when each is
 * asked for often (shared secrets).
 */
export function secretReads(options: {
  demand: number;
  windowSeconds: number;
  containers: number;
  secrets: number;
  cacheSeconds: number;
}): number {
  const { demand, secrets } = options;
  if (demand <= 0 || secrets <= 0) return 0;
  const periods = Math.max(1, options.windowSeconds / options.cacheSeconds);
  const containers = Math.max(1, options.containers);
  const perContainerPeriod = demand / (containers * periods);
  // expm1 keeps the precision 1 − e^(−x) loses when x is tiny (many secrets, little demand each).
  return containers * periods * secrets * -Math.expm1(-perContainerPeriod / secrets);
}

/** Warm containers a steady stream needs: Little's law, at least one while there is any. */
const containersFor = (perMonth: number, seconds: number) =>
  perMonth <= 0 ? 0 : Math.max(1, Math.ceil((perMonth / SECONDS_PER_MONTH) * seconds));

/** Lambda gives one vCPU at 1,769 MB, and CPU in proportion to memory below it (AWS Lambda docs). */
export const ONE_VCPU_MB = 1_769;

/**
 * An invocation's duration at `memoryMb`, from its wall and CPU times measured with a whole core: the
 * wait on I/O stays, the CPU time stretches by 1,769/m below 1,769 MB (test/bench/memory.ts: the model
 * and its limits).
 */
export const durationAtMemory = (wallMs: number, cpuMs: number, memoryMb: number): number =>
  Math.max(0, wallMs - cpuMs) + cpuMs * Math.max(1, ONE_VCPU_MB / memoryMb);

const sum = (parts: Readonly<Record<string, number>>) => Object.values(parts).reduce((a, b) => a + b, 0);

/** The monthly cost of serving `pages` Pages under `scenario`, at `prices`. */
export function monthlyCost(pages: number, scenario: Scenario, prices: PriceTable = PRICES): MonthlyCost {
  if (!Number.isInteger(pages) || pages < 0)
    throw new RangeError(`pages must be a whole number ≥ 0: ${pages}`);
  const { workload: w, deployment: d } = scenario;
  const c = (name: CountName) => scenario.counts[name].value;
  // Durations are measured with a whole core; at the deployment's memory the CPU part stretches.
  const seconds = (wall: CountName, cpu?: CountName) =>
    durationAtMemory(c(wall), cpu === undefined ? 0 : c(cpu), d.memoryMb) / 1000;

  // How much happens in a month.
  const rounds = (DAYS_PER_MONTH * 1440) / d.scheduleMinutes;
  const runs = pages * rounds;
  const invocationsPerRound = Math.ceil(pages / d.syncBatchSize);
  const syncInvocations = invocationsPerRound * rounds;
  const concurrency = d.syncConcurrency ?? syncWorkersFor(Math.max(1, pages), d.scheduleMinutes * 60);
  // A batch's runs wait on Graph together while their CPU times add up (as the refresh's below).
  const cpuSeconds = (name: CountName) => durationAtMemory(c(name), c(name), d.memoryMb) / 1000;
  const runSeconds =
    seconds('syncRunMs', 'syncRunCpuMs') + (d.syncBatchSize - 1) * cpuSeconds('syncRunCpuMs');
  const roundSeconds = Math.ceil(invocationsPerRound / concurrency) * runSeconds;
  const requests = pages * w.apiRequests * DAYS_PER_MONTH;
  const changes = pages * w.conversationChanges * DAYS_PER_MONTH;
  const deliveries = d.webhooks ? pages * w.webhookDeliveries * DAYS_PER_MONTH : 0;
  const refreshes = deliveries * c('refreshesPerDelivery');
  const refreshInvocations = refreshes / d.refreshBatchSize;
  const sends = Math.ceil(pages / d.scheduleSendBatch) * rounds;

  // Secrets: the Pages' secrets and the webhook secret the stack creates.
  const pagesPerSecret =
    d.sharedSecretsAbovePages !== undefined && pages <= d.sharedSecretsAbovePages ? 1 : d.pagesPerSecret;
  const secrets = Math.ceil(pages / pagesPerSecret);
  const cacheSeconds = c('secretCacheSeconds');
  const continuous = (demand: number, ms: number, cap: number, secretCount: number) =>
    secretReads({
      demand,
      windowSeconds: SECONDS_PER_MONTH,
      containers: Math.min(cap, containersFor(demand, ms / 1000)),
      secrets: secretCount,
      cacheSeconds,
    });
  const syncReads =
    pagesPerSecret === 1
      ? runs // a run's Page was last read a whole interval ago, most likely by another container
      : rounds *
        secretReads({
          demand: pages,
          windowSeconds: roundSeconds,
          containers: Math.min(concurrency, invocationsPerRound),
          secrets,
          cacheSeconds,
        });
  const apiSeconds = seconds('apiRequestMs', 'apiRequestCpuMs');
  const refreshSeconds = seconds('refreshMs', 'refreshCpuMs');
  const receiverSeconds = seconds('receiverMs', 'receiverCpuMs');
  const apiReads = continuous(requests, apiSeconds * 1000, Number.POSITIVE_INFINITY, secrets);
  const refreshReads = continuous(refreshes, refreshSeconds * 1000, concurrency, secrets);
  const webhookSecretReads = continuous(deliveries, receiverSeconds * 1000, Number.POSITIVE_INFINITY, 1);
  const allReads = syncReads + apiReads + refreshReads + webhookSecretReads;

  // Lambda: GB-seconds and invocations of the five functions.
  const memoryGb = d.memoryMb / 1024;
  const lambdaSeconds = {
    'sync worker': syncInvocations * runSeconds,
    schedule: sends * seconds('scheduleMsPerSend', 'scheduleCpuMsPerSend'),
    api: requests * apiSeconds,
    'webhook receiver': deliveries * receiverSeconds,
    // Run at once, a batch's refreshes wait on Graph together, while their CPU times add up: an
    // invocation lasts one refresh's wait and every refresh's CPU. Batches are taken as full (the event
    // source has no batching window: at a low rate they are smaller and this counts too little).
    'webhook refresh': d.refreshConcurrent
      ? refreshInvocations * (refreshSeconds + (d.refreshBatchSize - 1) * cpuSeconds('refreshCpuMs'))
      : refreshes * refreshSeconds,
  };
  const invocations = syncInvocations + rounds + requests + deliveries + refreshInvocations;
  const gbSecondPrice = d.architecture === 'arm64' ? prices.lambdaArmGbSecond : prices.lambdaX86GbSecond;

  // Logs: the functions' own lines, Lambda's START/END/REPORT per invocation, API Gateway's access log.
  const logBytes =
    runs * c('runLogBytes') +
    requests * c('requestLogBytes') +
    deliveries * c('receiverLogBytes') +
    refreshes * c('refreshLogBytes') +
    invocations * c('platformLogBytes') +
    (requests + deliveries) * c('accessLogBytes');
  const ingestedGb = logBytes / GB;

  // A Query is billed on the sum of its items' sizes per 4 KB, halved when eventually consistent.
  const registryReadUnits = ((rounds * pages * c('registryItemBytes')) / (4 * KB)) * 0.5;
  const parts: MonthlyCost['parts'] = {
    secrets: {
      'Page secrets': costOf(prices.secretMonths, secrets),
      'webhook secret': costOf(prices.secretMonths, 1),
      'GetSecretValue calls': costOf(prices.secretsApiCalls, allReads),
    },
    kms: {
      'Decrypt per GetSecretValue': costOf(prices.kmsRequests, allReads),
      'customer managed keys': costOf(prices.kmsKeyMonths, d.customerManagedKeys),
    },
    monitoring: {
      'alarm metrics': costOf(prices.alarmMetricMonths, d.alarmMetrics),
      'custom metrics': costOf(prices.customMetricMonths, d.customMetrics),
      dashboard: costOf(prices.dashboardMonths, d.dashboard ? 1 : 0),
    },
    lambda: {
      ...Object.fromEntries(
        Object.entries(lambdaSeconds).map(([name, s]) => [name, costOf(gbSecondPrice, s * memoryGb)]),
      ),
      invocations: costOf(prices.lambdaRequests, invocations),
    },
    dynamodb: {
      writes: costOf(
        prices.dynamoWriteUnits,
        runs * c('runWriteUnits') +
          changes * c('changeWriteUnits') +
          requests * c('requestWriteUnits') +
          refreshes * c('refreshWriteUnits'),
      ),
      reads: costOf(
        prices.dynamoReadUnits,
        runs * c('runReadUnits') +
          requests * c('requestReadUnits') +
          refreshes * c('refreshReadUnits') +
          registryReadUnits,
      ),
      storage: costOf(
        prices.dynamoStorage,
        (pages * c('conversationsPerPage') * c('storedBytesPerConversation')) / GB,
      ),
    },
    sqs: {
      'sync messages': costOf(prices.sqsRequests, sends + 2 * syncInvocations),
      'refresh messages': costOf(prices.sqsRequests, deliveries + 2 * refreshInvocations),
      'idle polling': costOf(prices.sqsRequests, POLLED_QUEUES * c('pollRequestsPerQueueMonth')),
    },
    eventbridge: { 'change events': costOf(prices.customEvents, changes) },
    logs: {
      ingestion: costOf(prices.logsIngested, ingestedGb),
      storage: costOf(prices.logsStored, (ingestedGb * d.logRetentionDays) / DAYS_PER_MONTH),
    },
    apiGateway: { requests: costOf(prices.httpApiRequests, requests + deliveries) },
  };
  const lines = Object.fromEntries(
    LINE_NAMES.map((name) => [name, sum(parts[name])]),
  ) as MonthlyCost['lines'];
  const refreshWorkersNeeded = lambdaSeconds['webhook refresh'] / SECONDS_PER_MONTH;
  return {
    pages,
    parts,
    lines,
    total: sum(lines),
    roundMinutes: roundSeconds / 60,
    syncConcurrency: concurrency,
    refreshWorkersNeeded,
  };
}

/** Dollars as a finance reader wants them: cents below $100, whole dollars above. */
export function dollars(value: number): string {
  if (value < 100) return `$${value.toFixed(2)}`;
  return `$${Math.round(value).toLocaleString('en-US')}`;
}

/** A Markdown table: one column per Page count, a row per line and the total. */
export function costTable(
  scenario: Scenario,
  pageCounts: readonly number[],
  prices: PriceTable = PRICES,
): string {
  const costs = pageCounts.map((pages) => monthlyCost(pages, scenario, prices));
  const header = `| monthly, us-east-1 | ${pageCounts.map((n) => `${n.toLocaleString('en-US')} Pages`).join(' | ')} |`;
  const rows = LINE_NAMES.map(
    (name) => `| ${LINE_LABELS[name]} | ${costs.map((cost) => dollars(cost.lines[name])).join(' | ')} |`,
  );
  const total = `| **total** | ${costs.map((cost) => `**${dollars(cost.total)}**`).join(' | ')} |`;
  return [header, `|---|${pageCounts.map(() => '--:').join('|')}|`, ...rows, total].join('\n');
}
