import { describe, expect, it } from 'vitest';
import { syncWorkersFor } from '#lib/config/stack-sizing.js';
import {
  CHEAPEST_DEPLOYMENT,
  ISSUE_DEFAULT_DEPLOYMENT,
  ISSUE_WORKLOAD,
  PAGE_COUNTS,
  PROFILES,
  README_DEPLOYMENT,
  TODAY_COUNTS,
} from './bench/cost-inputs.js';
import {
  costTable,
  DAYS_PER_MONTH,
  type Deployment,
  dollars,
  durationAtMemory,
  LINE_LABELS,
  LINE_NAMES,
  type LineName,
  monthlyCost,
  type Scenario,
  secretReads,
  type Workload,
} from './bench/cost-model.js';
import { costOf, PRICES } from './bench/prices.js';

/**
 * The cost model's arithmetic, as tables. Expected values are computed from the price table, never
 * written as dollars, so that a new price changes the bench's figures and not these tests.
 */

const scenario = (deployment: Partial<Deployment> = {}, workload: Partial<Workload> = {}): Scenario => ({
  workload: { ...ISSUE_WORKLOAD, ...workload },
  // Issue 20's defaults (a secret per Page, webhooks off) at a fixed concurrency, one run an
  // invocation: each test names what it varies.
  deployment: { ...ISSUE_DEFAULT_DEPLOYMENT, syncConcurrency: 10, syncBatchSize: 1, ...deployment },
  counts: TODAY_COUNTS,
});
const MONTH_SECONDS = DAYS_PER_MONTH * 86_400;
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 6);

describe('secrets are counted per Page or per shared secret', () => {
  it.each([
    // pages, Pages per secret, secrets billed
    [1_000, 1, 1_000],
    [1_000, 190, 6],
    [190, 190, 1],
    [191, 190, 2],
    [10, 190, 1],
    [0, 190, 0],
  ])('%i Pages, %i per secret: %i secret-months, plus the webhook secret', (pages, perSecret, secrets) => {
    const cost = monthlyCost(pages, scenario({ pagesPerSecret: perSecret }));
    close(cost.parts.secrets['Page secrets'] ?? Number.NaN, secrets * PRICES.secretMonths.usd);
    close(cost.parts.secrets['webhook secret'] ?? Number.NaN, PRICES.secretMonths.usd);
  });

  it.each([
    // pages, secrets billed: pages connect stores a secret per Page up to 10 Pages, shared ones above
    [10, 10],
    [11, 1],
    [1_000, 6],
  ])('as the README sets up, %i Pages pay %i secret-months', (pages, secrets) => {
    const cost = monthlyCost(pages, { ...scenario(), deployment: README_DEPLOYMENT });
    close(cost.parts.secrets['Page secrets'] ?? Number.NaN, secrets * PRICES.secretMonths.usd);
  });

  it('1,000 Pages with a secret each pay 1,000 secret-months ($400 at $0.40)', () => {
    const cost = monthlyCost(1_000, scenario());
    close(cost.parts.secrets['Page secrets'] ?? Number.NaN, 1_000 * PRICES.secretMonths.usd);
  });

  it('with a secret per Page and no API traffic, every sync run reads its secret once, and KMS decrypts each read', () => {
    const cost = monthlyCost(1_000, scenario({ scheduleMinutes: 15 }, { apiRequests: 0 }));
    const runs = (1_000 * (DAYS_PER_MONTH * 1440)) / 15;
    close(cost.parts.secrets['GetSecretValue calls'] ?? Number.NaN, costOf(PRICES.secretsApiCalls, runs));
    close(cost.parts.kms['Decrypt per GetSecretValue'] ?? Number.NaN, costOf(PRICES.kmsRequests, runs));
  });
});

describe('cached secret reads', () => {
  it.each([
    ['no demand reads nothing', { demand: 0, windowSeconds: MONTH_SECONDS, containers: 2, secrets: 5 }, 0],
    [
      'one secret asked for constantly: once per container and period',
      { demand: 1e9, windowSeconds: MONTH_SECONDS, containers: 2, secrets: 1 },
      2 * (MONTH_SECONDS / 300),
    ],
    [
      'a secret per request (secrets far more than requests): one read per request',
      { demand: 100, windowSeconds: MONTH_SECONDS, containers: 1, secrets: 1e12 },
      100,
    ],
    [
      'a window shorter than the cache period counts as one period',
      { demand: 10, windowSeconds: 2, containers: 10, secrets: 1 },
      10 * (1 - Math.exp(-1)),
    ],
  ])('%s', (_name, options, expected) => {
    expect(secretReads({ ...options, cacheSeconds: 300 })).toBeCloseTo(expected, 3);
  });
});

describe('zero Pages cost only what the stack holds', () => {
  it.each(PROFILES.map((profile) => [profile.name, profile.scenario] as const))('%s', (_name, s) => {
    const cost = monthlyCost(0, s);
    const d = s.deployment;
    const rounds = (DAYS_PER_MONTH * 1440) / d.scheduleMinutes;
    const monitoring =
      costOf(PRICES.alarmMetricMonths, d.alarmMetrics) +
      costOf(PRICES.customMetricMonths, d.customMetrics) +
      costOf(PRICES.dashboardMonths, d.dashboard ? 1 : 0);
    const fixed = {
      secrets: costOf(PRICES.secretMonths, 1),
      monitoring,
      // The schedule still fires and Lambda still polls both queues.
      lambda: costOf(PRICES.lambdaRequests, rounds),
      sqs: costOf(PRICES.sqsRequests, 2 * TODAY_COUNTS.pollRequestsPerQueueMonth.value),
      logs:
        costOf(PRICES.logsIngested, (rounds * TODAY_COUNTS.platformLogBytes.value) / 1024 ** 3) *
        (1 + (PRICES.logsStored.usd * d.logRetentionDays) / DAYS_PER_MONTH / PRICES.logsIngested.usd),
    };
    for (const name of LINE_NAMES) close(cost.lines[name], fixed[name as keyof typeof fixed] ?? 0);
    close(
      cost.total,
      Object.values(fixed).reduce((a, b) => a + b, 0),
    );
  });
});

describe('per-Page lines grow linearly with the Pages', () => {
  const linear: LineName[] = ['lambda', 'dynamodb', 'sqs', 'eventbridge', 'logs', 'apiGateway'];
  const cases = PROFILES.flatMap((profile) =>
    linear.map((line) => [profile.name, line, profile.scenario] as const),
  );
  it.each(cases)('%s: %s', (_name, line, s) => {
    const at = (pages: number) => monthlyCost(pages, s).lines[line];
    const perThousand = at(1_000) - at(0);
    expect(perThousand).toBeGreaterThan(0);
    close(at(10_000) - at(0), 10 * perThousand);
    close(at(100_000) - at(0), 100 * perThousand);
  });
});

describe('what each line counts', () => {
  it.each([
    ['webhooks off: API requests only', false, 100],
    ['webhooks on: API requests and deliveries', true, 160],
  ])('API Gateway, %s', (_name, webhooks, perPageDay) => {
    const cost = monthlyCost(1_000, scenario({ webhooks }));
    close(cost.lines.apiGateway, costOf(PRICES.httpApiRequests, 1_000 * perPageDay * DAYS_PER_MONTH));
  });

  it('EventBridge bills one custom event per conversation change', () => {
    const cost = monthlyCost(1_000, scenario());
    close(cost.lines.eventbridge, costOf(PRICES.customEvents, 1_000 * 20 * DAYS_PER_MONTH));
  });

  // A batch's runs wait on Graph together, while their CPU times add up (at 512 MB, stretched).
  const wait = TODAY_COUNTS.syncRunMs.value - TODAY_COUNTS.syncRunCpuMs.value;
  const cpu = TODAY_COUNTS.syncRunCpuMs.value * (1_769 / 512);
  it.each([
    // batch size, sync worker GB-seconds ÷ today's
    [1, 1],
    [10, (wait + 10 * cpu) / (10 * (wait + cpu))],
  ])('runs batched %i per invocation bill %f of the sync worker time', (batch, share) => {
    const one = monthlyCost(1_000, scenario()).parts.lambda['sync worker'] ?? Number.NaN;
    const batched = monthlyCost(1_000, scenario({ syncBatchSize: batch })).parts.lambda['sync worker'];
    close(batched ?? Number.NaN, one * share);
  });

  it.each([
    ['arm64', 'arm64' as const, PRICES.lambdaArmGbSecond],
    ['x86_64', 'x86_64' as const, PRICES.lambdaX86GbSecond],
  ])('%s bills its own GB-second price at the configured memory', (_name, architecture, price) => {
    const cost = monthlyCost(1_000, scenario({ architecture, memoryMb: 1_769 }));
    const runs = (1_000 * (DAYS_PER_MONTH * 1440)) / 15;
    close(
      cost.parts.lambda['sync worker'] ?? Number.NaN,
      costOf(price, runs * (TODAY_COUNTS.syncRunMs.value / 1000) * (1_769 / 1024)),
    );
  });

  it.each([
    // memory, a run's duration: the wait stays, the CPU stretches by 1,769/m below one vCPU
    [256, 1_436 - 22.8 + 22.8 * (1_769 / 256)],
    [512, 1_436 - 22.8 + 22.8 * (1_769 / 512)],
    [1_769, 1_436],
    [3_008, 1_436],
  ])('at %i MB a run of 1,436 ms with 22.8 ms of CPU lasts %f ms', (memoryMb, expected) => {
    close(durationAtMemory(1_436, 22.8, memoryMb), expected);
  });

  it('a smaller size bills fewer GB-seconds for the same run when the run mostly waits', () => {
    const runs = (1_000 * (DAYS_PER_MONTH * 1440)) / 15;
    const counts = TODAY_COUNTS;
    const cost = monthlyCost(1_000, scenario({ memoryMb: 256 }));
    const seconds = durationAtMemory(counts.syncRunMs.value, counts.syncRunCpuMs.value, 256) / 1000;
    close(
      cost.parts.lambda['sync worker'] ?? Number.NaN,
      costOf(PRICES.lambdaArmGbSecond, runs * seconds * 0.25),
    );
    expect(cost.parts.lambda['sync worker']).toBeLessThan(
      monthlyCost(1_000, scenario({ memoryMb: 512 })).parts.lambda['sync worker'] ?? 0,
    );
  });

  it.each([
    [1_000, 15],
    [100_000, 360],
  ])(
    'left unset, the sync concurrency is what the stack computes for %i Pages every %i minutes',
    (pages, minutes) => {
      const cost = monthlyCost(pages, scenario({ syncConcurrency: undefined, scheduleMinutes: minutes }));
      expect(cost.syncConcurrency).toBe(syncWorkersFor(pages, minutes * 60));
    },
  );

  // A batch of 5 refreshes run at once lasts one refresh's wait and five refreshes' CPU.
  const refresh = TODAY_COUNTS.refreshMs.value / 1000;
  const refreshCpu = (TODAY_COUNTS.refreshCpuMs.value / 1000) * (1_769 / 512);
  const batchSeconds = refresh - TODAY_COUNTS.refreshCpuMs.value / 1000 + 5 * refreshCpu;
  it.each([
    // pages, refresh workers busy on average (60 deliveries a Page a day, 5 a batch at 512 MB)
    [10_000, (((10_000 * 60) / 5) * batchSeconds) / 86_400],
    [100_000, (((100_000 * 60) / 5) * batchSeconds) / 86_400],
  ])('%i Pages with webhooks keep %f refresh workers busy', (pages, workers) => {
    close(monthlyCost(pages, scenario({ webhooks: true, memoryMb: 512 })).refreshWorkersNeeded, workers);
  });

  it('the dashboard and the alarms are fixed: the same at 10 and 100,000 Pages', () => {
    expect(monthlyCost(10, scenario()).lines.monitoring).toBe(
      monthlyCost(100_000, scenario()).lines.monitoring,
    );
  });

  it.each([[-1], [1.5], [Number.NaN]])('refuses %f Pages', (pages) => {
    expect(() => monthlyCost(pages, scenario())).toThrow(RangeError);
  });
});

describe('the printed table', () => {
  it('has a column per Page count, a row per line and the total in dollars', () => {
    const s = { ...scenario(), deployment: CHEAPEST_DEPLOYMENT };
    const lines = costTable(s, PAGE_COUNTS).split('\n');
    expect(lines[0]).toBe('| monthly, us-east-1 | 10 Pages | 1,000 Pages | 10,000 Pages | 100,000 Pages |');
    expect(lines.slice(2, -1).map((line) => line.split(' | ')[0])).toEqual(
      LINE_NAMES.map((name) => `| ${LINE_LABELS[name]}`),
    );
    expect(lines.at(-1)).toContain(`**${dollars(monthlyCost(10_000, s).total)}**`);
  });

  it.each([
    [0.5, '$0.50'],
    [99.994, '$99.99'],
    [5_195.4, '$5,195'],
  ])('%f dollars print as %s', (value, text) => {
    expect(dollars(value)).toBe(text);
  });
});
