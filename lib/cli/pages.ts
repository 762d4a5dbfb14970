/**
 * `npm run pages -- <command>`: the operator's commands for the Page registry. In AWS they run with the
 * operator's own credentials against the stack's table and secrets (TABLE_NAME and TOKEN_SECRET_PREFIX,
 * or --table and --prefix); locally, against the running `npm start` (its `.local/runtime.json`).
 * Tokens are read from files or standard input, never from the command line, where shell history and
 * the process list would keep them.
 */
import { parseArgs } from 'node:util';
import { readSetting } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { ConfigurationError, ProductError } from '../domain/errors.js';
import { pageView } from '../domain/page.js';
import { connectPages } from '../pages/connect.js';
import { addPage, importPages, removePage } from '../pages/manage-pages.js';
import { type CheckRow, checkPages } from '../pages/page-health.js';
import { subscriptionCell, webhookCheckOptions } from '../pages/subscription-health.js';
import { redactSecrets } from '../telemetry/redaction.js';
import { SHARED_SECRETS_ABOVE_PAGES } from '../tokens/shared-secret.js';
import { parseCredentials } from '../tokens/token-source.js';
import { environment } from './pages-environment.js';
import { readApp, readSecretInput, secretsChoice } from './pages-input.js';
import { addLine, connectSummary, connectTable, progressBar, table } from './pages-output.js';

const USAGE = `Usage: npm run pages -- <command> [options]

  connect            every Page a user token manages (token from --token-file or standard input)
                     --app-id ID with --app-secret-file PATH (or the secret on standard input):
                       exchange the user token for a long-lived one first, so Page tokens last
                     --allow-expiring-tokens  store Page tokens that expire within 7 days (refused otherwise)
                     --shared | --secret-per-page  where tokens go; default: shared secrets for more
                       than ${SHARED_SECRETS_ABOVE_PAGES} Pages, else one secret per Page
                     --dry-run  list what it would register and write, writing nothing
                     --subscribe-webhooks  subscribe each Page to the app's webhooks
  add <pageId>       one Page from its Page token (--token-file or standard input)
                     [--app-id ID --app-secret-file PATH] [--shared] [--allow-expiring-tokens]
  list               the registered Pages, their token health and webhook subscription
  check              each token's health and webhook subscription now (two Graph calls per Page)
  remove <pageId>    unregister a Page and delete its token
  import             register Pages whose secrets already exist under the prefix

AWS: TABLE_NAME and TOKEN_SECRET_PREFIX (or --table, --prefix), the operator's AWS credentials,
     SYNC_QUEUE_URL (or --sync-queue-url) to start first syncs now, else the next schedule does,
     TOKEN_SECRET_KMS_KEY_ID (or --kms-key-id; the stack's EncryptionKeyArn output) when the stack
     has a customer-managed key: new Page token secrets are encrypted with it.
Local: a running \`npm start\` (found through .local/runtime.json); --local insists on it.
add, import and check read each Page's webhook subscription (GET /{page-id}/subscribed_apps) unless
WEBHOOK_SUBSCRIPTION_CHECK=false, and subscribe a Page that lacks it with WEBHOOK_AUTO_SUBSCRIBE=true.`;

/** The rows of `check` and `import`: each Page's token and webhook subscription as Graph answered. */
function checkTable(rows: readonly CheckRow[]): string {
  const cells = rows.map((r) => [
    r.pageId,
    r.name,
    r.instagramAccountId,
    r.status,
    r.detail,
    subscriptionCell(r.webhooks),
  ]);
  return `${table(['page', 'name', 'instagram', 'token', 'detail', 'webhooks'], cells)}\n`;
}

async function run(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'token-file': { type: 'string' },
      'app-id': { type: 'string' },
      'app-secret-file': { type: 'string' },
      shared: { type: 'boolean' },
      'secret-per-page': { type: 'boolean' },
      'allow-expiring-tokens': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'subscribe-webhooks': { type: 'boolean' },
      local: { type: 'boolean' },
      table: { type: 'string' },
      prefix: { type: 'string' },
      'sync-queue-url': { type: 'string' },
      'kms-key-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, pageId] = positionals;
  if (flags.help === true || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && flags.help !== true ? 2 : 0;
  }
  const env = await environment(flags);
  process.stderr.write(`pages: ${env.mode}\n`);
  const bar = progressBar();
  env.deps.progress = (done, total, what) => bar.update(done, total, what);
  const { registry } = env.deps;
  const webhooks = webhookCheckOptions({
    check: readSetting(process.env, SETTINGS.webhookSubscriptionCheck),
    autoSubscribe: readSetting(process.env, SETTINGS.webhookAutoSubscribe),
  });
  switch (command) {
    case 'connect': {
      const secrets = secretsChoice(flags);
      const app = await readApp(flags);
      const userToken = await readSecretInput(flags['token-file'], 'user access token', '--token-file');
      const dryRun = flags['dry-run'] === true;
      const report = await connectPages(env.deps, {
        userToken,
        app,
        secrets,
        dryRun,
        subscribeWebhooks: flags['subscribe-webhooks'] === true,
        allowExpiringTokens: flags['allow-expiring-tokens'] === true,
      });
      bar.done();
      process.stdout.write(
        `${connectTable(report.rows)}\n\n${connectSummary(report, { dryRun, secrets: env.secrets })}\n`,
      );
      const refused = report.rows.some((row) => row.action === 'refused');
      return refused || report.syncsFailed > 0 ? 1 : 0;
    }
    case 'add': {
      if (pageId === undefined)
        throw new ConfigurationError('add needs a Page id: npm run pages -- add <pageId>.');
      const app = await readApp(flags);
      const text = await readSecretInput(flags['token-file'], 'Page access token', '--token-file');
      const credentials = parseCredentials(text);
      if (credentials === undefined)
        throw new ConfigurationError('The input holds neither a token nor JSON with "access_token".');
      const result = await addPage(env.deps, pageId, credentials, {
        shared: flags.shared === true,
        app,
        allowExpiringTokens: flags['allow-expiring-tokens'] === true,
        webhooks,
      });
      process.stdout.write(`${addLine(pageId, result)}\n`);
      if (result.webhooks !== undefined)
        process.stdout.write(`Page ${pageId}: webhooks ${subscriptionCell(result.webhooks)}.\n`);
      return result.firstSync?.startsWith('not started') === true ? 1 : 0;
    }
    case 'list': {
      const views = [];
      let after: string | undefined;
      do {
        const listing = await registry.list({ limit: 100, ...(after ? { after } : {}) });
        views.push(...listing.records.map(pageView));
        after = listing.more ? listing.records.at(-1)?.pageId : undefined;
      } while (after !== undefined);
      process.stdout.write(
        `${table(
          ['page', 'name', 'instagram', 'token', 'reason', 'synced', 'last outcome', 'webhooks'],
          views.map((v) => [
            v.page_id,
            v.name ?? undefined,
            v.instagram_account_id ?? undefined,
            v.token.status,
            v.token.error?.reason,
            v.sync.synced_at ?? undefined,
            v.sync.last_outcome ?? undefined,
            v.webhooks.status,
          ]),
        )}\n`,
      );
      return 0;
    }
    case 'check': {
      const rows = await checkPages(
        { registry, tokens: env.tokens, graph: env.deps.graph, webhooks },
        await registry.listPageIds(),
        (d, t) => bar.update(d, t, 'checking'),
      );
      bar.done();
      process.stdout.write(checkTable(rows));
      return rows.every((row) => row.status === 'valid') ? 0 : 1;
    }
    case 'remove': {
      if (pageId === undefined)
        throw new ConfigurationError('remove needs a Page id: npm run pages -- remove <pageId>.');
      await removePage(env.deps, pageId);
      process.stdout.write(`Page ${pageId}: removed, and its token deleted.\n`);
      return 0;
    }
    case 'import': {
      const result = await importPages({ ...env.deps, tokens: env.tokens, webhooks });
      bar.done();
      process.stdout.write(checkTable(result.imported));
      process.stdout.write(
        `\n${result.imported.length} imported, ${result.alreadyRegistered} already registered.\n`,
      );
      return 0;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n${USAGE}\n`);
      return 2;
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Every token this run read is registered, so no message can print one. The product's own errors
    // say what to do; anything else is named, as a fault.
    const known = error instanceof ConfigurationError || error instanceof ProductError;
    const message =
      error instanceof Error ? (known ? error.message : `${error.name}: ${error.message}`) : 'failed';
    process.stderr.write(`pages: ${redactSecrets(message)}\n`);
    process.exit(1);
  },
);
