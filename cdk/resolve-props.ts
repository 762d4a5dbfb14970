import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { SettingInput } from '#lib/config/setting-rules.js';
import { SETTINGS, type Setting } from '#lib/config/settings.js';
import { CRON_INTERVAL_SECONDS, syncWorkersFor, webhookRateFor } from '#lib/config/stack-sizing.js';
import type { Folder, Platform } from '#lib/domain/vocabulary.js';
import type {
  ApiAuthorization,
  PageConversationsProps,
  ResolvedAuthorization,
} from './page-conversations-props.js';

/**
 * The construct's props resolved: each checked by its setting's rule (lib/config/settings.ts), the
 * defaults filled in, the computed ones computed. The props themselves, with their documentation, are
 * `page-conversations-props.ts`.
 */

/** Thrown at synth time for props that cannot work; the message names the prop and what it takes. */
export class PageConversationsPropsError extends Error {
  override readonly name = 'PageConversationsPropsError';
}

// The defaults and rules are the settings' own (lib/config/settings.ts), shared with Lambda's
// environment and the CDK app's context; these names stay for readers of the construct.
export const DEFAULT_SYNC_MINUTES = SETTINGS.syncScheduleMinutes.default;
export const DEFAULT_SYNC_PLATFORMS: readonly Platform[] = SETTINGS.syncPlatforms.default;
export const DEFAULT_SYNC_FOLDERS: readonly Folder[] = SETTINGS.syncFolders.default;
export const DEFAULT_EXPECTED_PAGES = SETTINGS.expectedPages.default;
/** The sync workers of a deployment with every default: 1,000 Pages every 15 minutes. */
export const DEFAULT_SYNC_CONCURRENCY = syncWorkersFor(DEFAULT_EXPECTED_PAGES, DEFAULT_SYNC_MINUTES * 60);
export const DEFAULT_MEMORY_SIZE = SETTINGS.memorySize.default;

type Settings = typeof SETTINGS;

/** The setting a prop belongs to (`authorization` has several: one per field). */
export type SettingOfProp<P extends string> = {
  [K in keyof Settings]: Settings[K] extends { readonly prop: P | `${P}.${string}` } ? Settings[K] : never;
}[keyof Settings];

/** The props whose default is computed from others (`expectedPages`, the schedule): always set once resolved. */
type ComputedProp = 'syncConcurrency' | 'webhookRateLimit';

/**
 * The props after validation: each with its setting's default filled in (a prop whose setting has no
 * default stays optional), the computed ones computed, the schedule as a `Schedule` and JWT scopes filled in.
 */
export type ResolvedProps = {
  readonly [P in keyof PageConversationsProps]-?: P extends 'syncSchedule'
    ? Schedule
    : P extends 'authorization'
      ? ResolvedAuthorization
      : P extends ComputedProp
        ? number
        : SettingOfProp<P> extends { readonly default: undefined }
          ? PageConversationsProps[P]
          : NonNullable<PageConversationsProps[P]>;
};

function fail(message: string): never {
  throw new PageConversationsPropsError(`PageConversations: ${message}`);
}

/** The prop's value by its setting's rule; `label` is how the message names it. */
function check<T>(setting: Setting<T>, value: SettingInput, label = setting.prop ?? ''): T {
  const checked = setting.rule.check(value);
  if (!checked.ok) fail(`${label} ${checked.problem}.`);
  return checked.value;
}

function schedule(value: Schedule | number | undefined): Schedule {
  if (value === undefined) return Schedule.rate(Duration.minutes(DEFAULT_SYNC_MINUTES));
  if (typeof value === 'number') {
    return Schedule.rate(
      Duration.minutes(check(SETTINGS.syncScheduleMinutes, value, 'syncSchedule in minutes')),
    );
  }
  const expression = value.expressionString;
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if ((rate && Number(rate[1]) >= 1) || /^cron\(.+\)$/.test(expression)) return value;
  fail(`syncSchedule must be a rate of at least 1 minute or a cron expression, not "${expression}".`);
}

function authorization(value: ApiAuthorization | undefined): ResolvedAuthorization {
  if (value === undefined) return { type: 'iam' };
  if (check(SETTINGS.authorization, value.type) === 'iam') return { type: 'iam' };
  const jwt = value as Extract<ApiAuthorization, { type: 'jwt' }>;
  return {
    type: 'jwt',
    issuer: check(SETTINGS.jwtIssuer, jwt.issuer ?? ''),
    audience: [...check(SETTINGS.jwtAudience, jwt.audience ?? [])],
    readScopes: check(SETTINGS.jwtReadScopes, jwt.readScopes ?? SETTINGS.jwtReadScopes.default),
    syncScopes: check(SETTINGS.jwtSyncScopes, jwt.syncScopes ?? SETTINGS.jwtSyncScopes.default),
    eraseScopes: check(SETTINGS.jwtEraseScopes, jwt.eraseScopes ?? SETTINGS.jwtEraseScopes.default),
  };
}

/** A rate schedule's interval in seconds; undefined for a cron expression, whose interval may vary. */
export function intervalSeconds(value: Schedule): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(value.expressionString);
  if (rate === null) return undefined;
  const unit = { minute: 60, hour: 3_600, day: 86_400 }[rate[2] as 'minute' | 'hour' | 'day'];
  return Number(rate[1]) * unit;
}

/** Each setting of a top-level prop, in the table's order (the fields of `authorization` excluded). */
const PROP_SETTINGS = (Object.values(SETTINGS) as Setting<unknown>[]).filter(
  (setting): setting is Setting<unknown> & { readonly prop: string } =>
    setting.prop !== undefined && !setting.prop.includes('.'),
);

/**
 * Checks every prop by its setting's rule and fills in the settings' defaults; throws
 * `PageConversationsPropsError` naming the prop. A resource prop (a key, bus, secret or topic) passes
 * as given; `RemovalPolicy` and `RetentionDays` pass the rules as they are (their values are the
 * rules' words and numbers).
 */
export function resolveProps(props: PageConversationsProps): ResolvedProps {
  const given = props as unknown as Readonly<Record<string, unknown>>;
  const resolved: Record<string, unknown> = {
    syncSchedule: schedule(props.syncSchedule),
    authorization: authorization(props.authorization),
  };
  for (const setting of PROP_SETTINGS) {
    // Resolved above: a number of minutes or a Schedule.
    if (setting.prop === 'syncSchedule') continue;
    const value = given[setting.prop];
    if (setting.cdkResource === true) resolved[setting.prop] = value;
    else if (value === undefined && setting.propRequired !== true) resolved[setting.prop] = setting.default;
    // A required prop left out (JavaScript callers) is refused by its rule, as an empty one is.
    else resolved[setting.prop] = check(setting, (value ?? '') as SettingInput);
  }
  // Left out, they follow from the Pages the deployment is sized for (lib/config/stack-sizing.ts).
  const expectedPages = resolved.expectedPages as number;
  const interval = intervalSeconds(resolved.syncSchedule as Schedule) ?? CRON_INTERVAL_SECONDS;
  resolved.syncConcurrency ??= syncWorkersFor(expectedPages, interval);
  resolved.webhookRateLimit ??= webhookRateFor(expectedPages);
  const result = resolved as ResolvedProps;
  if (result.jwtPageIdsClaim !== undefined && result.authorization.type !== 'jwt') {
    fail(
      'jwtPageIdsClaim names a JWT claim: it needs authorization { type: "jwt" }. Under IAM, scope callers by route ARN.',
    );
  }
  return result;
}
