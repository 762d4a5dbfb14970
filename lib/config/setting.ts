import type { SettingRule } from './setting-rules.js';

/**
 * One setting of the product: its rule, its default, and each name it goes by. The declarations are in
 * `settings.ts` (and `settings-webhooks.ts`, spread into it); this file holds only their shape, so that
 * both can use it without importing each other.
 */
export interface Setting<T> {
  /** Where the value is read at run time: in Lambda, in the local runtime (`npm start`), or neither. */
  readonly runtime: readonly ('lambda' | 'local')[];
  /** The environment variable Lambda and the local runtime read. */
  readonly env?: string;
  /** The `PageConversationsProps` property that sets it. */
  readonly prop?: string;
  /** The `-c key=value` context key of the CDK app. */
  readonly context?: string;
  readonly rule: SettingRule<T>;
  /** What applies when the setting is not given; undefined means "not set" (see the description). */
  readonly default: T | undefined;
  readonly description: string;
}

/** Keeps each entry's exact type (its env name, its value type) and checks its default against its rule. */
export function setting<S extends Setting<unknown>>(
  declared: S &
    (S extends { rule: SettingRule<infer T>; default: infer D }
      ? D extends T | undefined
        ? S
        : never
      : never),
): Readonly<S> {
  return Object.freeze(declared);
}
