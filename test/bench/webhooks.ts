/**
 * Webhooks: the receiver's own time in process (verify, parse, enqueue), freshness from a delivery to
 * `updated_since` over the real local parts, Graph calls per webhook, and what a Page costs per day in
 * Graph calls with webhooks on and the schedule stretched.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResponse } from '#lib/http/responses.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { seedDemoPages } from '#lib/local/graph-emulator.js';
import { StaticWebhookSecrets } from '#lib/local/local-webhook-secrets.js';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import type { RefreshRequest } from '#lib/webhooks/refresh-request.js';
import { signBody } from '#lib/webhooks/signature.js';
import { startWebhookRig } from '../support/webhook-rig.js';
import { count, ms, percentile, type Report } from './report.js';

const SECTION = 'webhooks';
const PAGE = '1000000000000001';
const SECRETS = { appSecret: 'bench-app-secret-not-real', verifyToken: 'bench-verify-token-not-real' };
const quietLogger = { info() {}, warn() {}, error() {} };

export interface WebhookBenchOptions {
  /** Receiver calls timed. */
  deliveries: number;
  /** Deliveries followed to `updated_since`. */
  freshnessRuns: number;
  /** The stretched schedule the daily cost is projected for. */
  stretchedScheduleMinutes: number;
}

function postEvent(body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/webhooks/meta',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRETS.appSecret) },
    requestContext: {
      http: {
        method: 'POST',
        path: '/webhooks/meta',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'b',
      },
      requestId: 'bench',
      stage: '$default',
    },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function receiverTime(report: Report, deliveries: number): Promise<void> {
  const enqueued: RefreshRequest[] = [];
  const handler = createWebhookHandler({
    secrets: new StaticWebhookSecrets(SECRETS),
    queue: { send: async (requests) => void enqueued.push(...requests) },
    logger: quietLogger,
    now: () => new Date(),
  });
  const context = lambdaContext('webhook-receiver');
  const times: number[] = [];
  for (let i = 0; i < deliveries + 100; i++) {
    const body = metaWebhookBody('page', [
      {
        accountId: PAGE,
        events: [
          { personId: String(2_000_000_000_000_000 + (i % 50)), timestamp: Date.now(), text: 'Grüße' },
        ],
      },
    ]);
    const event = postEvent(body);
    const started = performance.now();
    const response = (await handler(event, context)) as HttpResponse;
    const elapsed = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`receiver answered ${response.statusCode}`);
    if (i >= 100) times.push(elapsed); // the first hundred warm the JIT
  }
  report.add({
    section: SECTION,
    measure: `receiver time in process, p50; p99 (${count(deliveries)} signed deliveries, queue in memory)`,
    value: `${ms(percentile(times, 50), 3)}; ${ms(percentile(times, 99), 3)}`,
    reference: "Meta's limit: 5 s",
    budget: '—',
    verdict: 'info',
  });
}

async function freshness(report: Report, options: WebhookBenchOptions): Promise<void> {
  const rig = await startWebhookRig({
    emulator: { pages: seedDemoPages({ pages: 1, perPartition: 20 }) },
    callsPerSecond: 2,
  });
  try {
    const inbox =
      rig.emulator.pages
        .get(PAGE)
        ?.conversations.filter((c) => c.platform === 'messenger' && c.folder === 'inbox') ?? [];
    const times: number[] = [];
    rig.emulator.resetCalls();
    for (let run = 0; run < options.freshnessRuns; run++) {
      const conversation = inbox[run % inbox.length];
      if (conversation === undefined) throw new Error('no seeded conversation');
      const at = new Date(Date.now() + 3_600_000 + run * 1000);
      const started = performance.now();
      rig.emulator.touch(PAGE, [conversation.id], at);
      const body = metaWebhookBody('page', [
        {
          accountId: PAGE,
          events: [{ personId: conversation.participants.data[0]?.id ?? '', timestamp: at.getTime() }],
        },
      ]);
      await rig.post(body);
      for (;;) {
        const page = await rig.index.query({
          pageId: PAGE,
          platform: 'messenger',
          folder: 'inbox',
          updatedSince: new Date(at.getTime() - 1000),
          limit: 10,
        });
        if (page.data.some((c) => c.id === conversation.id && c.updated_time === conversation.updated_time))
          break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      times.push(performance.now() - started);
      await rig.queue.idle();
      // Past the account's next slot (2 calls/s): each delivery is timed as a lone one, not queued behind the last.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const calls = rig.conversationCalls().length;
    const perWebhook = calls / options.freshnessRuns;
    report.add({
      section: SECTION,
      measure: `freshness, webhook to updated_since, p50; p99 (${options.freshnessRuns} deliveries, local, paced 2/s)`,
      value: `${ms(percentile(times, 50))}; ${ms(percentile(times, 99))}`,
      reference: 'schedule alone: up to 15 min plus the run',
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section: SECTION,
      measure: 'Graph calls per webhook (conversation in the first folder searched)',
      value: perWebhook.toFixed(2),
      reference: 'one per folder searched until found',
      budget: '—',
      verdict: 'info',
    });
    const partitions = 4;
    const today = (partitions * (24 * 60)) / 15;
    const stretched = (partitions * 24 * 60) / options.stretchedScheduleMinutes;
    report.add({
      section: SECTION,
      measure: `Graph calls per quiet Page per day, schedule every ${options.stretchedScheduleMinutes} min with webhooks on`,
      value: `${count(stretched)} + ${perWebhook.toFixed(2)} per webhook`,
      reference: `today (15 min, no webhooks): ${count(today)}`,
      budget: '—',
      verdict: 'info',
    });
  } finally {
    await rig.close();
  }
}

/** The bench section: `{ name: 'webhooks', run: (report) => benchWebhooks(report, {...}) }` in run.ts. */
export async function benchWebhooks(report: Report, options: WebhookBenchOptions): Promise<void> {
  await receiverTime(report, options.deliveries);
  await freshness(report, options);
}
