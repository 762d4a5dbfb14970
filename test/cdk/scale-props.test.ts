import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '#lib/config/settings.js';
import { MEASURED_SYNC_RUN_SECONDS, syncWorkersFor, webhookRateFor } from '#lib/config/stack-sizing.js';
import { routesOf, WEBHOOK_PATH } from '#lib/domain/routes.js';
import { stackFromContext } from '../../cdk/app-context.js';
import { type PageConversationsProps, resolveProps } from '../../cdk/page-conversations.js';
import { syncRetention } from '../../cdk/sync-fan-out.js';
import { TODAY_COUNTS } from '../bench/cost-inputs.js';
import { type Json, logicalId, resource, type Synthesized, synthOnce, webhooksOf } from './synth.js';

/**
 * The stack sized from the Pages it is deployed for (issue 20, item 1): the sync workers, the refresh
 * workers, the webhook routes' throttle and the sync queue's retention follow from `expectedPages` and
 * the schedule unless given; the dashboard is a prop.
 */

const valid: PageConversationsProps = { tokenSecretPrefix: 'page-conversations/page-' };

/** The maximum concurrency of the event source that feeds `fn`. */
function concurrencyOf(template: Synthesized['template'], fn: Parameters<typeof logicalId>[0]) {
  const mappings = Object.values(
    template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalId(fn) } },
    }),
  ) as Json[];
  return mappings.map((mapping) => mapping.Properties.ScalingConfig.MaximumConcurrency as number);
}

describe('syncConcurrency computed from expectedPages and the schedule', () => {
  it.each<[number, number | Schedule, number]>([
    // ⌈N × 1.436 s ÷ (interval × 0.5 × 10 runs a batch)⌉, within 2 to 1000.
    [100, 15, 2],
    [1_000, 15, 2],
    [10_000, 15, 4],
    [100_000, 15, 32],
    [100_000, 360, 2],
    [1_000_000, 15, 320],
    [1_000_000, 1, 1000],
    [30_000, Schedule.rate(Duration.hours(1)), 3],
    // A cron schedule counts as 15 minutes.
    [10_000, Schedule.cron({ minute: '0', hour: '*/6' }), 4],
  ])('%s Pages on schedule %s: %s workers', (expectedPages, syncSchedule, workers) => {
    // Act
    const resolved = resolveProps({ ...valid, expectedPages, syncSchedule });

    // Assess
    expect(resolved.syncConcurrency).toBe(workers);
  });

  it('takes a syncConcurrency given over the computed one', () => {
    // Act
    const resolved = resolveProps({ ...valid, expectedPages: 100_000, syncConcurrency: 7 });

    // Assess
    expect(resolved.syncConcurrency).toBe(7);
  });

  it('uses the run time the bench measured', () => {
    expect(MEASURED_SYNC_RUN_SECONDS * 1000).toBe(TODAY_COUNTS.syncRunMs.value);
  });

  it("gives the formula's own numbers in the setting's description (the docs table is rendered from it)", () => {
    expect(SETTINGS.syncConcurrency.description).toContain(
      `${syncWorkersFor(1_000, 900)} for 1,000 Pages every 15 minutes, ${syncWorkersFor(10_000, 900)} for 10,000, ` +
        `${syncWorkersFor(100_000, 900)} for 100,000 (${syncWorkersFor(100_000, 6 * 3600)} every 6 hours)`,
    );
    expect(SETTINGS.webhookRateLimit.description).toContain(
      `${webhookRateFor(2_880)} up to 2,880 Pages, ${webhookRateFor(10_000)} for 10,000, ${webhookRateFor(100_000)} for 100,000`,
    );
    expect(webhookRateFor(2_881)).toBeGreaterThan(webhookRateFor(2_880));
  });
});

describe('webhookRateLimit computed from expectedPages', () => {
  it.each([
    // ⌈N × 60 a day ÷ 86,400 × 10⌉, within 20 to 2,500.
    [100, 20],
    [10_000, 70],
    [100_000, 695],
    [1_000_000, 2500],
  ])('%s Pages: %s requests per second', (expectedPages, rate) => {
    expect(resolveProps({ ...valid, expectedPages }).webhookRateLimit).toBe(rate);
  });

  it('takes a webhookRateLimit given over the computed one', () => {
    expect(resolveProps({ ...valid, expectedPages: 100_000, webhookRateLimit: 30 }).webhookRateLimit).toBe(
      30,
    );
  });
});

describe('out-of-range scale props are refused at synth, naming the setting', () => {
  it.each<[Partial<PageConversationsProps>, RegExp]>([
    [{ expectedPages: 0 }, /expectedPages must be a whole number from 1 to 1000000, not 0/],
    [{ expectedPages: 2.5 }, /expectedPages must be a whole number/],
    [{ syncConcurrency: 1001 }, /syncConcurrency must be a whole number from 2 to 1000, not 1001/],
    [{ webhookRateLimit: 2501 }, /webhookRateLimit must be a whole number from 1 to 2500, not 2501/],
    [{ webhookRateLimit: 0 }, /webhookRateLimit must be a whole number from 1 to 2500, not 0/],
  ])('%j', (props, message) => {
    expect(() => resolveProps({ ...valid, ...props })).toThrow(message);
  });

  it('refuses them from the CDK context too, naming the -c key', () => {
    expect(() =>
      stackFromContext((key) => ({ tokenSecretPrefix: 'p-ages/', expectedPages: 'many' })[key]),
    ).toThrow(/-c expectedPages= must be a whole number from 1 to 1000000, not "many"/);
    expect(() =>
      stackFromContext((key) => ({ tokenSecretPrefix: 'p-ages/', webhookRateLimit: '9999' })[key]),
    ).toThrow(/-c webhookRateLimit= must be a whole number from 1 to 2500/);
  });

  it('passes the context keys to the props', () => {
    // Act
    const { props } = stackFromContext(
      (key) =>
        ({
          tokenSecretPrefix: 'p-ages/',
          expectedPages: '100000',
          webhookRateLimit: '50',
          dashboard: 'false',
        })[key],
    );

    // Assess
    expect(props.pageConversations).toMatchObject({
      expectedPages: 100_000,
      webhookRateLimit: 50,
      dashboard: false,
      syncConcurrency: undefined,
    });
  });
});

describe('the stack sized for 10,000 Pages every 15 minutes', () => {
  let template: Synthesized['template'];
  let product: Synthesized['product'];
  beforeAll(() => {
    ({ template, product } = synthOnce({ expectedPages: 10_000 }));
  });
  const stage = () => resource(template, logicalId(product.api.stage)).Properties;

  it("runs 4 sync workers (10 Pages a batch) and 14 refresh workers (the peak of Meta's deliveries, 5 a batch)", () => {
    expect(concurrencyOf(template, product.syncWorkerFunction)).toEqual([4]);
    expect(concurrencyOf(template, webhooksOf(product).refreshFunction)).toEqual([14]);
  });

  it("throttles Meta's webhook routes at 70 requests per second with a burst of 140, the data-deletion ones as the route table says", () => {
    for (const route of routesOf('webhook-receiver')) {
      const settings = stage().RouteSettings[`${route.method} ${route.path}`];
      expect(settings).toEqual(
        route.path === WEBHOOK_PATH
          ? { ThrottlingRateLimit: 70, ThrottlingBurstLimit: 140 }
          : {
              ThrottlingRateLimit: route.throttle.rateLimit,
              ThrottlingBurstLimit: route.throttle.burstLimit,
            },
      );
    }
  });

  it('keeps a sync message no longer than a failing one needs to reach the dead-letter queue', () => {
    const queue = resource(template, logicalId(product.syncQueue)).Properties;
    expect(queue.VisibilityTimeout).toBe(6 * 300);
    expect(queue.MessageRetentionPeriod).toBe(900 + 3 * 6 * 300);
  });
});

describe('the stack sized for 100,000 Pages every 6 hours', () => {
  let template: Synthesized['template'];
  let product: Synthesized['product'];
  beforeAll(() => {
    ({ template, product } = synthOnce({ expectedPages: 100_000, syncSchedule: 360 }));
  });

  it('runs 2 sync workers and 139 refresh workers (the peak of Meta deliveries, 5 a batch)', () => {
    expect(concurrencyOf(template, product.syncWorkerFunction)).toEqual([2]);
    expect(concurrencyOf(template, webhooksOf(product).refreshFunction)).toEqual([139]);
  });

  it("throttles Meta's webhook routes at 695 requests per second, above the stage's 50 (a route's own overrides it)", () => {
    const settings = resource(template, logicalId(product.api.stage)).Properties;
    expect(settings.RouteSettings[`POST ${WEBHOOK_PATH}`]).toEqual({
      ThrottlingRateLimit: 695,
      ThrottlingBurstLimit: 1390,
    });
  });

  it('keeps sync messages 4 rounds (a day): one that waited past its round is sent again by the next', () => {
    const queue = resource(template, logicalId(product.syncQueue)).Properties;
    expect(queue.MessageRetentionPeriod).toBe(4 * 6 * 3600);
    expect(queue.VisibilityTimeout).toBe(6 * 300);
  });

  it('alarms when a round did not finish within its interval, naming it', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    const round = alarms.filter((alarm) =>
      JSON.stringify(alarm.Properties.Metrics ?? []).includes('> 21600'),
    );
    expect(round).toHaveLength(1);
    expect(round[0]?.Properties.AlarmDescription).toContain('did not finish within its interval');
    expect(round[0]?.Properties.AlarmDescription).toContain('360 minutes');
  });
});

describe('the dashboard prop', () => {
  it('leaves the dashboard and its output out with dashboard: false, and keeps the alarms', () => {
    // Act
    const { template, product } = synthOnce({ dashboard: false });

    // Assess
    expect(product.dashboard).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(template.findOutputs('*')).some((name) => name.endsWith('DashboardName'))).toBe(false);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
  });

  it('creates it by default', () => {
    synthOnce().template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('syncRetention', () => {
  it.each<[number, number]>([
    // At least the spread delay and 3 visibility timeouts of 30 minutes.
    [60, 60 + 3 * 1800],
    [15 * 60, 900 + 3 * 1800],
    [3600, 4 * 3600],
    [6 * 3600, 4 * 6 * 3600],
    [86_400, 4 * 86_400],
    // 4 weeks: SQS keeps a message 14 days at most.
    [7 * 86_400, 14 * 86_400],
  ])('keeps the sync messages of a %s s interval %s s', (interval, seconds) => {
    expect(syncRetention(interval).toSeconds()).toBe(seconds);
  });
});
