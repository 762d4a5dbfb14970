import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoPages } from '#lib/local/graph-emulator.js';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import { TABLE_KEYS } from '#lib/store/table-schema.js';
import { EVENT_TIME_TOLERANCE_MS } from '#lib/webhooks/delivery-limits.js';
import { newRefreshRequest } from '#lib/webhooks/refresh-request.js';
import { startWebhookRig, type WebhookRig } from './support/webhook-rig.js';

const PAGE = '1000000000000001';
/** 9999-12-31T23:59:59Z: what a hostile (or broken) sender puts in `timestamp`. */
const YEAR_9999 = 253_402_300_799_000;
const RECEIVED_AT = Date.UTC(2026, 11, 1, 10, 0, 0);

describe("Meta's timestamp is trusted only up to 5 minutes ahead of the time of receipt", () => {
  it.each([
    ['an event in the past', RECEIVED_AT - 3_600_000, RECEIVED_AT - 3_600_000],
    [
      'an event exactly 5 minutes ahead',
      RECEIVED_AT + EVENT_TIME_TOLERANCE_MS,
      RECEIVED_AT + EVENT_TIME_TOLERANCE_MS,
    ],
    ['an event 5 minutes and 1 ms ahead: ignored', RECEIVED_AT + EVENT_TIME_TOLERANCE_MS + 1, undefined],
    ['the year 9999: ignored', YEAR_9999, undefined],
    ['no timestamp', undefined, undefined],
  ])('%s', (_, eventTime, kept) => {
    // Act
    const request = newRefreshRequest(
      { object: 'page', accountId: PAGE, personId: '2000000000000001', eventTime },
      RECEIVED_AT,
    );
    // Assess
    expect(request.eventTime).toBe(kept);
    expect(request.requestedAt).toBe(RECEIVED_AT);
  });
});

describe('a delivery stamped in the year 9999 (through the receiver, the refresh, dynalite and the emulator)', () => {
  let rig: WebhookRig;
  /** The injected clock of the receiver and the refresh: moved by the test only. */
  let clock: number;
  beforeEach(async () => {
    clock = Date.now();
    rig = await startWebhookRig({
      emulator: { pages: seedDemoPages({ pages: 1, perPartition: 3, now: new Date(clock - 3_600_000) }) },
      folders: ['inbox'],
      now: () => new Date(clock),
    });
  });
  afterEach(() => rig.close());

  /** Graph's conversation moves to `at`, and Meta delivers the message with `timestamp`. */
  async function personWrites(conversationId: string, person: string, at: number, timestamp: number) {
    rig.emulator.touch(PAGE, [conversationId], new Date(at));
    const body = metaWebhookBody('page', [{ accountId: PAGE, events: [{ personId: person, timestamp }] }]);
    const answer = await rig.post(body);
    await rig.queue.idle();
    return answer.statusCode;
  }

  it('leaves no covered_event_time in 9999, and the next real event of that person still calls Graph', async () => {
    // Prepare
    const conversation = rig.emulator.pages
      .get(PAGE)
      ?.conversations.find((c) => c.platform === 'messenger' && c.folder === 'inbox');
    const person = conversation?.participants.data[0]?.id ?? '';
    if (conversation === undefined) throw new Error('no seeded conversation');
    // Act 1: the hostile delivery.
    expect(await personWrites(conversation.id, person, clock, YEAR_9999)).toBe(200);
    // Assess 1: it was refreshed (it did name a person), but its time is not what coalescing remembers.
    expect(rig.conversationCalls()).toHaveLength(1);
    const item = await rig.dynamo.client.send(
      new GetItemCommand({
        TableName: rig.tableName,
        Key: {
          [TABLE_KEYS.partitionKey]: { S: `PAGE#${PAGE}` },
          [TABLE_KEYS.sortKey]: { S: `REFRESH#messenger#${person}` },
        },
        ConsistentRead: true,
      }),
    );
    expect(item.Item).toBeDefined();
    const covered = Number(item.Item?.covered_event_time?.N ?? 0);
    expect(covered).toBeLessThanOrEqual(clock + EVENT_TIME_TOLERANCE_MS);
    // Act 2: a minute later, the person really writes.
    clock += 60_000;
    expect(await personWrites(conversation.id, person, clock, clock)).toBe(200);
    // Assess 2: Graph was asked again and the index moved with it.
    expect(rig.conversationCalls()).toHaveLength(2);
    expect(rig.outcomes.at(-1)).toMatchObject({ status: 'refreshed', changed: 1 });
    const events = await rig.events();
    expect(events.at(-1)?.conversation.updated_time).toBe(conversation.updated_time);
  });
});
