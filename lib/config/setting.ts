import type { SettingRule } from './setting-rules.js';

/**
 * The Lambda functions of the product, by the name of their entry point (`functions/<name>.ts`): what a
 * setting's `requiredBy` names.
 */
export const LAMBDA_FUNCTIONS = [
  'api',
  'sync-schedule',
  'sync-worker',
  'webhook-receiver',
  'webhook-refresh',
  'erasure',
] as const;
export type LambdaFunction = (typeof LAMBDA_FUNCTIONS)[number];

/**
 * One setting of the product: its rule, its default, and each name it goes by. The declarations are in
 * `settings.ts` (and the files spread into it); this file holds only their shape, so that all of them
 * can use it without importing each other. Everything else is derived from the declarations: `Config`
 * and its reader, the Lambda start-up checks, the construct's resolved props, the CDK app's context map
 * and the README's tables.
 */
export interface Setting<T> {
  /** Where the value is read at run time: in Lambda, in the local runtime (`npm start`), or neither. */
  readonly runtime: readonly ('lambda' | 'local')[];
  /** The environment variable Lambda and the local runtime read. */
  readonly env?: string;
  /**
   * The Lambda functions that cannot start without it: each fails at cold start naming it
   * (`loadLambdaConfig`), and the stack must set it on each (the CDK app test checks the template).
   */
  readonly requiredBy?: readonly LambdaFunction[];
  /** The `PageConversationsProps` property that sets it (`authorization.issuer`: a field of that prop). */
  readonly prop?: string;
  /** True when the construct cannot do without it: the prop is required, and the CDK app fills in `contextDefault`. */
  readonly propRequired?: boolean;
  /**
   * True when the prop takes the CDK resource itself (an `IKey`, `IEventBus`, `ISecret`, `ITopic`) and the
   * context and the environment name it (ARN or name): the rule checks the name, the construct the rest.
   */
  readonly cdkResource?: boolean;
  /** The `-c key=value` context key of the CDK app. */
  readonly context?: string;
  /** What the CDK app passes when the context leaves it out (a prop the construct requires). */
  readonly contextDefault?: T;
  readonly rule: SettingRule<T>;
  /** What applies when the setting is not given; undefined means "not set" (see the description). */
  readonly default: T | undefined;
  readonly description: string;
}

/** Keeps each entry's exact type (its env name, its value type) and checks its default against its rule. */
export function setting<const S extends Setting<unknown>>(
  declared: S &
    (S extends { rule: SettingRule<infer T>; default: infer D }
      ? D extends T | undefined
        ? S
        : never
      : never),
): Readonly<S> {
  return Object.freeze(declared);
}

/** The value type of a setting, from its rule. */
export type SettingValue<S> = S extends { readonly rule: SettingRule<infer T> } ? T : never;

/** A setting's value once read: its rule's type, or `undefined` too when it has no default. */
export type ReadValue<S> = S extends { readonly default: undefined }
  ? SettingValue<S> | undefined
  : SettingValue<S>;
