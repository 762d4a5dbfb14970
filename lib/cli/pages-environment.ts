/**
 * Where `npm run pages` works: the running `npm start` (its `.local/runtime.json`: the embedded
 * DynamoDB, the tokens file, the local API) or, with TABLE_NAME and TOKEN_SECRET_PREFIX (or --table and
 * --prefix), the stack's table and secrets with the operator's own credentials.
 */
import { readSetting } from '../config/config.js';
import type { Setting } from '../config/setting.js';
import { SETTINGS } from '../config/settings.js';
import { ConfigurationError } from '../domain/errors.js';
import { routePath } from '../domain/routes.js';
import { GraphAccountsClient } from '../graph/graph-accounts.js';
import type { OnboardingDependencies } from '../pages/connect.js';
import { FileTokenVault } from '../pages/file-token-vault.js';
import { readLocalEndpoints } from '../pages/local-endpoints.js';
import { SecretsManagerVault } from '../pages/token-vault.js';
import { createDynamoClient, EMBEDDED_DYNAMO_TIMEOUTS } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import { SecretLock } from '../store/secret-lock.js';
import { createQueueSyncStarter } from '../sync/sync-queue.js';
import { FileTokenSource } from '../tokens/file-token-source.js';
import { SecretWriter } from '../tokens/secret-writer.js';
import { createSecretsManagerClient } from '../tokens/secrets-client.js';
import { SecretsManagerTokenSource } from '../tokens/secrets-manager-token-source.js';
import type { TokenSource } from '../tokens/token-source.js';
import type { Flags } from './pages-input.js';

export interface Environment {
  mode: string;
  /** Tokens go to Secrets Manager (AWS), not the local runtime's file. */
  secrets: boolean;
  deps: OnboardingDependencies;
  tokens: TokenSource;
}

/** The first sync through the local API: its answer checked, so that only a started sync is reported. */
function localSyncStarter(apiUrl: string) {
  return async (pageId: string): Promise<string> => {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${routePath('startSync', { pageId })}`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new Error(`the local API (${apiUrl}) did not answer`);
    }
    const body = (await response.json().catch(() => ({}))) as {
      status?: unknown;
      error?: { code?: unknown };
    };
    if (response.status !== 202) {
      const code = typeof body.error?.code === 'string' ? ` ${body.error.code}` : '';
      throw new Error(`the local API answered ${response.status}${code}`);
    }
    return body.status === 'already_running' ? 'already running' : 'started';
  };
}

/**
 * A setting from its flag when given, else from the environment, checked by the setting's own rule either
 * way: the prefix an operator types must name this deployment's secrets as the stack's does.
 */
function flagOrSetting<T>(
  flags: Flags,
  flag: string,
  setting: Setting<T> & { readonly env: string },
): T | undefined {
  const given = flags[flag];
  if (typeof given !== 'string') return readSetting(process.env, setting);
  const checked = setting.rule.check(given.trim());
  if (!checked.ok) throw new ConfigurationError(`--${flag} ${checked.problem}.`);
  return checked.value;
}

export async function environment(flags: Flags): Promise<Environment> {
  const tableName = flagOrSetting(flags, 'table', SETTINGS.tableName);
  if (flags.local === true || tableName === undefined) {
    const local = await readLocalEndpoints();
    if (local === undefined) {
      throw new ConfigurationError(
        'No local runtime runs: start `npm start` first, or set TABLE_NAME and TOKEN_SECRET_PREFIX for AWS.',
      );
    }
    const registry = new PageRegistry({
      // The embedded DynamoDB of `npm start`, which shares that process with its syncs: its patience.
      client: createDynamoClient({ endpoint: local.dynamodbEndpoint, timeouts: EMBEDDED_DYNAMO_TIMEOUTS }),
      tableName: local.tableName,
    });
    const vault = new FileTokenVault(local.pageTokensFile);
    const graph = new GraphAccountsClient({ baseUrl: local.graphBaseUrl, version: local.graphVersion });
    const tokens = await FileTokenSource.fromFile(local.pageTokensFile, { registry }).catch(() =>
      FileTokenSource.fromMap(new Map(), registry),
    );
    return {
      mode: `local runtime ${local.apiUrl}`,
      secrets: false,
      deps: { registry, vault, graph, startSync: localSyncStarter(local.apiUrl) },
      tokens,
    };
  }
  const prefix = flagOrSetting(flags, 'prefix', SETTINGS.tokenSecretPrefix);
  if (prefix === undefined)
    throw new ConfigurationError('TOKEN_SECRET_PREFIX (or --prefix) must name the secrets prefix.');
  const dynamo = createDynamoClient({ endpoint: readSetting(process.env, SETTINGS.dynamodbEndpoint) });
  const registry = new PageRegistry({ client: dynamo, tableName });
  const client = createSecretsManagerClient();
  const kmsKeyId =
    (flags['kms-key-id'] as string | undefined) ?? (process.env.TOKEN_SECRET_KMS_KEY_ID || undefined);
  const vault = new SecretsManagerVault(
    new SecretWriter(client, { kmsKeyId }),
    prefix,
    new SecretLock({ client: dynamo, tableName }),
  );
  // Through the settings' rules: an http Graph origin is refused unless it is this machine.
  const graph = new GraphAccountsClient({
    baseUrl: readSetting(process.env, SETTINGS.graphApiBaseUrl) ?? SETTINGS.graphApiBaseUrl.default,
    version: readSetting(process.env, SETTINGS.graphApiVersion) ?? SETTINGS.graphApiVersion.default,
  });
  const starter = createQueueSyncStarter(flagOrSetting(flags, 'sync-queue-url', SETTINGS.syncQueueUrl));
  const tokens = new SecretsManagerTokenSource({ client, prefix, registry, cacheSeconds: 0 });
  return {
    mode: `AWS, table ${tableName}, ${vault.description}`,
    secrets: true,
    deps: {
      registry,
      vault,
      graph,
      ...(starter
        ? {
            startSync: async (pageId: string) => {
              await starter.start(pageId);
              return 'queued';
            },
          }
        : {}),
    },
    tokens,
  };
}
