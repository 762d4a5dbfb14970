import { afterEach, describe, expect, it, test } from 'vitest';
import type { ChangeEventSink } from '#lib/domain/change-event.js';
import { countChangeEvents } from '#lib/telemetry/counted-change-events.js';
import {
  GRAPH_CODE_VALUES,
  graphCodeDimension,
  METRIC_NAMES,
  METRICS_NAMESPACE,
} from '#lib/telemetry/metric-names.js';
import { EmfMetrics } from '#lib/telemetry/metrics.js';
import { createdDetail } from './support/change-detail.js';
import { captureOutput, emfTotal, readEmfLines } from './support/emf.js';
import { recordingMetrics } from './support/recording-metrics.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.stop());

describe('EMF lines from Powertools Metrics', () => {
  test('counts are summed per dimension set, one EMF line per set, the Page a property and no dimension', () => {
    // Prepare
    const metrics = new EmfMetrics('sync-worker');
    metrics.addMetadata('page_id', '1000000000000001');
    for (let i = 0; i < 3; i++) metrics.count(METRIC_NAMES.graphCalls, 1, { Outcome: 'ok' });
    metrics.count(METRIC_NAMES.graphCalls, 1, { Outcome: 'error' });
    metrics.count(METRIC_NAMES.graphErrors, 1, { GraphCode: '2' });
    metrics.count(METRIC_NAMES.conversationsChanged, 4);
    metrics.count(METRIC_NAMES.conversationsChanged, 3);
    output = captureOutput();
    // Act
    metrics.publishStoredMetrics();
    output.stop();
    // Assess
    const lines = readEmfLines(output.text());
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line.namespace).toBe(METRICS_NAMESPACE);
      expect(line.dimensions.service).toBe('sync-worker');
      expect(line.raw.page_id).toBe('1000000000000001');
      expect(line.dimensionNames).not.toContain('page_id');
      expect(Object.values(line.units)).toEqual(Object.values(line.units).map(() => 'Count'));
    }
    const ok = lines.find((line) => line.dimensions.Outcome === 'ok');
    expect(ok?.dimensionNames).toEqual(['service', 'Outcome']);
    expect(ok?.metrics).toEqual({ GraphCalls: 3 });
    expect(emfTotal(lines, 'GraphCalls', { Outcome: 'error' })).toBe(1);
    expect(emfTotal(lines, 'GraphErrors', { GraphCode: '2' })).toBe(1);
    const plain = lines.find((line) => line.dimensionNames.length === 1);
    expect(plain?.metrics).toEqual({ ConversationsChanged: 7 });
  });

  test('an invocation that counted nothing prints nothing, not even a warning', () => {
    // Prepare
    const metrics = new EmfMetrics('api');
    output = captureOutput();
    // Act
    metrics.publishStoredMetrics();
    output.stop();
    // Assess
    expect(output.text()).toBe('');
  });

  test('a published invocation leaves nothing behind for the next: no counts, no Page', () => {
    // Prepare
    const metrics = new EmfMetrics('sync-worker');
    metrics.addMetadata('page_id', '1000000000000001');
    metrics.count(METRIC_NAMES.syncRuns, 1, { Outcome: 'complete' });
    metrics.count(METRIC_NAMES.skippedItems, 2);
    output = captureOutput();
    metrics.publishStoredMetrics();
    output.stop();
    const first = readEmfLines(output.text());
    // Act
    metrics.count(METRIC_NAMES.syncRuns, 1, { Outcome: 'partial' });
    output = captureOutput();
    metrics.publishStoredMetrics();
    output.stop();
    // Assess
    expect(first).toHaveLength(2);
    const second = readEmfLines(output.text());
    expect(second).toHaveLength(1);
    expect(second[0]?.metrics).toEqual({ SyncRuns: 1 });
    expect(second[0]?.dimensions).toEqual({ service: 'sync-worker', Outcome: 'partial' });
    expect(second[0]?.raw.page_id).toBeUndefined();
  });
});

describe('the GraphCode dimension stays a closed set', () => {
  it.each([
    [undefined, 'none'],
    [1, '1'],
    [4, '4'],
    [100, '100'],
    [190, '190'],
    [200, '200-299'],
    [299, '200-299'],
    [368, '368'],
    [80006, '80006'],
    // A rate limit of the contract (80001 to 80014), counted as itself since the one Graph error table.
    [80004, '80004'],
    [80015, 'other'],
    [12345, 'other'],
    [-1, 'other'],
  ])('Graph code %s is counted as %s', (code, expected) => {
    expect(graphCodeDimension(code)).toBe(expected);
    expect(GRAPH_CODE_VALUES).toContain(expected);
  });
});

describe('change events are counted as the sink delivers them', () => {
  const events = [createdDetail('t_1'), createdDetail('t_2'), createdDetail('t_3')];

  it.each([
    ['all delivered', async () => ({ undelivered: [] }), 3, 0],
    ['one undelivered', async () => ({ undelivered: ['t_2@2026-11-20T10:00:00+0000'] }), 2, 1],
    [
      'the sink failing outright',
      async () => {
        throw new Error('EventBridge unreachable');
      },
      0,
      3,
    ],
  ] as const)('%s', async (_case, publish, emitted, failed) => {
    // Prepare
    const metrics = recordingMetrics();
    const sink = countChangeEvents({ publish } as ChangeEventSink, metrics);
    // Act
    await sink.publish(events).catch(() => undefined);
    // Assess
    expect(metrics.total(METRIC_NAMES.changeEventsEmitted)).toBe(emitted);
    expect(metrics.total(METRIC_NAMES.changeEventsFailed)).toBe(failed);
  });
});
