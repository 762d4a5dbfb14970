import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEventBridgeClient, EVENTBRIDGE_TIMEOUTS } from '#lib/events/eventbridge-client.js';
import { EventBridgeSink } from '#lib/events/eventbridge-sink.js';
import { type BlackHole, startBlackHole } from './support/black-hole.js';
import { createdDetail } from './support/change-detail.js';

/**
 * The change-event sink in front of an EventBridge that accepts connections and never answers: each
 * PutEvents gives up at the client's request timeout (one SDK attempt, the sink's own attempts on top),
 * and the publish fails rather than holding a sync run or a refresh until Lambda stops it. The outbox
 * keeps the events for the next run.
 */
describe('change events when EventBridge does not answer', () => {
  let hole: BlackHole;
  beforeAll(async () => {
    hole = await startBlackHole();
  });
  afterAll(async () => {
    await hole.close();
  });

  test('a publish fails after one request per sink attempt, each cut by the request timeout', async () => {
    // Prepare
    const client = createEventBridgeClient({
      endpoint: hole.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEVENTSTEST', secretAccessKey: 'events-test-secret' },
    });
    const sink = new EventBridgeSink({
      client,
      eventBusName: 'timeout-bus',
      maxAttempts: 2,
      sleep: async () => undefined,
    });
    const detail = createdDetail('t_1');
    // Act
    const published = sink.publish([detail]);
    // Assess
    await expect(published).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(hole.requests).toBe(2 * EVENTBRIDGE_TIMEOUTS.maxAttempts);
    expect(EVENTBRIDGE_TIMEOUTS.maxAttempts).toBe(1);
  });
});
