/**
 * The request path of `GET /pages/{pageId}/conversations`: what one request costs in Graph calls,
 * DynamoDB reads and writes and Secrets Manager calls, and the handler's own time over the floor of
 * one raw undici request for the same Graph URL. The middy handler is called directly with an API
 * Gateway v2 event; Graph and DynamoDB are the emulator and dynalite, real servers on loopback.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Pool } from 'undici';
import { loadConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { DEMO_PAGE_IDS, seedDemoPages } from '#lib/local/graph-emulator.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { emulatedTokens, startBenchEnvironment } from './environment.js';
import { createPeerApiDependencies } from './peer/peer-services.js';
import { ms, percentile, progress, type Report, ratio, type Verdict, within } from './report.js';

const PAGE_ID = DEMO_PAGE_IDS[0];
const PATH = `/pages/${PAGE_ID}/conversations`;
const SECRET_PREFIX = 'bench/page-';
/**
 * The handler's own work (routing, validation, the cursor's key, JSON, logging) at most half of the I/O the
 * contract makes it do: a ratio of two times taken in the same run holds on a slower machine too.
 */
const MAX_OWN_WORK_RATIO = 0.5;

/** The event API Gateway's HTTP API (payload 2.0) sends for a GET, as lib/local/api-gateway-adapter builds it. */
function httpApiEvent(path: string, query: string): APIGatewayProxyEventV2 {
  const now = new Date();
  const domainName = 'bench.execute-api.us-east-1.amazonaws.com';
  const headers = { host: domainName, 'user-agent': 'bench', 'x-forwarded-proto': 'https' };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers,
    ...(query === '' ? {} : { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName,
      domainPrefix: 'bench',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

interface Answer {
  statusCode: number;
  body?: string;
}

type Invoke = (query: string) => Promise<{ data: unknown[]; paging?: { cursors?: { after?: string } } }>;

/**
 * Each invocation gets its own context, as Lambda gives one per invocation: a context's deadline is
 * 29 s from when it was made, and a reused one runs out in the middle of the timed loop.
 */
function invoker(handler: ReturnType<typeof createApiHandler>): Invoke {
  return async (query) => {
    const answer = (await handler(httpApiEvent(PATH, query), lambdaContext('api'))) as Answer;
    if (answer.statusCode !== 200)
      throw new Error(`GET ${PATH}?${query}: ${answer.statusCode} ${answer.body}`);
    return JSON.parse(answer.body ?? '{}');
  };
}

export async function benchRequestPath(report: Report, options: { iterations: number }): Promise<void> {
  const section = `Request path: GET ${PATH} (middy handler called in process; emulator and dynalite on loopback)`;
  const env = await startBenchEnvironment(
    { pages: seedDemoPages() },
    { units: false, dynalite: 'in-process' },
  );
  const tokens = emulatedTokens(env.emulator);
  const secrets = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCHFAKE0000000', secretAccessKey: 'bench-fake-secret' },
  });
  const secretsMock = mockClient(secrets);
  secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
    const credentials = tokens.get(input.SecretId.slice(SECRET_PREFIX.length));
    if (credentials === undefined)
      throw Object.assign(new Error('no secret'), { name: 'ResourceNotFoundException' });
    return {
      SecretString: JSON.stringify({
        access_token: credentials.accessToken,
        app_secret: credentials.appSecret,
      }),
    };
  });
  const raw = new Pool(env.emulator.url, { connections: 1 });
  try {
    const services = env.services({
      tokens: new SecretsManagerTokenSource({ client: secrets, prefix: SECRET_PREFIX }),
    });
    const invoke = invoker(createApiHandler(services.api));
    const secretCalls = () => secretsMock.commandCalls(GetSecretValueCommand).length;
    const measureOne = async (label: string, query: string, floor: string, warm: boolean) => {
      env.meter.take();
      const graphBefore = env.emulator.callCount();
      const secretsBefore = secretCalls();
      const body = await invoke(query);
      const graph = env.emulator.callCount() - graphBefore;
      const { reads, writes } = env.meter.take();
      const secretsUsed = secretCalls() - secretsBefore;
      const verdict: Verdict =
        graph === 1 && reads <= 1 && writes <= 1 && (!warm || secretsUsed === 0) ? 'ok' : 'MISSED';
      report.add({
        section,
        measure: `${label}: Graph · DynamoDB reads · writes · Secrets Manager`,
        value: `${graph} · ${reads} · ${writes} · ${secretsUsed}`,
        reference: `floor ${floor}`,
        budget: warm ? 'Graph = 1, reads ≤ 1, writes ≤ 1, Secrets 0' : 'Graph = 1, reads ≤ 1, writes ≤ 1',
        verdict,
      });
      return body;
    };
    const first = await measureOne('first page (token not yet cached)', '', '1 · 0 · 1 · 1', false);
    const after = first.paging?.cursors?.after;
    if (after === undefined) throw new Error('the first page has no `after` cursor');
    await measureOne(
      'next page (after= cursor)',
      `after=${encodeURIComponent(after)}`,
      '1 · 1 · 1 · 0',
      true,
    );
    await measureOne('first page again (warm)', '', '1 · 0 · 1 · 0', true);

    // The same Graph URL the handler called, requested raw: the floor of one warm request.
    const call = env.emulator.calls.at(-1);
    if (call === undefined) throw new Error('the emulator saw no call');
    const rawPath = `${call.path}?${new URLSearchParams(call.params).toString()}`;
    const token = tokens.get(PAGE_ID)?.accessToken ?? '';
    const rawRequest = async () => {
      const response = await raw.request({
        method: 'GET',
        path: rawPath,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`raw Graph request: ${response.statusCode}`);
    };
    const peer = invoker(
      createApiHandler(
        createPeerApiDependencies({
          config: loadConfig({ GRAPH_API_BASE_URL: env.emulator.url, GRAPH_API_VERSION: 'v24.0' }),
          dynamo: env.dynamo.client,
          tableName: env.tableName,
          tokens: new SecretsManagerTokenSource({ client: secrets, prefix: SECRET_PREFIX }),
          starter: { start: async () => undefined },
          logger: services.logger,
        }),
      ),
    );
    // The one write the request must make, raw: a cursor item of the same shape and size.
    const putCursor = () =>
      env.dynamo.client.send(
        new PutItemCommand({
          TableName: env.tableName,
          Item: {
            pk: { S: `CURSOR#${randomBytes(16).toString('base64url')}` },
            sk: { S: 'CURSOR' },
            scope: { S: 'x'.repeat(43) },
            expires_at: { N: String(Math.floor(Date.now() / 1000) + 21_600) },
            inner_before: { S: 'c'.repeat(80) },
            inner_after: { S: 'c'.repeat(80) },
          },
        }),
      );
    // The peer must do the same job: the same conversations, in the same order.
    const ids = (body: { data: unknown[] }) => JSON.stringify(body.data.map((c) => (c as { id: string }).id));
    if (ids(await peer('')) !== ids(await invoke('')))
      throw new Error('the peer answers other conversations');
    progress(`request path: ${options.iterations} warm invocations of each, interleaved`);
    const timed = { handler: [] as number[], raw: [] as number[], put: [] as number[], peer: [] as number[] };
    const warmup = Math.min(200, options.iterations);
    for (let i = 0; i < options.iterations + warmup; i++) {
      const order: Array<keyof typeof timed> =
        i % 2 === 0 ? ['handler', 'raw', 'put', 'peer'] : ['peer', 'put', 'raw', 'handler'];
      for (const kind of order) {
        const started = performance.now();
        if (kind === 'handler') await invoke('');
        else if (kind === 'raw') await rawRequest();
        else if (kind === 'put') await putCursor();
        else await peer('');
        if (i >= warmup) timed[kind].push(performance.now() - started);
      }
    }
    const p = (kind: keyof typeof timed, q: number) => percentile(timed[kind], q);
    // The contract's I/O for this request is one Graph call and one cursor write; the rest is ours.
    const contractIo = p('raw', 50) + p('put', 50);
    const ownWork = p('handler', 50) - contractIo;
    const ownWorkRatio = ownWork / contractIo;
    report.add({
      section,
      measure: `handler time, warm first page, p50 (${options.iterations} invocations)`,
      value: ms(p('handler', 50), 2),
      reference: `raw Graph request ${ms(p('raw', 50), 2)}; raw PutItem ${ms(p('put', 50), 2)}; peer (business SDK) ${ms(p('peer', 50), 2)}; ${report.bareNodeText()}`,
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section,
      measure:
        "handler's own work beyond the contract's I/O ÷ that I/O (one raw Graph request + one raw PutItem), p50",
      value: ratio(ownWorkRatio),
      reference: `${ms(ownWork, 2)} = ${ms(p('handler', 50), 2)} − (${ms(p('raw', 50), 2)} + ${ms(p('put', 50), 2)})`,
      budget: `≤ ${ratio(MAX_OWN_WORK_RATIO)}`,
      verdict: within(ownWorkRatio, MAX_OWN_WORK_RATIO),
    });
    // On a machine shared with other work, a longer call is more often preempted in its middle, which
    // skews a ratio of medians; the tenth percentiles are the calls that ran undisturbed.
    const quietIo = p('raw', 10) + p('put', 10);
    const quietOwnWork = p('handler', 10) - quietIo;
    report.add({
      section,
      measure: 'the same ratio at p10 (the calls least disturbed by other processes)',
      value: ratio(quietOwnWork / quietIo),
      reference: `${ms(quietOwnWork, 2)} = ${ms(p('handler', 10), 2)} − (${ms(p('raw', 10), 2)} + ${ms(p('put', 10), 2)})`,
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section,
      measure: 'handler time ÷ the peer handler time, p50',
      value: ratio(p('handler', 50) / p('peer', 50)),
      reference: `peer (business SDK) ${ms(p('peer', 50), 2)}`,
      budget: '—',
      verdict: 'info',
    });
    report.add({
      section,
      measure: 'handler time, warm first page, p99',
      value: ms(p('handler', 99), 2),
      reference: `raw Graph request ${ms(p('raw', 99), 2)}; raw PutItem ${ms(p('put', 99), 2)}; peer ${ms(p('peer', 99), 2)}`,
      budget: '—',
      verdict: 'info',
    });
  } finally {
    await raw.close();
    secretsMock.restore();
    await env.close();
  }
}
