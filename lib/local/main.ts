import { createServer } from 'node:net';
import { type Config, loadConfig } from '../config/config.js';
import { routePath, WEBHOOK_PATH } from '../domain/routes.js';
import { createConsoleLogger } from './console-logger.js';
import { GIVEN_SECRET, MISSING_SECRET, startLocalRuntime } from './local-runtime.js';

/** `npm start`: the local runtime until SIGINT or SIGTERM. */

/** Stops before anything starts, with what to set, rather than with a stack trace later. */
function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

/** Whether the port is free, found out before dynalite, the emulator and a sync round start. */
async function portIsFree(port: number): Promise<boolean> {
  if (port === 0) return true;
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

function checkSetup(config: Config): void {
  if (!config.demo && config.pageTokensFile === undefined) {
    fail(
      'GRAPH_API_BASE_URL is set, so this is not the demo, but PAGE_TOKENS_FILE is not: set it to a JSON file of ' +
        'your Pages\' tokens, {"<pageId>": "<page access token>"}, or unset GRAPH_API_BASE_URL for the demo.',
    );
  }
}

// The lock file pins SDK releases that support Node 20; the SDK's notice about later releases is noise
// on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let config: Config;
let logger: ReturnType<typeof createConsoleLogger>;
try {
  config = loadConfig();
  logger = createConsoleLogger(config.logLevel);
} catch (error: unknown) {
  fail((error as Error).message);
}
checkSetup(config);
if (!(await portIsFree(config.port))) {
  fail(`port ${config.port} is in use. Set PORT to a free one, e.g. PORT=${config.port + 1} npm start.`);
}
const runtime = await startLocalRuntime(config, { logger });
const firstPage = (await runtime.pageIds())[0];
if (firstPage === undefined) fail(`${config.pageTokensFile} lists no Page.`);
const since = new Date(Date.now() - 60_000).toISOString();
/** A demo value in quotes, as one copies it; `(set)` and `(not set)` as they are. */
const quoted = (shown: string) =>
  shown === GIVEN_SECRET || shown === MISSING_SECRET ? shown : `"${shown}" (demo value)`;
const lines = [
  '',
  `Page conversations API listening on ${runtime.url}${config.demo ? ' (demo: embedded Graph emulator and DynamoDB)' : ''}`,
  `Graph: ${runtime.config.graphApiBaseUrl}/${runtime.config.graphApiVersion}`,
  // Demo values only: a value the user gave shows as "(set)" (see bannerSecrets).
  `Webhooks: ${runtime.url}${WEBHOOK_PATH}, verify token ${quoted(runtime.webhookBanner.verifyToken)}, app secret ${quoted(runtime.webhookBanner.appSecret)}`,
  ...(runtime.webhookBanner.appSecret === MISSING_SECRET
    ? ['  (webhook requests are refused until META_APP_SECRET and WEBHOOK_VERIFY_TOKEN are set)']
    : []),
  `Page tokens: ${config.demo ? "the demo Pages' emulator tokens" : `read from ${config.pageTokensFile}`}, never printed`,
  `Change events: ${config.eventsFile ? `appended to ${config.eventsFile}` : 'logged (set EVENTS_FILE to append them to a file)'}`,
  '',
  'Try:',
  `  curl '${runtime.url}${routePath('listPages')}'`,
  `  curl '${runtime.url}${routePath('listConversations', { pageId: firstPage })}?limit=5'`,
  `  curl '${runtime.url}${routePath('listConversations', { pageId: firstPage })}?platform=instagram&folder=inbox'`,
  `  curl '${runtime.url}${routePath('getSyncState', { pageId: firstPage })}'`,
];
if (config.demo) {
  lines.push(
    '  # a seeded person writes: the emulator signs a webhook to this API, which refreshes that conversation',
    `  curl -X POST '${runtime.url}/_demo/message?page_id=${firstPage}'`,
    `  curl -X POST '${runtime.url}/_demo/message?page_id=${firstPage}&platform=instagram'`,
  );
}
lines.push(
  `  curl '${runtime.url}${routePath('listConversations', { pageId: firstPage })}?updated_since=${since}'`,
  `  curl '${runtime.url}${routePath('openApi')}'`,
);
if (runtime.demoUserToken !== undefined) {
  // A demo value, like the demo webhook secret: the emulator's user who manages two more Pages.
  lines.push(
    `  # onboard Pages from a user token: demo user token "${runtime.demoUserToken}" (demo value; never expires, as a system user's)`,
    `  echo ${runtime.demoUserToken} | npm run pages -- connect`,
  );
}
if (runtime.endpointsFile === undefined) {
  lines.push('  (npm run pages talks to the other running npm start: it owns .local/runtime.json)');
}
lines.push('');
process.stdout.write(lines.join('\n'));

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: shutting down\n`);
  runtime.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
