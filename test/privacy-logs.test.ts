import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatedConversation } from '#lib/local/graph-emulator-seed.js';
import { signRequest } from '#lib/privacy/signed-request.js';
import type { MetricDimensions, MetricName, ProductMetrics } from '#lib/telemetry/product-metrics.js';
import {
  namePerson,
  PAGE_ID,
  PRIVACY_APP_SECRET,
  type PrivacyRig,
  personOf,
  startPrivacyRig,
} from './support/privacy-rig.js';

/**
 * No person's id in clear in any log line or metric: every line the product logs while a person is
 * synced, refreshed by webhooks, read by id on the live route, erased by the route and by Meta's
 * callback, then synced and refreshed again, is kept and searched for the id. Change events go to the
 * log here, as `npm start` does without `EVENTS_FILE`.
 */

let rig: PrivacyRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Metrics that keep every call as text: what an EMF line would carry. */
function textMetrics(): ProductMetrics & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    count: (name: MetricName, value = 1, dimensions: MetricDimensions = {}) => {
      lines.push(JSON.stringify({ name, value, dimensions }));
    },
    addMetadata: (key: string, value: string) => {
      lines.push(JSON.stringify({ key, value }));
    },
  };
}

describe('logs and metrics never name a person', () => {
  it('hold no erased id through sync, webhooks, the live route, the erasure, the callback and after', async () => {
    // Prepare: one person with conversations on both platforms, another whom Meta's callback names.
    const metrics = textMetrics();
    rig = await startPrivacyRig({ logEvents: true, metrics });
    const conversations = rig.emulator.pages.get(PAGE_ID)?.conversations ?? [];
    const pick = (platform: string, nth: number) =>
      conversations.filter((c) => c.platform === platform && c.folder === 'inbox')[
        nth
      ] as EmulatedConversation;
    const personId = personOf(pick('messenger', 0));
    namePerson(pick('instagram', 0), personId);
    const calledBack = personOf(pick('messenger', 1));

    // Act
    await rig.fullSync();
    await rig.webhook(personId);
    await rig.webhook(personId, 'instagram');
    const live = await rig.call(`/pages/${PAGE_ID}/conversations?user_id=${personId}&folder=inbox`);
    const badBody = await rig.erase(PAGE_ID, { person_id: personId, note: personId });
    const erased = await rig.erase(PAGE_ID, { person_id: personId });
    const issuedAt = Math.floor(rig.clock.now.getTime() / 1000);
    const callback = await rig.call('/meta/data-deletion', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `signed_request=${signRequest({ algorithm: 'HMAC-SHA256', issued_at: issuedAt, user_id: calledBack }, PRIVACY_APP_SECRET)}`,
    });
    await rig.privacyQueue.idle();
    rig.clock.now = new Date(rig.clock.now.getTime() + 60_000);
    await rig.fullSync();
    await rig.webhook(personId);
    await rig.webhook(calledBack);

    // Assess: the scenario ran, and logged what it did.
    expect([live.status, badBody.status, erased.status, callback.status]).toEqual([200, 400, 200, 200]);
    const lines = [...rig.logger.lines, ...metrics.lines];
    const messages = rig.logger.lines.map((line) => (JSON.parse(line) as { message: string }).message);
    for (const message of ['request', 'change event', 'person erased', 'data-deletion request completed'])
      expect(messages).toContain(message);
    const erasedLine = rig.logger.lines.find((line) => line.includes('"person erased"')) ?? '';
    expect(JSON.parse(erasedLine)).toMatchObject({ person: expect.stringMatching(/^[0-9a-f]{12}$/) });
    // No line holds either id.
    expect(lines.filter((line) => line.includes(personId))).toEqual([]);
    expect(lines.filter((line) => line.includes(calledBack))).toEqual([]);
  });
});
