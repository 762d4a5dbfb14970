import { ConfigurationError } from '../domain/errors.js';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '../domain/vocabulary.js';

/**
 * Configuration, parsed once from the environment into a frozen object. Lambda and the local runtime
 * read the same names (see the contract); a bad value fails at start with the variable's name.
 */
export interface Config {
  readonly port: number;
  readonly graph: { readonly baseUrl: string; readonly version: string };
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
  /** True when neither a token file nor a Graph origin is configured: the local demo. */
  readonly demo: boolean;
}

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v24.0';

type Env = Readonly<Record<string, string | undefined>>;

function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigurationError(`${name} must be a whole number from ${min} to ${max}, not "${raw}".`);
  }
  return Number(raw);
}

function list<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const raw = optionalString(env, name);
  if (raw === undefined) return [...fallback];
  const values = raw.split(',').map((value) => value.trim().toLowerCase());
  const unknown = values.filter((value) => !(allowed as readonly string[]).includes(value));
  if (unknown.length > 0 || values.length === 0) {
    throw new ConfigurationError(`${name} takes a comma list of ${allowed.join(', ')}; got "${raw}".`);
  }
  return [...new Set(values as T[])];
}

function url(env: Env, name: string): string | undefined {
  const raw = optionalString(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigurationError(`${name} must be an absolute http(s) URL, not "${raw}".`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigurationError(`${name} must be an http(s) URL, not "${raw}".`);
  }
  return parsed.origin;
}

/** Parses the environment. Throws `ConfigurationError` naming the first variable that cannot work. */
export function loadConfig(env: Env = process.env): Config {
  const graphBaseUrl = url(env, 'GRAPH_API_BASE_URL');
  const pageTokensFile = optionalString(env, 'PAGE_TOKENS_FILE');
  const version = optionalString(env, 'GRAPH_API_VERSION') ?? DEFAULT_GRAPH_VERSION;
  if (!/^v\d+\.\d+$/.test(version)) {
    throw new ConfigurationError(`GRAPH_API_VERSION must look like v24.0, not "${version}".`);
  }
  return Object.freeze({
    port: wholeNumber(env, 'PORT', 3000, 0, 65_535),
    graph: Object.freeze({ baseUrl: graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL, version }),
    tableName: optionalString(env, 'TABLE_NAME'),
    dynamodbEndpoint: url(env, 'DYNAMODB_ENDPOINT'),
    tokenSecretPrefix: optionalString(env, 'TOKEN_SECRET_PREFIX'),
    pageTokensFile,
    sync: Object.freeze({
      platforms: Object.freeze(list(env, 'SYNC_PLATFORMS', PLATFORMS, PLATFORMS)),
      folders: Object.freeze(list(env, 'SYNC_FOLDERS', FOLDERS, ['inbox', 'other'])),
      intervalSeconds: wholeNumber(env, 'SYNC_INTERVAL_SECONDS', 300, 0, 86_400),
      maxGraphCalls: optionalString(env, 'SYNC_MAX_GRAPH_CALLS')
        ? wholeNumber(env, 'SYNC_MAX_GRAPH_CALLS', 0, 1, 1_000_000)
        : undefined,
      queueUrl: optionalString(env, 'SYNC_QUEUE_URL'),
    }),
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
