import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ApiError,
  type ClientAuth,
  createPageConversationsClient,
  type PageConversationsClient,
  type PagesPage,
} from '../client/index.js';
import { routeLabel, routeOf, routePath } from '../domain/routes.js';
import { fixFor, fixForCode } from './smoke-fixes.js';

/**
 * `npm run smoke -- --url <ApiUrl>`: after a deployment, calls the API the way a user does, with the
 * operator's own credentials, and prints one line per check with what to fix when it fails. Exits 1
 * when any check fails, 2 when the command line is wrong.
 */

const USAGE = `Usage: npm run smoke -- --url <ApiUrl> [--page <pageId>] [--jwt <file> | --no-auth] [--region <region>]
  --url       the API's base URL: the stack's ApiUrl output, or http://localhost:3000 for npm start
  --page      the Page to check; default: the first Page of ${routeLabel('listPages')}, where the API has that route
  --jwt       a file holding the JWT to send (JWT deployments); default: SigV4 with your AWS credentials
  --no-auth   send no authorization (the local runtime)
  --region    the region to sign for, when the URL is a custom domain; default: from the URL, else AWS_REGION`;

const PAGE_ID = /^\d{1,32}$/;

/**
 * The longest detail or fix printed for one check. What the checks print comes partly from the answers
 * (messages, versions, codes), and an answer may be anything: a line is cut, not printed whole.
 */
export const MAX_LINE_CHARS = 300;

export interface SmokeOptions {
  baseUrl: string;
  auth: ClientAuth;
  pageId?: string | undefined;
  /** Per request. @default 15000 */
  timeoutMs?: number;
}

export interface CheckResult {
  name: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

/** A command line that cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads the command line into options; the JWT comes from a file, never from the command line. */
export function parseSmokeArgs(
  argv: string[],
  readText = (path: string) => readFileSync(path, 'utf8'),
): SmokeOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string' },
        page: { type: 'string' },
        jwt: { type: 'string' },
        'no-auth': { type: 'boolean' },
        region: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const url = values.url;
  if (typeof url !== 'string' || url === '') throw new UsageError('--url is required.');
  if (values.jwt !== undefined && values['no-auth'] === true)
    throw new UsageError('--jwt and --no-auth exclude each other.');
  const pageId = typeof values.page === 'string' ? values.page : undefined;
  if (pageId !== undefined && !PAGE_ID.test(pageId)) throw new UsageError('--page takes a Page id (digits).');
  return { baseUrl: url, auth: authOf(values, readText), pageId };
}

function authOf(
  values: Record<string, string | boolean | undefined>,
  readText: (path: string) => string,
): ClientAuth {
  if (values['no-auth'] === true) return { type: 'none' };
  if (typeof values.jwt === 'string') {
    let token: string;
    try {
      token = readText(values.jwt).trim();
    } catch (error) {
      throw new UsageError(
        `--jwt: cannot read ${values.jwt} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
    if (token === '') throw new UsageError(`--jwt: ${values.jwt} is empty.`);
    return { type: 'jwt', token };
  }
  return { type: 'sigv4', ...(typeof values.region === 'string' ? { region: values.region } : {}) };
}

type Check = (client: PageConversationsClient) => Promise<string>;

async function runCheck(
  name: string,
  check: Check,
  client: PageConversationsClient,
  fix: (error: unknown) => string,
): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await check(client);
    return { name, status: 'PASS', detail: `${detail} (${Math.round(performance.now() - started)} ms)` };
  } catch (error) {
    return {
      name,
      status: 'FAIL',
      detail: error instanceof Error ? error.message : String(error),
      fix: fix(error),
    };
  }
}

/** The first registered Page, from GET /pages. */
async function firstPage(client: PageConversationsClient): Promise<string> {
  let answer: PagesPage;
  try {
    answer = await client.listPages({ limit: 1 });
  } catch (error) {
    // A deployment older than GET /pages (or a route API Gateway does not forward): no Page to discover.
    if (
      error instanceof ApiError &&
      (error.code === 'not_found' || (error.code === undefined && error.status === 404))
    )
      throw new SmokeFailedError(
        `this API does not serve ${routeLabel('listPages')}`,
        'pass --page <pageId>',
      );
    throw error;
  }
  const pageId: unknown = answer.data?.[0]?.page_id;
  if (pageId === undefined)
    throw new SmokeFailedError(
      'no Page is registered',
      'register one: npm run pages -- connect, or add <pageId>',
    );
  // It goes into the next paths and lines: a Page id is digits, anything else is not this API.
  if (typeof pageId !== 'string' || !PAGE_ID.test(pageId))
    throw new SmokeFailedError(
      `${routeLabel('listPages')} answered a Page id that is not one`,
      'check --url (the stack ApiUrl output)',
    );
  return pageId;
}

/** A check that failed on what it found, not on an error of the API: carries its own fix. */
class SmokeFailedError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/**
 * Runs the checks in order, reporting each as it finishes. A check that cannot run because an earlier
 * one failed is skipped, so that one cause prints one FAIL.
 */
export async function runSmoke(
  options: SmokeOptions,
  report: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = (result: CheckResult) => {
    const bounded: CheckResult = {
      ...result,
      detail: printable(result.detail),
      ...(result.fix === undefined ? {} : { fix: printable(result.fix) }),
    };
    results.push(bounded);
    report(bounded);
    return bounded;
  };
  let pageId = options.pageId;
  const fix = (error: unknown) =>
    error instanceof SmokeFailedError ? error.fix : fixFor(error, options.auth, pageId);
  let client: PageConversationsClient;
  try {
    client = createPageConversationsClient({
      baseUrl: options.baseUrl,
      auth: options.auth,
      timeoutMs: options.timeoutMs ?? 15_000,
    });
  } catch (error) {
    record({ name: 'client', status: 'FAIL', detail: (error as Error).message, fix: fix(error) });
    return results;
  }
  const skip = (name: string, why: string) => record({ name, status: 'SKIP', detail: why });

  const health = await runCheck(
    'health',
    async (c) => {
      const answer: unknown = await c.health();
      if ((answer as { status?: unknown } | null)?.status !== 'ok')
        throw new SmokeFailedError(
          `${routeLabel('health')} did not answer {"status":"ok"}`,
          'check --url (the stack ApiUrl output)',
        );
      return `${routeLabel('health')}: {"status":"ok"}`;
    },
    client,
    fix,
  );
  record(health);
  if (health.status !== 'PASS') {
    for (const name of ['openapi', 'page', 'conversations', 'sync']) skip(name, 'health failed');
    return results;
  }

  let document: Record<string, unknown> = {};
  record(
    await runCheck(
      'openapi',
      async (c) => {
        document = await c.openApi();
        const info = (document.info ?? {}) as { version?: unknown };
        const paths = Object.keys((document.paths ?? {}) as object);
        if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1'))
          throw new SmokeFailedError(
            `${routeLabel('openApi')} is not an OpenAPI 3.1 document`,
            'check --url',
          );
        return `OpenAPI ${document.openapi}, API version ${String(info.version)}, ${paths.length} paths`;
      },
      client,
      fix,
    ),
  );

  if (pageId === undefined) {
    const found = await runCheck(
      'page',
      async (c) => {
        pageId = await firstPage(c);
        return `Page ${pageId}, the first of ${routeLabel('listPages')}`;
      },
      client,
      fix,
    );
    record(found);
  } else {
    record({ name: 'page', status: 'PASS', detail: `Page ${pageId}, from --page` });
  }
  const page = pageId;
  if (page === undefined) {
    for (const name of ['conversations', 'sync']) skip(name, 'no Page to check');
    return results;
  }

  record(
    await runCheck(
      'conversations',
      async (c) => {
        const answer = await c.listConversations(page, { limit: 5 });
        const more = answer.paging?.next === undefined ? 'no more' : 'more to follow';
        return `${routeOf('listConversations').method} ${routePath('listConversations', { pageId: page })}?limit=5: ${answer.data.length} conversations from Graph, ${more}`;
      },
      client,
      fix,
    ),
  );
  record(await runCheck('sync', (c) => describeSync(c, page), client, fix));
  return results;
}

async function describeSync(client: PageConversationsClient, pageId: string): Promise<string> {
  const state = await client.getSync(pageId);
  const failed = state.partitions.find((p) => p.status === 'failed' || p.last_run?.outcome === 'failed');
  if (failed) {
    const error = failed.last_run?.error;
    throw new SmokeFailedError(
      `the last sync of ${failed.platform}/${failed.folder} failed (${error?.code ?? 'no error recorded'})`,
      error
        ? fixForCode(error.code, {
            pageId,
            graphCode: error.graph?.code,
            retryAfterSeconds: error.retry_after_seconds,
          })
        : "see the sync worker function's CloudWatch logs",
    );
  }
  const runs = state.partitions.map((p) => p.last_run?.outcome ?? 'never run');
  const counts = [...new Set(runs)].map(
    (outcome) => `${runs.filter((r) => r === outcome).length} ${outcome}`,
  );
  const indexed = state.partitions.reduce((sum, p) => sum + p.indexed_conversations, 0);
  return `${state.partitions.length} partitions (${counts.join(', ')}), ${indexed} conversations indexed`;
}

/**
 * Text from an answer made safe to print: control characters (a terminal's escape sequences, line
 * breaks) become spaces, and past `MAX_LINE_CHARS` it is cut, saying how much was left out.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  if (flat.length <= MAX_LINE_CHARS) return flat;
  return `${flat.slice(0, MAX_LINE_CHARS)}… (${flat.length - MAX_LINE_CHARS} more characters)`;
}

/** One line per check: `PASS  name  detail`, and for a failure `  -> fix`. */
export function formatResult(result: CheckResult): string {
  const line = `${result.status}  ${result.name.padEnd(13)} ${result.detail}`;
  return result.fix === undefined ? line : `${line}\n      -> ${result.fix}`;
}

export async function main(argv: string[]): Promise<number> {
  let options: SmokeOptions;
  try {
    options = parseSmokeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const results = await runSmoke(options, (result) => process.stdout.write(`${formatResult(result)}\n`));
  const failed = results.filter((r) => r.status === 'FAIL').length;
  const passed = results.filter((r) => r.status === 'PASS').length;
  process.stdout.write(`smoke: ${passed} passed, ${failed} failed against ${options.baseUrl}\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
