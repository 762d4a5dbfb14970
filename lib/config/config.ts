import { ConfigurationError } from '../domain/errors.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import { SETTINGS, type Setting } from './settings.js';

/**
 * Configuration, parsed once from the environment into a frozen object. Lambda and the local runtime
 * read the same names (see the contract); a bad value fails at start with the variable's name. Each
 * variable's rule and default live in `settings.ts`, shared with the CDK construct.
 */
export interface Config {
  readonly port: number;
  readonly graph: { readonly baseUrl: string; readonly version: string };
  /** The API's public origin and base path for `paging.next`; unset: API Gateway's domain and stage. */
  readonly publicBaseUrl: string | undefined;
  /** Unset in the local runtime means the embedded DynamoDB. */
  readonly tableName: string | undefined;
  readonly dynamodbEndpoint: string | undefined;
  readonly tokenSecretPrefix: string | undefined;
  readonly pageTokensFile: string | undefined;
  readonly sync: {
    readonly platforms: readonly Platform[];
    readonly folders: readonly Folder[];
    readonly intervalSeconds: number;
    readonly maxGraphCalls: number | undefined;
    /** The fan-out queue in AWS; unset, the fan-out runs in process. */
    readonly queueUrl: string | undefined;
  };
  /**
   * `JWT_PAGE_IDS_CLAIM`: with a JWT authorizer, the claim listing the Page ids a caller may read.
   * Unset, or a request without a JWT (IAM): every Page.
   */
  readonly jwtPageIdsClaim: string | undefined;
  /** True when neither a token file nor a Graph origin is configured: the local demo. */
  readonly demo: boolean;
}

export const DEFAULT_GRAPH_BASE_URL = SETTINGS.graphApiBaseUrl.default as string;
export const DEFAULT_GRAPH_VERSION = SETTINGS.graphApiVersion.default as string;

type Env = Readonly<Record<string, string | undefined>>;

/** The variable's value by its setting's rule; undefined when unset or blank. */
export function readSetting<T>(env: Env, setting: Setting<T> & { readonly env: string }): T | undefined {
  const raw = env[setting.env]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const checked = setting.rule.check(raw);
  if (!checked.ok) throw new ConfigurationError(`${setting.env} ${checked.problem}.`);
  return checked.value;
}

/** The variable's value, else its setting's default. */
function readOrDefault<T>(env: Env, setting: Setting<T> & { readonly env: string; readonly default: T }): T {
  return readSetting(env, setting) ?? setting.default;
}

/** Parses the environment. Throws `ConfigurationError` naming the first variable that cannot work. */
export function loadConfig(env: Env = process.env): Config {
  const graphBaseUrl = readSetting(env, SETTINGS.graphApiBaseUrl);
  const pageTokensFile = readSetting(env, SETTINGS.pageTokensFile);
  return Object.freeze({
    port: readOrDefault(env, SETTINGS.port),
    graph: Object.freeze({
      baseUrl: graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL,
      version: readSetting(env, SETTINGS.graphApiVersion) ?? DEFAULT_GRAPH_VERSION,
    }),
    publicBaseUrl: readSetting(env, SETTINGS.publicBaseUrl),
    tableName: readSetting(env, SETTINGS.tableName),
    dynamodbEndpoint: readSetting(env, SETTINGS.dynamodbEndpoint),
    tokenSecretPrefix: readSetting(env, SETTINGS.tokenSecretPrefix),
    pageTokensFile,
    sync: Object.freeze({
      platforms: Object.freeze([...readOrDefault(env, SETTINGS.syncPlatforms)]),
      folders: Object.freeze([...readOrDefault(env, SETTINGS.syncFolders)]),
      intervalSeconds: readOrDefault(env, SETTINGS.syncIntervalSeconds),
      maxGraphCalls: readSetting(env, SETTINGS.syncMaxGraphCalls),
      queueUrl: readSetting(env, SETTINGS.syncQueueUrl),
    }),
    jwtPageIdsClaim: readSetting(env, SETTINGS.jwtPageIdsClaim),
    demo: graphBaseUrl === undefined && pageTokensFile === undefined,
  });
}

/** What Lambda needs and the local runtime defaults: fail at cold start, not on the first request. */
export function requireLambdaSettings(config: Config): { tableName: string; tokenSecretPrefix: string } {
  if (config.tableName === undefined) throw new ConfigurationError('TABLE_NAME must be set in Lambda.');
  if (config.tokenSecretPrefix === undefined) {
    throw new ConfigurationError('TOKEN_SECRET_PREFIX must be set in Lambda.');
  }
  return { tableName: config.tableName, tokenSecretPrefix: config.tokenSecretPrefix };
}
