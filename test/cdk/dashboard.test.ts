import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '#lib/telemetry/metric-names.js';
import type { PageConversations } from '../../cdk/page-conversations.js';
import { dashboardOf, type Json, logicalId, resource, synth } from './synth.js';

interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] };
}

/** The dashboard body as CloudFormation joins it, with each reference written as its logical id. */
function widgetsOf(body: Json): Widget[] {
  const parts = body['Fn::Join'][1] as unknown[];
  const text = parts
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(JSON.stringify(part)).slice(1, -1)))
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

describe('ProductDashboard', () => {
  let product: PageConversations;
  let widgets: Widget[];
  beforeAll(() => {
    let template: ReturnType<typeof synth>['template'];
    ({ product, template } = synth());
    widgets = widgetsOf(resource(template, logicalId(dashboardOf(product))).Properties.DashboardBody);
  });
  const titled = (title: string) => widgets.find((widget) => widget.properties.title === title);
  const searchOf = (widget: Widget | undefined) =>
    (widget?.properties.metrics ?? [])
      .flat()
      .map((metric) => (metric as { expression?: string }).expression ?? '')
      .join('\n');

  it.each([
    ['Graph calls by outcome', [METRIC_NAMES.graphCalls], 'Outcome'],
    ['Graph errors by code', [METRIC_NAMES.graphErrors], 'GraphCode'],
    ['Throttles by source, and retries', [METRIC_NAMES.throttles, METRIC_NAMES.graphRetries], 'Source'],
    ['Sync runs by outcome', [METRIC_NAMES.syncRuns], 'Outcome'],
    [
      'Conversations changed, skipped items',
      [METRIC_NAMES.conversationsChanged, METRIC_NAMES.skippedItems],
      'service',
    ],
    ['Webhook deliveries by outcome, and refusals', [METRIC_NAMES.webhookDeliveries], 'Outcome'],
    ['Webhook deliveries by outcome, and refusals', [METRIC_NAMES.webhookRefused], 'Reason'],
    ['Webhook refreshes by outcome, and Pages not subscribed', [METRIC_NAMES.webhookRefreshes], 'Outcome'],
    ['Webhook refreshes by outcome, and Pages not subscribed', [METRIC_NAMES.pagesNotSubscribed], 'service'],
    [
      'Invalid tokens, cursor misses, 503 unavailable',
      [METRIC_NAMES.tokensMarkedInvalid, METRIC_NAMES.cursorMisses, METRIC_NAMES.storeUnavailable],
      'service',
    ],
  ])('draws "%s" from the product metrics, searched over its five services', (title, names, dimension) => {
    // Act
    const search = searchOf(titled(title));

    // Assess
    for (const name of names) expect(search).toContain(`MetricName="${name}"`);
    expect(search).toContain(`{PageConversations,${dimension === 'service' ? '' : `${dimension},`}service}`);
    for (const service of ['api', 'webhook-receiver', 'sync-schedule', 'sync-worker', 'webhook-refresh']) {
      expect(search).toContain(`page-conversations-${service}`);
    }
  });

  it.each([
    // Six functions with the erasure function; its queue has no depth line of its own, only its DLQ.
    ['Lambda errors', 'Errors', 6],
    ['Lambda duration (p99)', 'Duration', 6],
    ['Lambda throttles', 'Throttles', 6],
    ['Queue depth, and age of the oldest message (s)', 'ApproximateAgeOfOldestMessage', 2],
    ['Dead-letter queue depth', 'ApproximateNumberOfMessagesVisible', 4],
  ])('draws "%s" for each function or queue', (title, metricName, lines) => {
    // Act
    const metrics = titled(title)?.properties.metrics ?? [];

    // Assess
    expect(metrics.filter((metric) => metric.includes(metricName))).toHaveLength(lines);
  });

  it('draws Pages not subscribed as a level (the largest of each period), not a sum', () => {
    // Act
    const search = searchOf(titled('Webhook refreshes by outcome, and Pages not subscribed'));

    // Assess
    expect(search).toMatch(
      new RegExp(`MetricName="${METRIC_NAMES.pagesNotSubscribed}" service=\\([^)]*\\)', 'Maximum'`),
    );
  });

  it('shows the state of all seven alarms', () => {
    expect(product.alarms).toHaveLength(7);
    expect(widgets.find((widget) => widget.type === 'alarm')?.properties.alarms).toHaveLength(7);
  });
});
