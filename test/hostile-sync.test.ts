import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { type LocalApi, startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { createLocalServices, type LocalServices } from '#lib/local/local-services.js';
import { syncPage } from '#lib/sync/page-run.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { type HostileAnswer, type HostileGraph, startHostileGraph } from './hostile/hostile-graph.js';
import { FAST_GRAPH, recordingLogger } from './support/harness.js';
import { indexContents } from './support/truth.js';

/**
 * The sync against a Graph stand-in that lies (over HTTP, through the real client, into dynalite):
 * nothing it sends may freeze the index, fail a partition for good, swell the sync item past what
 * DynamoDB stores, or leak the token. After each scenario the index holds exactly Graph's valid items.
 */

const PAGE = '3200000000000001';
const TOKEN = 'EAAhostilesynctesttoken0000000000000000';
const NOW = new Date();
const minutesAgo = (minutes: number) =>
  new Date(NOW.getTime() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '+0000');
const conversation = (id: string, updated_time: string) => ({ id, updated_time, snippet: `about ${id}` });
const page = (data: unknown[], after?: string): HostileAnswer => ({
  status: 200,
  body: {
    data,
    paging: {
      cursors: { before: 'b', after: after ?? 'a' },
      ...(after === undefined
        ? {}
        : { next: `https://graph.example/v24.0/${PAGE}/conversations?after=${after}` }),
    },
  },
});

let graph: HostileGraph;
let dynamo: EmbeddedDynamo;
let services: LocalServices;
let api: LocalApi;
const logger = recordingLogger();

beforeEach(async () => {
  graph = await startHostileGraph();
  dynamo = await startEmbeddedDynamo();
  const tableName = `hostile-${Math.random().toString(36).slice(2)}`;
  await ensureTable(dynamo.client, tableName);
  services = createLocalServices({
    config: loadConfig({ GRAPH_API_BASE_URL: graph.url, SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' }),
    dynamo: dynamo.client,
    tableName,
    tokens: FileTokenSource.fromMap(new Map([[PAGE, { accessToken: TOKEN }]])),
    logger,
    graph: FAST_GRAPH,
    pacer: { callsPerSecond: Number.POSITIVE_INFINITY },
  });
  // The sync routes answer for registered Pages only.
  await services.registry.register({ pageId: PAGE, token: { kind: 'page-secret' } });
  api = await startLocalApi(createApiHandler(services.api));
});

afterEach(async () => {
  await api.close();
  await services.graph.close();
  await graph.close();
  await dynamo.close();
});

const indexed = () => indexContents(services.sync.index, PAGE, 'messenger', 'inbox');
const syncState = async () => {
  const response = await fetch(`${api.url}/pages/${PAGE}/sync`);
  return { status: response.status, text: await response.text() };
};
const lastRun = async () =>
  (JSON.parse((await syncState()).text) as { partitions: Array<{ last_run: Record<string, unknown> }> })
    .partitions[0]?.last_run;

describe('the sync against a lying Graph', () => {
  it('is not frozen by an item dated year 9999: later conversations are still indexed', async () => {
    // Prepare: the first item of the first scan lies about its time.
    const liar = conversation('t_9999', '9999-12-31T23:59:59+0000');
    graph.answerWith(page([liar, conversation('t_1', minutesAgo(60))]));
    await syncPage(services.sync, PAGE);
    // Act: a new conversation arrives; Graph still lists the liar first.
    graph.answerWith(page([liar, conversation('t_2', minutesAgo(1)), conversation('t_1', minutesAgo(60))]));
    const second = await syncPage(services.sync, PAGE);
    const since = await fetch(
      `${api.url}/pages/${PAGE}/conversations?updated_since=${encodeURIComponent(new Date(NOW.getTime() - 600_000).toISOString())}`,
    );
    // Assess
    expect(second.conversationsChanged).toBe(1);
    expect((await indexed()).map(([id]) => id)).toContain('t_2');
    const ids = ((await since.json()) as { data: Array<{ id: string }> }).data.map(({ id }) => id);
    expect(ids).toContain('t_2');
  });

  it('skips and counts items without a valid id or time, or too large, and indexes the rest of the page', async () => {
    // Prepare
    graph.answerWith(
      page([
        conversation('t_a', minutesAgo(1)),
        conversation('', minutesAgo(2)),
        conversation('x'.repeat(2_000), minutesAgo(3)),
        conversation('t_garbage', 'yesterday'),
        conversation('t_one', '1'),
        { ...conversation('t_huge', minutesAgo(4)), snippet: 'x'.repeat(450 * 1024) },
        conversation('t_b', minutesAgo(5)),
      ]),
    );
    // Act: twice, since a partition that fails once would fail on every run.
    const runs = [await syncPage(services.sync, PAGE), await syncPage(services.sync, PAGE)];
    // Assess
    expect(runs.map((run) => run.outcome)).toEqual(['complete', 'complete']);
    expect((await indexed()).map(([id]) => id)).toEqual(['t_a', 't_b']);
    expect((await lastRun())?.skipped_items).toBe(5);
    expect(
      logger.lines.filter((line) => line.includes('sync skipped an item')).length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('records a failure whose Graph error is 1 MB and quotes the token, cut short and scrubbed', async () => {
    // Prepare
    graph.answerWith({
      status: 400,
      body: {
        error: {
          message: `Invalid parameter ${TOKEN} ${'x'.repeat(1024 * 1024)}`,
          type: `OAuthException ${TOKEN}`,
          code: 100,
          fbtrace_id: TOKEN,
        },
      },
    });
    // Act
    const run = await syncPage(services.sync, PAGE);
    const state = await syncState();
    // Assess: the failure is recorded (the item was written), short, and without the token.
    expect(run.outcome).toBe('failed');
    expect(state.status).toBe(200);
    expect(state.text.length).toBeLessThan(10_000);
    expect(state.text).not.toContain(TOKEN);
    expect((await lastRun())?.outcome).toBe('failed');
    expect(logger.lines.join('\n')).not.toContain(TOKEN);
  });

  it('fails a partition whose Graph cursor is 300 KB instead of crashing on its checkpoint', async () => {
    // Prepare: a first page whose next cursor could not be stored.
    graph.answerWith(page([conversation('t_a', minutesAgo(1))], 'c'.repeat(300 * 1024)));
    // Act
    const run = await syncPage(services.sync, PAGE);
    // Assess: the valid item is indexed, the failure recorded as Graph's fault.
    expect(run.outcome).toBe('failed');
    expect((await indexed()).map(([id]) => id)).toEqual(['t_a']);
    const record = (await lastRun()) as { error: { code: string } };
    expect(record.error.code).toBe('upstream_error');
  });

  it.each([1e9, 1e300])('caps a wait of %d minutes that Graph names at 24 hours', async (minutes) => {
    // Prepare
    graph.answerWith({
      status: 400,
      headers: {
        'x-business-use-case-usage': JSON.stringify({
          [PAGE]: [
            {
              type: 'pages',
              call_count: 100,
              total_cputime: 100,
              total_time: 100,
              estimated_time_to_regain_access: minutes,
            },
          ],
        }),
      },
      body: { error: { message: 'Too many calls', type: 'OAuthException', code: 80006 } },
    });
    // Act
    const run = await syncPage(services.sync, PAGE);
    const record = (await lastRun()) as { error: { retry_at: string } };
    // Assess
    expect(run.outcome).toBe('skipped');
    const retryAt = Date.parse(record.error.retry_at);
    expect(Number.isFinite(retryAt)).toBe(true);
    expect(retryAt - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
  });
});
