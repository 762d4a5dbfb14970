/**
 * The kinds of value a setting can take, each with its one check. The same check serves an
 * environment variable (a string), a CDK context value (a string, or whatever cdk.json holds) and a
 * CDK prop (a typed value), so a rule is written once however the value arrives. A check returns the
 * problem without a name; the caller knows how the setting was spelled where it came from and
 * prefixes that (`SYNC_FOLDERS`, `-c folders=`, `syncFolders`).
 */

/** Characters Secrets Manager allows in a secret name. */
export const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]+$/;

/** A setting's value as it arrives: env and `-c` give strings, props and cdk.json may give others. */
export type SettingInput = string | number | boolean | readonly string[];

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

export interface SettingRule<T> {
  readonly kind:
    | 'whole number'
    | 'enum'
    | 'enum list'
    | 'url'
    | 'graph version'
    | 'text'
    | 'text list'
    | 'boolean';
  /** What the rule accepts, in words, for documentation. */
  readonly accepts: string;
  check(input: SettingInput): Checked<T>;
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const problem = <T>(text: string): Checked<T> => ({ ok: false, problem: text });

/** How a rejected value is quoted in a message: strings in quotes, numbers and lists as they are. */
function shown(input: SettingInput): string {
  if (typeof input === 'string') return `"${input}"`;
  if (Array.isArray(input)) return `[${input.join(', ')}]`;
  return String(input);
}

function asText(input: SettingInput): string | undefined {
  return typeof input === 'string' ? input.trim() : undefined;
}

/** Digits only from text (no sign, exponent or fraction); an integer from a typed number. */
export function wholeNumber(min: number, max?: number): SettingRule<number> {
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
  return {
    kind: 'whole number',
    accepts: `a whole number ${range}`,
    check(input) {
      const text = asText(input);
      const value = text === undefined ? input : /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < min ||
        (max !== undefined && value > max)
      ) {
        return problem(`must be a whole number ${range}, not ${shown(input)}`);
      }
      return ok(value);
    },
  };
}

/** A whole number from a fixed list (e.g. the retention periods CloudWatch Logs offers). */
export function wholeNumberIn(values: readonly number[]): SettingRule<number> {
  const choice = `one of ${values.join(', ')}`;
  return {
    kind: 'whole number',
    accepts: choice,
    check(input) {
      const text = asText(input);
      const value = text === undefined ? input : /^\d+$/.test(text) ? Number(text) : Number.NaN;
      return typeof value === 'number' && values.includes(value)
        ? ok(value)
        : problem(`must be ${choice}, not ${shown(input)}`);
    },
  };
}

/** `true` or `false`, from text (any case) or a typed boolean. */
export function yesNo(): SettingRule<boolean> {
  return {
    kind: 'boolean',
    accepts: 'true or false',
    check(input) {
      if (typeof input === 'boolean') return ok(input);
      const text = asText(input)?.toLowerCase();
      if (text === 'true' || text === 'false') return ok(text === 'true');
      return problem(`must be true or false, not ${shown(input)}`);
    },
  };
}

/** One of `values`, compared case-blind; `expected` words the choice where the values alone do not. */
export function oneOf<T extends string>(values: readonly T[], expected?: string): SettingRule<T> {
  const choice = expected ?? values.map((value) => `"${value}"`).join(' or ');
  return {
    kind: 'enum',
    accepts: choice,
    check(input) {
      const text = asText(input)?.toLowerCase();
      const found = values.find((value) => value === text);
      return found === undefined ? problem(`must be ${choice}, not ${shown(input)}`) : ok(found);
    },
  };
}

/**
 * One or more of `values`: a comma list from text or a list from props; case-blind, empty entries
 * and repeats dropped, returned in the order of `values` so equal settings compare equal.
 */
export function someOf<T extends string>(values: readonly T[]): SettingRule<readonly T[]> {
  return {
    kind: 'enum list',
    accepts: `one or more of ${values.join(', ')}`,
    check(input) {
      const items = typeof input === 'string' ? input.split(',') : Array.isArray(input) ? input : [];
      const given = items.map((item) => String(item).trim().toLowerCase()).filter((item) => item !== '');
      const unknown = given.filter((item) => !(values as readonly string[]).includes(item));
      if (given.length === 0 || unknown.length > 0) {
        return problem(
          typeof input === 'string'
            ? `takes a comma list of ${values.join(', ')}; got ${shown(input)}`
            : `takes one or more of ${values.join(', ')}; got ${shown(input)}`,
        );
      }
      return ok(values.filter((value) => given.includes(value)));
    },
  };
}

/** Hosts a plain-http URL may name: this machine only, so nothing leaves it in clear text. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

export interface UrlRuleOptions {
  /**
   * `https`: https only. `https-or-loopback-http`: http too, but only to this machine (tests, a local
   * emulator). `http-or-https`: either, anywhere (an endpoint that signs its requests).
   */
  readonly transport: 'https' | 'https-or-loopback-http' | 'http-or-https';
  /** True keeps only the origin (scheme, host, port); false keeps the URL as given. */
  readonly origin: boolean;
  /** The "must be ..." words. */
  readonly expected: string;
}

/** An absolute URL whose scheme (and, for plain http, host) the transport allows. */
export function url(options: UrlRuleOptions): SettingRule<string> {
  return {
    kind: 'url',
    accepts: options.expected,
    check(input) {
      const text = asText(input);
      let parsed: URL | undefined;
      try {
        parsed = text === undefined ? undefined : new URL(text);
      } catch {
        parsed = undefined;
      }
      const allowed =
        parsed !== undefined &&
        (parsed.protocol === 'https:' ||
          (parsed.protocol === 'http:' &&
            (options.transport === 'http-or-https' ||
              (options.transport === 'https-or-loopback-http' && isLoopbackHost(parsed.hostname)))));
      if (!allowed || parsed === undefined || text === undefined) {
        return problem(`must be ${options.expected}, not ${shown(input)}`);
      }
      return ok(options.origin ? parsed.origin : text);
    },
  };
}

/** Graph's version path segment, e.g. `v24.0`. */
export function graphVersion(): SettingRule<string> {
  return {
    kind: 'graph version',
    accepts: 'a Graph API version like v24.0',
    check(input) {
      const text = asText(input);
      return text !== undefined && /^v\d+\.\d+$/.test(text)
        ? ok(text)
        : problem(`must look like v24.0, not ${shown(input)}`);
    },
  };
}

export interface TextRuleOptions {
  readonly pattern?: RegExp;
  readonly maxLength?: number;
  /** The "must be ..." words when `pattern` or `maxLength` rejects a value. */
  readonly expected?: string;
}

/** Non-empty text, optionally of a pattern and a length. */
export function text(options: TextRuleOptions = {}): SettingRule<string> {
  const expected = options.expected ?? 'non-empty text';
  return {
    kind: 'text',
    accepts: expected,
    check(input) {
      const value = asText(input);
      if (
        value === undefined ||
        value === '' ||
        (options.pattern !== undefined && !options.pattern.test(value)) ||
        (options.maxLength !== undefined && value.length > options.maxLength)
      ) {
        return problem(`must be ${expected}; got ${shown(input)}`);
      }
      return ok(value);
    },
  };
}

/** A Secrets Manager secret, by its name or ARN (the stack passes ARNs; an operator may give a name). */
export function secretNameOrArn(): SettingRule<string> {
  return text({
    pattern: new RegExp(
      `^(arn:[^:]+:secretsmanager:[^:]+:\\d{12}:secret:)?${SECRET_NAME_CHARACTERS.source.slice(1)}`,
    ),
    maxLength: 2048,
    expected: "a secret's name (A-Z a-z 0-9 / _ + = . @ -) or ARN",
  });
}

/** One or more non-empty strings: a comma list from text or a list from props. */
export function textList(item: string): SettingRule<readonly string[]> {
  return {
    kind: 'text list',
    accepts: `one or more ${item}, comma-separated`,
    check(input) {
      const items = typeof input === 'string' ? input.split(',') : Array.isArray(input) ? input : [];
      const trimmed = items.map((entry) => String(entry).trim());
      // From text, a trailing comma is harmless; from props, an empty entry is a mistake to report.
      const values = typeof input === 'string' ? trimmed.filter((entry) => entry !== '') : trimmed;
      if (values.length === 0 || values.some((entry) => entry === '')) {
        return problem(`must list at least one non-empty ${item}; got ${shown(input)}`);
      }
      return ok(values);
    },
  };
}
