import { createHmac } from 'node:crypto';
import type { Conversation, PageCredentials } from '../domain/conversation.js';
import { type ProductError, UpstreamError, UpstreamTimeoutError } from '../domain/errors.js';
import { type Folder, graphPlatform, type Platform } from '../domain/vocabulary.js';
import { graphCodeDimension, METRIC_NAMES } from '../telemetry/metric-names.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import { redactSecrets, registerSecret } from '../telemetry/redaction.js';
import { classifyGraphError, isRetryable, readGraphError } from './graph-errors.js';
import { createHttpPool, type HttpPool } from './http-pool.js';
import { type GraphUsage, parseUsageHeaders } from './usage.js';

/** One conversation as Graph returns it. */
export type GraphConversation = Conversation;

export interface ListConversationsParams {
  pageId: string;
  platform: Platform;
  folder?: Folder | undefined;
  userId?: string | undefined;
  limit: number;
  fields: readonly string[];
  after?: string | undefined;
  before?: string | undefined;
}

/** A Page as the registry shows it, from `pageProfile`. */
export interface PageProfile {
  name: string | undefined;
  instagramAccountId: string | undefined;
  usage: GraphUsage;
}

/** Page names are short; a longer one is cut, like every string taken from Graph. */
const MAX_NAME_CHARS = 1_000;

/** One page of a Graph list, reduced to what the product uses: `paging.next` itself is never kept. */
export interface GraphListPage<T> {
  data: T[];
  cursors: { before?: string; after?: string };
  /** Graph ends a list only by leaving `paging.next` out; a short page may still have a next one. */
  hasNext: boolean;
  hasPrevious: boolean;
  usage: GraphUsage;
}

export interface GraphClientTimeouts {
  connectMs: number;
  /** Until the status line and headers arrive. */
  headersMs: number;
  /** Between two chunks of the body. */
  bodyMs: number;
  /** For all attempts together: fits under API Gateway's 30 s integration limit. */
  totalMs: number;
}

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  timeouts?: Partial<GraphClientTimeouts>;
  /** Attempts for transient failures, the first included. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  now?: () => Date;
  random?: () => number;
  /** A pool to share; by default the client builds its own for `baseUrl`. */
  pool?: HttpPool;
  /** Counts each request by outcome and Graph error code, and each retry; nothing by default. */
  metrics?: ProductMetrics;
}

export const DEFAULT_TIMEOUTS: GraphClientTimeouts = Object.freeze({
  connectMs: 3_000,
  headersMs: 10_000,
  bodyMs: 10_000,
  totalMs: 25_000,
});

/** Graph answers of this size are a fault, not a page of conversations. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Who a call is made as: a token (a Page's, a user's or the app's) with the app secret when one is
 * known, for `appsecret_proof`; `undefined` for the one call that authenticates in its query (the
 * token exchange).
 */
export type GraphCaller = PageCredentials | undefined;

/** Failure of one attempt, with whether another attempt may succeed. */
class AttemptFailedError extends Error {
  constructor(
    readonly error: ProductError,
    readonly retryable: boolean,
  ) {
    super(error.message);
  }
}

/**
 * The Graph API client: builds every URL itself from allow-listed parameters, sends the token in the
 * `Authorization` header (URLs get logged; headers do not), adds a fresh time-stamped
 * `appsecret_proof` when the page has an app secret, and retries only transient failures with capped,
 * jittered back-off inside one total deadline.
 */
export class GraphClient {
  private readonly pool: HttpPool;
  private readonly timeouts: GraphClientTimeouts;
  private readonly maxAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  protected readonly now: () => Date;
  private readonly random: () => number;
  private readonly pathPrefix: string;
  private readonly metrics: ProductMetrics;

  constructor(options: GraphClientOptions) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.pool =
      options.pool ?? createHttpPool(options.baseUrl, { connectTimeoutMs: this.timeouts.connectMs });
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 2_000;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.pathPrefix = `/${options.version}`;
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** `GET /{page-id}/conversations`, one page. */
  async listConversations(
    credentials: PageCredentials,
    params: ListConversationsParams,
  ): Promise<GraphListPage<GraphConversation>> {
    const query = new URLSearchParams({
      platform: graphPlatform(params.platform),
      fields: params.fields.join(','),
      limit: String(params.limit),
    });
    if (params.folder !== undefined) query.set('folder', params.folder);
    if (params.userId !== undefined) query.set('user_id', params.userId);
    if (params.after !== undefined) query.set('after', params.after);
    if (params.before !== undefined) query.set('before', params.before);
    const body = await this.get(credentials, `/${encodeURIComponent(params.pageId)}/conversations`, query);
    return readListPage<GraphConversation>(body.json, body.usage);
  }

  /**
   * `GET /{page-id}?fields=name,instagram_business_account`: the Page's name and linked Instagram
   * professional account, as the registry shows them. Strings are cut and ids checked: Graph's answers
   * are input like any other.
   */
  async pageProfile(credentials: PageCredentials, pageId: string): Promise<PageProfile> {
    const query = new URLSearchParams({ fields: 'name,instagram_business_account' });
    const { json, usage } = await this.get(credentials, `/${encodeURIComponent(pageId)}`, query);
    const body = (typeof json === 'object' && json !== null ? json : {}) as {
      name?: unknown;
      instagram_business_account?: { id?: unknown };
    };
    const instagramId = body.instagram_business_account?.id;
    return {
      name: typeof body.name === 'string' ? redactSecrets(body.name).slice(0, MAX_NAME_CHARS) : undefined,
      instagramAccountId:
        typeof instagramId === 'string' && /^\d{1,32}$/.test(instagramId) ? instagramId : undefined,
      usage,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private get(
    credentials: PageCredentials,
    path: string,
    query: URLSearchParams,
  ): Promise<{ json: unknown; usage: GraphUsage }> {
    return this.send('GET', credentials, path, query);
  }

  /**
   * One Graph call with everything the client does for every call (the retry policy, the error table's
   * classification, the size cap, `appsecret_proof`, scrubbing): for the onboarding calls of
   * `GraphAccountsClient`, which reads their answers. Graph takes a POST's parameters in the query.
   */
  protected async send(
    method: 'GET' | 'POST',
    caller: GraphCaller,
    path: string,
    query: URLSearchParams,
  ): Promise<{ json: unknown; usage: GraphUsage }> {
    const deadline = Date.now() + this.timeouts.totalMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.attempt(method, caller, path, query, deadline);
        this.metrics.count(METRIC_NAMES.graphCalls, 1, { Outcome: 'ok' });
        return answer;
      } catch (error: unknown) {
        if (!(error instanceof AttemptFailedError)) throw error;
        this.metrics.count(METRIC_NAMES.graphCalls, 1, { Outcome: 'error' });
        this.metrics.count(METRIC_NAMES.graphErrors, 1, {
          GraphCode: graphCodeDimension(error.error.graph?.code),
        });
        const delay = this.backoffDelay(attempt);
        if (!error.retryable || attempt >= this.maxAttempts || Date.now() + delay >= deadline) {
          throw error.error;
        }
        this.metrics.count(METRIC_NAMES.graphRetries);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Full jitter: spreads retries of many containers instead of synchronising them. */
  private backoffDelay(attempt: number): number {
    const ceiling = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  private async attempt(
    method: 'GET' | 'POST',
    credentials: GraphCaller,
    path: string,
    query: URLSearchParams,
    deadline: number,
  ): Promise<{ json: unknown; usage: GraphUsage }> {
    const signedQuery = new URLSearchParams(query);
    if (credentials?.appSecret !== undefined) {
      // Meta's time-stamped proof expires after five minutes: compute it for every call.
      const time = Math.floor(this.now().getTime() / 1000);
      const proof = createHmac('sha256', credentials.appSecret)
        .update(`${credentials.accessToken}|${time}`)
        .digest('hex');
      signedQuery.set('appsecret_proof', proof);
      signedQuery.set('appsecret_time', String(time));
    }
    const remaining = deadline - Date.now();
    let response: Awaited<ReturnType<HttpPool['request']>>;
    let text: string;
    try {
      response = await this.pool.request({
        method,
        path: `${this.pathPrefix}${path}?${signedQuery.toString()}`,
        headers: {
          accept: 'application/json',
          ...(credentials === undefined ? {} : { authorization: `Bearer ${credentials.accessToken}` }),
        },
        headersTimeout: Math.max(1, Math.min(this.timeouts.headersMs, remaining)),
        bodyTimeout: Math.max(1, Math.min(this.timeouts.bodyMs, remaining)),
        signal: AbortSignal.timeout(Math.max(1, remaining)),
      });
      text = await readText(response.body);
    } catch (error: unknown) {
      if (error instanceof AttemptFailedError) throw error;
      throw this.transportFailure(error);
    }
    const usage = parseUsageHeaders(response.headers);
    const status = response.statusCode;
    if (status >= 300 && status < 400) {
      // Never followed: the request carries the token, and Graph's API does not redirect. Whatever the
      // body says (`{"data": []}` included), this is not an answer; asking again gets the same.
      throw new AttemptFailedError(
        new UpstreamError(`Graph answered HTTP ${status}, a redirect, which this API does not follow.`),
        false,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message quotes the body, which is Graph's to fill: it is not kept as a cause.
      throw new AttemptFailedError(
        new UpstreamError(`Graph answered HTTP ${status} with a body that is not JSON.`),
        true,
      );
    }
    // Graph has echoed tokens in error messages; the page's own are registered for scrubbing even
    // when they did not come through a token source (tests, the CLI).
    registerSecret(credentials?.accessToken);
    registerSecret(credentials?.appSecret);
    const graphError = readGraphError(json, redactSecrets);
    if (graphError !== undefined) {
      const classified = classifyGraphError(graphError, usage, this.now(), redactSecrets);
      throw new AttemptFailedError(classified, isRetryable(graphError, status));
    }
    if (status < 200 || status >= 300) {
      // Not Graph's error envelope: a proxy or a fault between us and Graph, never data.
      throw new AttemptFailedError(
        new UpstreamError(`Graph answered HTTP ${status} without its error envelope.`),
        isRetryable({}, status),
      );
    }
    return { json, usage };
  }

  private transportFailure(error: unknown): AttemptFailedError {
    const name = error instanceof Error ? error.name : '';
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const timedOut =
      name === 'TimeoutError' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT';
    if (timedOut) {
      return new AttemptFailedError(
        new UpstreamTimeoutError('Graph did not answer in time.', { cause: error }),
        true,
      );
    }
    return new AttemptFailedError(
      new UpstreamError('The connection to Graph failed.', { cause: error }),
      true,
    );
  }
}

async function readText(body: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      // Not a page of conversations, and the same request would get the same answer: fail once, now.
      // Leaving the loop destroys the stream, so the rest is never read.
      throw new AttemptFailedError(
        new UpstreamError(`Graph answered with a body over ${MAX_BODY_BYTES / (1024 * 1024)} MB.`),
        false,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readListPage<T extends { id: string }>(json: unknown, usage: GraphUsage): GraphListPage<T> {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { data?: unknown }).data)) {
    throw new UpstreamError('Graph answered without a data list.');
  }
  const body = json as { data: unknown[]; paging?: Record<string, unknown> };
  const data = body.data.filter(
    (item): item is T => typeof item === 'object' && item !== null && typeof (item as T).id === 'string',
  );
  const paging = body.paging ?? {};
  const rawCursors = (
    typeof paging.cursors === 'object' && paging.cursors !== null ? paging.cursors : {}
  ) as Record<string, unknown>;
  const cursors: { before?: string; after?: string } = {};
  if (typeof rawCursors.before === 'string') cursors.before = rawCursors.before;
  if (typeof rawCursors.after === 'string') cursors.after = rawCursors.after;
  return {
    data,
    cursors,
    hasNext: typeof paging.next === 'string',
    hasPrevious: typeof paging.previous === 'string',
    usage,
  };
}
