import { afterEach, describe, expect, it } from 'vitest';
import type { PageView } from '#lib/domain/page.js';
import { WEBHOOK_FIELDS } from '#lib/graph/graph-subscriptions.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator.js';
import { registerLocalPages } from '#lib/pages/manage-pages.js';
import { checkPages } from '#lib/pages/page-health.js';
import { WEBHOOK_CHECK_MS } from '#lib/sync/page-record.js';
import { syncPage } from '#lib/sync/page-run.js';
import { scheduleRound } from '#lib/sync/schedule-round.js';
import { METRIC_NAMES } from '#lib/telemetry/metric-names.js';
import { type Harness, startHarness } from './support/harness.js';
import { answerChecker, fetched } from './support/openapi-validator.js';
import { recordingMetrics } from './support/recording-metrics.js';

/**
 * The contract's "Webhook subscription health", over HTTP against the Graph emulator and dynalite, on
 * a clock the test moves: a Page's `webhooks` read at registration (as `npm start` registers it), Meta
 * dropping the subscription, the scheduled run's daily check finding it and the schedule's round
 * counting it, `WEBHOOK_AUTO_SUBSCRIBE` renewing it, a token without the permission, webhooks off.
 */

const PAGE = DEMO_PAGE_IDS[0];
const HOUR = 60 * 60 * 1000;
const check = answerChecker();

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(env: Record<string, string>) {
  let time = Date.parse('2026-12-01T09:00:00.000Z');
  const target = await startHarness({
    now: () => new Date(time),
    // One partition, no reconciliation: the run's other calls stay one list call.
    env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox', RECONCILE_EVERY_HOURS: '0', ...env },
  });
  harness = target;
  const { services, emulator } = target;
  const page = emulator.pages.get(PAGE);
  if (page === undefined) throw new Error('no demo page');
  const credentials = { accessToken: page.accessToken };
  const options = services.sync.subscriptions === undefined ? undefined : { autoSubscribe: false };
  return {
    target,
    credentials,
    advance: (ms: number) => {
      time += ms;
    },
    now: () => new Date(time),
    /** `npm start`'s registration: the registry item, then the check of each Page (name, token, webhooks). */
    register: async (webhooks = options) => {
      await registerLocalPages({ registry: services.registry }, [PAGE]);
      const tokens = services.sync.tokens;
      const [row] = await checkPages(
        { registry: services.registry, tokens, graph: services.graph, webhooks, now: () => new Date(time) },
        [PAGE],
      );
      return row;
    },
    /** The Page as `GET /pages/{pageId}` answers it, checked against the OpenAPI document. */
    view: async (): Promise<PageView['webhooks']> => {
      const answer = fetched(await target.call(`/pages/${PAGE}`));
      return (check('/pages/{pageId}', 'get', answer) as PageView).webhooks;
    },
    /** `GET` and `POST /{page-id}/subscribed_apps` as the emulator saw them. */
    subscriptionCalls: () =>
      emulator.calls.filter((call) => call.path === `/v24.0/${PAGE}/subscribed_apps`).length,
    /** One round of the schedule: what it reports as `PagesNotSubscribed`. */
    round: async () => {
      const metrics = recordingMetrics();
      await scheduleRound({ registry: services.registry, enqueue: async (ids) => ids.length, metrics });
      return metrics.total(METRIC_NAMES.pagesNotSubscribed);
    },
  };
}

describe('webhook subscription health', () => {
  it("registration records subscribed; a dropped subscription is found by the next day's run and counted", async () => {
    // Prepare: the Page was subscribed at onboarding (connect --subscribe-webhooks).
    const rig = await start({ WEBHOOK_SUBSCRIPTION_CHECK: 'true' });
    const { emulator, services } = rig.target;
    await services.graph.subscribeWebhooks(rig.credentials, PAGE, WEBHOOK_FIELDS);
    const registeredAt = rig.now().toISOString();
    // Act 1: registration.
    const registered = await rig.register();
    const atRegistration = await rig.view();
    // Act 2: Meta drops the subscription; a run within the day does not look again.
    emulator.dropSubscription(PAGE);
    emulator.resetCalls();
    rig.advance(WEBHOOK_CHECK_MS - HOUR);
    const sameDay = await syncPage(services.sync, PAGE);
    const callsSameDay = rig.subscriptionCalls();
    const levelSameDay = await rig.round();
    // Act 3: a day after registration, the run reads it again.
    rig.advance(HOUR);
    const nextDay = await syncPage(services.sync, PAGE);
    const dropped = await rig.view();
    const level = await rig.round();
    // Assess
    expect(registered?.webhooks?.health.status).toBe('subscribed');
    expect(atRegistration).toEqual({
      status: 'subscribed',
      fields: [...WEBHOOK_FIELDS],
      checked_at: registeredAt,
    });
    expect([sameDay.outcome, nextDay.outcome]).toEqual(['complete', 'complete']);
    // The same day's run: its list call only (registration read the profile as the day's), nothing for
    // webhooks.
    expect(sameDay.graphCalls).toBe(1);
    expect(callsSameDay).toBe(0);
    expect(levelSameDay).toBe(0);
    expect(rig.subscriptionCalls()).toBe(1);
    // The next day's run counts its one GET with the run's calls: the list, the profile and the webhooks
    // (both read at registration, a day before).
    expect(nextDay.graphCalls).toBe(3);
    expect(dropped).toEqual({ status: 'not_subscribed', fields: [], checked_at: rig.now().toISOString() });
    expect(level).toBe(1);
    // Nothing renews it without WEBHOOK_AUTO_SUBSCRIBE.
    expect(emulator.subscribedFields(PAGE)).toBeUndefined();
  });

  it('with WEBHOOK_AUTO_SUBSCRIBE, the daily check subscribes a dropped Page again, once', async () => {
    // Prepare: registered with its subscription, which Meta then drops.
    const rig = await start({ WEBHOOK_SUBSCRIPTION_CHECK: 'true', WEBHOOK_AUTO_SUBSCRIBE: 'true' });
    const { emulator, services } = rig.target;
    await services.graph.subscribeWebhooks(rig.credentials, PAGE, ['messages', 'feed']);
    await rig.register({ autoSubscribe: true });
    const renewedAtRegistration = emulator.subscribedFields(PAGE);
    emulator.dropSubscription(PAGE);
    emulator.resetCalls();
    // Act: the next day's run, then another run the same day.
    rig.advance(WEBHOOK_CHECK_MS);
    const run = await syncPage(services.sync, PAGE);
    const renewed = await rig.view();
    const callsAfterRenewal = rig.subscriptionCalls();
    rig.advance(HOUR);
    await syncPage(services.sync, PAGE);
    // Assess: registration already completed the Page's fields (keeping the one it had).
    expect(renewedAtRegistration).toEqual(['messages', 'feed', ...WEBHOOK_FIELDS.slice(1)]);
    // The run read it (GET), found none, subscribed it (POST): both counted in its calls.
    expect(callsAfterRenewal).toBe(2);
    expect(emulator.calls.filter((call) => call.params.subscribed_fields !== undefined)).toHaveLength(1);
    expect(run.graphCalls).toBe(4);
    expect(emulator.subscribedFields(PAGE)).toEqual([...WEBHOOK_FIELDS]);
    expect(renewed).toMatchObject({ status: 'subscribed', fields: [...WEBHOOK_FIELDS] });
    expect(await rig.round()).toBe(0);
    // No second check within the day.
    expect(rig.subscriptionCalls()).toBe(2);
  });

  it('is unknown when the token lacks the permission to read it, and is asked again only the next day', async () => {
    // Prepare
    const rig = await start({ WEBHOOK_SUBSCRIPTION_CHECK: 'true', WEBHOOK_AUTO_SUBSCRIBE: 'true' });
    const { emulator, services } = rig.target;
    emulator.denySubscriptionAccess(PAGE);
    // Act
    const registered = await rig.register({ autoSubscribe: true });
    const atRegistration = await rig.view();
    emulator.resetCalls();
    rig.advance(HOUR);
    await syncPage(services.sync, PAGE);
    const callsWithinTheDay = rig.subscriptionCalls();
    rig.advance(WEBHOOK_CHECK_MS);
    await syncPage(services.sync, PAGE);
    // Assess
    expect(registered?.status).toBe('valid');
    expect(registered?.webhooks?.problem).toMatch(/lacks the permission \(Graph 200\)/);
    expect(atRegistration).toMatchObject({ status: 'unknown', fields: [] });
    expect(atRegistration.checked_at).not.toBeNull();
    expect(callsWithinTheDay).toBe(0);
    // One GET, refused; no POST is tried for a subscription it cannot read.
    expect(rig.subscriptionCalls()).toBe(1);
    expect((await rig.view()).status).toBe('unknown');
    // Unknown is not counted as not subscribed, nor is a token problem: the Page's token stays valid.
    expect(await rig.round()).toBe(0);
    expect((await services.registry.get(PAGE))?.health.status).toBe('valid');
  });

  it('with webhooks off, no Graph call reads it, and the Page shows it unchecked', async () => {
    // Prepare: the stack's webhooks: false sets WEBHOOK_SUBSCRIPTION_CHECK=false on the worker.
    const rig = await start({ WEBHOOK_SUBSCRIPTION_CHECK: 'false' });
    const { emulator, services } = rig.target;
    // Act
    const registered = await rig.register();
    rig.advance(WEBHOOK_CHECK_MS);
    await syncPage(services.sync, PAGE);
    rig.advance(WEBHOOK_CHECK_MS);
    const second = await syncPage(services.sync, PAGE);
    // Assess
    expect(registered?.webhooks).toBeUndefined();
    expect(rig.subscriptionCalls()).toBe(0);
    // A quiet run: its one list call and the day's profile.
    expect(second.graphCalls).toBe(2);
    expect(emulator.callCount(PAGE)).toBeGreaterThan(0);
    expect(await rig.view()).toEqual({ status: 'unknown', fields: [], checked_at: null });
  });
});
