import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '#lib/domain/errors.js';
import { seedDemoPages } from '#lib/local/graph-emulator.js';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import { startWebhookRig, type WebhookRig } from './support/webhook-rig.js';

/**
 * "No refresh is ever dropped": one delivery naming many people, over the real refresh path (the
 * receiver's handler, the in-process queue, dynalite, the Graph emulator over HTTP). Counts, never
 * timings: every person asked for is refreshed exactly as often as requested, whatever the load.
 */

const PAGE = '1000000000000001';
const CONCURRENCY = 8;
const person = (i: number) => String(2_000_000_000_000_000 + i);

let rig: WebhookRig;
beforeEach(async () => {
  rig = await startWebhookRig({
    emulator: { pages: seedDemoPages({ pages: 1, perPartition: 3 }) },
    platforms: ['messenger'],
    folders: ['inbox'],
    // Retries at once: what is tested is that they happen, not how long they wait.
    queue: { concurrency: CONCURRENCY, retryDelayMs: () => 1 },
  });
});
afterEach(() => rig.close());

/** One delivery naming `count` people (none has a conversation: each refresh is one Graph call). */
function deliveryNaming(count: number): string {
  const events = Array.from({ length: count }, (_, i) => ({ personId: person(i), timestamp: Date.now() }));
  return metaWebhookBody('page', [{ accountId: PAGE, events }]);
}

/** The people Graph was asked about, each once per refresh. */
const askedAbout = () => rig.conversationCalls(PAGE).map((call) => call.params.user_id);

/** Fails DynamoDB calls the way an overloaded or unreachable DynamoDB does, where `fails` says. */
function injectFaults(client: DynamoDBClient, fails: (input: Record<string, unknown>) => boolean): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      if (fails(args.input as Record<string, unknown>)) {
        throw new UnavailableError("The API's store (DynamoDB) is unavailable. Try again shortly.");
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectedStoreFaults' },
  );
}

const sortKeyOf = (input: Record<string, unknown>) =>
  ((input.Key as Record<string, { S?: string }> | undefined)?.sk?.S ?? '') as string;

describe('one delivery naming 1,000 people', () => {
  it('refreshes every one of them, at most 8 at once, none crashed or given up', {
    timeout: 180_000,
  }, async () => {
    // Act
    const answer = await rig.post(deliveryNaming(1_000));
    await rig.queue.idle();
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(rig.outcomes).toHaveLength(1_000);
    expect(rig.outcomes.every((outcome) => outcome.status === 'refreshed')).toBe(true);
    expect(new Set(askedAbout()).size).toBe(1_000);
    expect(askedAbout()).toHaveLength(1_000);
    expect(rig.maxRefreshesAtOnce()).toBeLessThanOrEqual(CONCURRENCY);
    expect(rig.logger.lines.filter((line) => line.includes('"level":"ERROR"'))).toEqual([]);
  });
});

describe('a refresh that fails for a transient reason of ours runs again', () => {
  it('a claim DynamoDB did not answer (every 10th person, once): all 200 refreshed', async () => {
    // Prepare: the first claim of every 10th person's refresh item fails.
    const failed = new Set<string>();
    injectFaults(rig.dynamo.client, (input) => {
      const match = /^REFRESH#messenger#(\d+)$/.exec(sortKeyOf(input));
      const id = match?.[1];
      if (id === undefined || Number(id.slice(-3)) % 10 !== 0 || failed.has(id)) return false;
      if (!String(input.UpdateExpression ?? '').startsWith('SET #started')) return false;
      failed.add(id);
      return true;
    });
    // Act
    const answer = await rig.post(deliveryNaming(200));
    await rig.queue.idle();
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(failed.size).toBe(20);
    expect(rig.outcomes.filter((outcome) => outcome.status === 'refreshed')).toHaveLength(200);
    expect(new Set(askedAbout()).size).toBe(200);
    expect(rig.logger.lines.filter((line) => line.includes('runs again'))).toHaveLength(20);
  });

  it('a read of the back-off that failed mid-refresh: retried and indexed, not left to the schedule', async () => {
    // Prepare: a seeded person writes; the refresh's first read of the Page's back-off fails.
    const conversation = rig.emulator.pages
      .get(PAGE)
      ?.conversations.find((c) => c.platform === 'messenger' && c.folder === 'inbox');
    if (conversation === undefined) throw new Error('no seeded conversation');
    const at = new Date(Date.now() + 60_000);
    rig.emulator.touch(PAGE, [conversation.id], at);
    let backoffReads = 0;
    injectFaults(rig.dynamo.client, (input) => {
      const pk = (input.Key as Record<string, { S?: string }> | undefined)?.pk?.S;
      return pk === `BACKOFF#${PAGE}` && ++backoffReads === 1;
    });
    const body = metaWebhookBody('page', [
      {
        accountId: PAGE,
        events: [{ personId: conversation.participants.data[0]?.id ?? '', timestamp: at.getTime() }],
      },
    ]);
    // Act
    await rig.post(body);
    await rig.queue.idle();
    // Assess
    expect(backoffReads).toBeGreaterThanOrEqual(2);
    expect(rig.outcomes).toEqual([expect.objectContaining({ status: 'refreshed', changed: 1 })]);
    expect((await rig.events()).map((event) => event.conversation.id)).toEqual([conversation.id]);
  });
});
