import { ConfigurationError } from '../domain/errors.js';
import type { LambdaFunction, ReadValue } from './setting.js';
import { SETTINGS, type Setting } from './settings.js';

type Settings = typeof SETTINGS;

/** The settings read from the environment (those with a variable). */
type EnvSettingKey = {
  [K in keyof Settings]: Settings[K] extends { readonly env: string } ? K : never;
}[keyof Settings];

/**
 * Configuration, parsed once from the environment into a frozen object: one property per setting
 * with an environment variable, named as in `SETTINGS` and typed by its rule (with `undefined` when it
 * has no default). Lambda and the local runtime read the same names (see the contract); a bad value
 * fails at start with the variable's name. A setting added to the table is here with no other edit.
 */
export type Config = { readonly [K in EnvSettingKey]: ReadValue<Settings[K]> } & {
  /** True when neither a token file nor a Graph origin is configured: the local demo. */
  readonly demo: boolean;
};

/** The settings a Lambda function cannot start without (their `requiredBy` names it). */
type RequiredBy<F extends LambdaFunction> = {
  [K in EnvSettingKey]: Settings[K] extends { readonly requiredBy: readonly (infer N)[] }
    ? F extends N
      ? K
      : never
    : never;
}[EnvSettingKey];

/** `Config` as function `F` sees it after its start-up check: what it requires is set. */
export type LambdaConfig<F extends LambdaFunction> = Config & {
  readonly [K in RequiredBy<F>]-?: NonNullable<Config[K]>;
};

type Env = Readonly<Record<string, string | undefined>>;

/** The variable's value by its setting's rule; undefined when unset or blank. */
export function readSetting<T>(env: Env, setting: Setting<T> & { readonly env: string }): T | undefined {
  const raw = env[setting.env]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const checked = setting.rule.check(raw);
  if (!checked.ok) throw new ConfigurationError(`${setting.env} ${checked.problem}.`);
  return checked.value;
}

const ENTRIES = Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>;

/**
 * Parses the environment. Throws `ConfigurationError` naming the first variable that cannot work.
 * `runtime: 'lambda'` reads only the settings a function reads (`runtime` in the table); the local
 * ones (`PORT`, `EVENTS_FILE`, `LOG_LEVEL`...) keep their defaults there, whatever the environment says.
 */
export function loadConfig(env: Env = process.env, runtime?: 'lambda'): Config {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of ENTRIES) {
    if (setting.env === undefined) continue;
    const read =
      runtime === undefined || setting.runtime.includes(runtime)
        ? readSetting(env, { ...setting, env: setting.env })
        : undefined;
    const value = read ?? setting.default;
    values[key] = Array.isArray(value) ? Object.freeze([...value]) : value;
  }
  const { metaAppSecret, webhookVerifyToken, graphApiBaseUrl } = SETTINGS;
  if ((values.metaAppSecret === undefined) !== (values.webhookVerifyToken === undefined)) {
    throw new ConfigurationError(
      `${metaAppSecret.env} and ${webhookVerifyToken.env} are set together or not at all.`,
    );
  }
  // The demo is the local runtime's: neither a Graph origin nor a token file given.
  values.demo =
    runtime === undefined &&
    readSetting(env, graphApiBaseUrl) === undefined &&
    values.pageTokensFile === undefined;
  return Object.freeze(values) as Config;
}

/**
 * The configuration of Lambda function `fn`: the settings Lambda reads, and a `ConfigurationError` at
 * cold start naming every setting the table says `fn` requires and the environment lacks (not on the
 * first request). The stack sets them all; the CDK app test checks that it does.
 */
export function loadLambdaConfig<F extends LambdaFunction>(fn: F, env: Env = process.env): LambdaConfig<F> {
  const config = loadConfig(env, 'lambda');
  const missing = ENTRIES.filter(
    ([key, setting]) =>
      setting.requiredBy?.includes(fn) === true && (config as Record<string, unknown>)[key] === undefined,
  ).map(([, setting]) => setting.env);
  if (missing.length > 0) {
    const names =
      missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
    throw new ConfigurationError(`${names} must be set in Lambda (function ${fn}).`);
  }
  return config as LambdaConfig<F>;
}
