/**
 * `npm run pages -- <command>`: the operator's commands for the Page registry. In AWS they run with the
 * operator's own credentials against the stack's table and secrets (TABLE_NAME and TOKEN_SECRET_PREFIX,
 * or --table and --prefix); locally, against the running `npm start` (its `.local/runtime.json`).
 * Tokens are read from files or standard input, never from the command line, where shell history and
 * the process list would keep them.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readSetting } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { ConfigurationError } from '../domain/errors.js';
import { pageView } from '../domain/page.js';
import { connectPages, type OnboardingDependencies } from '../pages/connect.js';
import { FileTokenVault } from '../pages/file-token-vault.js';
import { readLocalEndpoints } from '../pages/local-endpoints.js';
import { addPage, importPages, removePage } from '../pages/manage-pages.js';
import { OnboardingGraph } from '../pages/onboarding-graph.js';
import { checkPages } from '../pages/page-health.js';
import { SecretsManagerVault } from '../pages/token-vault.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import { SecretLock } from '../store/secret-lock.js';
import { createQueueSyncStarter } from '../sync/sync-queue.js';
import { redactSecrets, registerSecret } from '../telemetry/redaction.js';
import { FileTokenSource } from '../tokens/file-token-source.js';
import { SecretWriter } from '../tokens/secret-writer.js';
import { createSecretsManagerClient } from '../tokens/secrets-client.js';
import { SecretsManagerTokenSource } from '../tokens/secrets-manager-token-source.js';
import { parseCredentials, type TokenSource } from '../tokens/token-source.js';
import { progressBar, table } from './pages-output.js';

const USAGE = `Usage: npm run pages -- <command> [options]

  connect            every Page a user token manages (token from --token-file or standard input)
                     [--app-id ID --app-secret-file PATH] exchange for a long-lived token first
                     [--shared] store new Pages' tokens in shared secrets   [--dry-run]
                     [--subscribe-webhooks] subscribe each Page to the app's webhooks
  add <pageId>       one Page from its Page token (--token-file or standard input) [--shared]
  list               the registered Pages and their token health
  check              each token's health now (one Graph call per Page)
  remove <pageId>    unregister a Page and delete its token
  import             register Pages whose secrets already exist under the prefix

AWS: TABLE_NAME and TOKEN_SECRET_PREFIX (or --table, --prefix), the operator's AWS credentials,
     SYNC_QUEUE_URL (or --sync-queue-url) to start first syncs now, else the next schedule does,
     TOKEN_SECRET_KMS_KEY_ID (or --kms-key-id; the stack's EncryptionKeyArn output) when the stack
     has a customer-managed key: new Page token secrets are encrypted with it.
Local: a running \`npm start\` (found through .local/runtime.json); --local insists on it.`;

interface Environment {
  mode: string;
  deps: OnboardingDependencies;
  tokens: TokenSource;
  syncNote: string;
}

type Flags = Record<string, string | boolean | undefined>;

async function environment(flags: Flags): Promise<Environment> {
  const tableName = (flags.table as string | undefined) ?? (process.env.TABLE_NAME || undefined);
  if (flags.local === true || tableName === undefined) {
    const local = await readLocalEndpoints();
    if (local === undefined) {
      throw new ConfigurationError(
        'No local runtime runs: start `npm start` first, or set TABLE_NAME and TOKEN_SECRET_PREFIX for AWS.',
      );
    }
    const registry = new PageRegistry({
      client: createDynamoClient({ endpoint: local.dynamodbEndpoint }),
      tableName: local.tableName,
    });
    const vault = new FileTokenVault(local.pageTokensFile);
    const graph = new OnboardingGraph({ baseUrl: local.graphBaseUrl, version: local.graphVersion });
    const startSync = async (pageId: string) => {
      await fetch(`${local.apiUrl}/pages/${pageId}/sync`, { method: 'POST' });
    };
    const tokens = await FileTokenSource.fromFile(local.pageTokensFile, { registry }).catch(() =>
      FileTokenSource.fromMap(new Map(), registry),
    );
    return {
      mode: `local runtime ${local.apiUrl}`,
      deps: { registry, vault, graph, startSync },
      tokens,
      syncNote: 'first syncs started in the local runtime',
    };
  }
  const prefix = (flags.prefix as string | undefined) ?? (process.env.TOKEN_SECRET_PREFIX || undefined);
  if (prefix === undefined)
    throw new ConfigurationError('TOKEN_SECRET_PREFIX (or --prefix) must name the secrets prefix.');
  const dynamo = createDynamoClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
  const registry = new PageRegistry({ client: dynamo, tableName });
  const client = createSecretsManagerClient();
  const kmsKeyId =
    (flags['kms-key-id'] as string | undefined) ?? (process.env.TOKEN_SECRET_KMS_KEY_ID || undefined);
  const vault = new SecretsManagerVault(
    new SecretWriter(client, { kmsKeyId }),
    prefix,
    new SecretLock({ client: dynamo, tableName }),
  );
  const graph = new OnboardingGraph({
    // Through the settings' rules: an http origin to another host would carry Page tokens in clear text.
    baseUrl: readSetting(process.env, SETTINGS.graphApiBaseUrl) ?? SETTINGS.graphApiBaseUrl.default,
    version: readSetting(process.env, SETTINGS.graphApiVersion) ?? SETTINGS.graphApiVersion.default,
  });
  const starter = createQueueSyncStarter(
    (flags['sync-queue-url'] as string | undefined) ?? process.env.SYNC_QUEUE_URL,
  );
  const tokens = new SecretsManagerTokenSource({ client, prefix, registry, cacheSeconds: 0 });
  return {
    mode: `AWS, table ${tableName}, ${vault.description}`,
    deps: {
      registry,
      vault,
      graph,
      ...(starter ? { startSync: (pageId: string) => starter.start(pageId) } : {}),
    },
    tokens,
    syncNote: starter ? 'first syncs queued' : 'new Pages are synced by the next scheduled sync',
  };
}

/** A token from `--token-file`, or from standard input when it is piped. */
async function readSecretInput(path: string | undefined, what: string): Promise<string> {
  const text = await readInput(path, what);
  registerSecret(text);
  return text;
}

async function readInput(path: string | undefined, what: string): Promise<string> {
  if (path !== undefined) return (await readFile(path, 'utf8')).trim();
  if (process.stdin.isTTY)
    throw new ConfigurationError(`Give the ${what} in a file (--token-file PATH) or on standard input.`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') throw new ConfigurationError(`Standard input held no ${what}.`);
  return text;
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
  switch (command) {
    case 'connect': {
      const userToken = await readSecretInput(flags['token-file'], 'user access token');
      const appId = flags['app-id'];
      const app =
        appId === undefined
          ? undefined
          : { id: appId, secret: await readSecretInput(flags['app-secret-file'], 'app secret') };
      const report = await connectPages(env.deps, {
        userToken,
        ...(app ? { app } : {}),
        shared: flags.shared === true,
        dryRun: flags['dry-run'] === true,
        subscribeWebhooks: flags['subscribe-webhooks'] === true,
      });
      bar.done();
      process.stdout.write(
        `${table(
          ['page', 'name', 'instagram', 'action', 'missing'],
          report.rows.map((r) => [r.pageId, r.name, r.instagramAccountId, r.action, r.missing.join('; ')]),
        )}\n`,
      );
      const count = (action: string) => report.rows.filter((r) => r.action === action).length;
      const changed = count('registered') + count('updated');
      process.stdout.write(
        `\n${report.rows.length} Pages: ${count('registered')} registered, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('skipped')} skipped.` +
          `${changed === 0 && flags['dry-run'] !== true ? ' Nothing changed.' : ''} ${report.syncsStarted > 0 ? env.syncNote : changed > 0 ? 'New Pages: the next scheduled sync indexes them.' : ''}\n`,
      );
      return 0;
    }
    case 'add': {
      if (pageId === undefined)
        throw new ConfigurationError('add needs a Page id: npm run pages -- add <pageId>.');
      const credentials = parseCredentials(await readSecretInput(flags['token-file'], 'Page access token'));
      if (credentials === undefined)
        throw new ConfigurationError('The input holds neither a token nor JSON with "access_token".');
      const outcome = await addPage(env.deps, pageId, credentials, { shared: flags.shared === true });
      process.stdout.write(`Page ${pageId}: ${outcome === 'created' ? 'registered' : outcome}.\n`);
      return 0;
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
          ['page', 'name', 'instagram', 'token', 'reason', 'synced', 'last outcome'],
          views.map((v) => [
            v.page_id,
            v.name ?? undefined,
            v.instagram_account_id ?? undefined,
            v.token.status,
            v.token.error?.reason,
            v.sync.synced_at ?? undefined,
            v.sync.last_outcome ?? undefined,
          ]),
        )}\n`,
      );
      return 0;
    }
    case 'check': {
      const rows = await checkPages(
        { registry, tokens: env.tokens, graph: env.deps.graph },
        await registry.listPageIds(),
        (d, t) => bar.update(d, t, 'checking'),
      );
      bar.done();
      process.stdout.write(
        `${table(
          ['page', 'name', 'instagram', 'token', 'detail'],
          rows.map((r) => [r.pageId, r.name, r.instagramAccountId, r.status, r.detail]),
        )}\n`,
      );
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
      const result = await importPages({ ...env.deps, tokens: env.tokens });
      bar.done();
      process.stdout.write(
        `${table(
          ['page', 'name', 'instagram', 'token', 'detail'],
          result.imported.map((r) => [r.pageId, r.name, r.instagramAccountId, r.status, r.detail]),
        )}\n`,
      );
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
    // Every token this run read is registered, so no message can print one.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : 'failed';
    process.stderr.write(`pages: ${redactSecrets(message)}\n`);
    process.exit(1);
  },
);
