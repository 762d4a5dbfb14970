import type { Setting } from './setting.js';
import { SETTINGS } from './settings.js';

/**
 * The README's two configuration tables, rendered from the settings table: the variables Lambda and
 * `npm start` read, and the stack's context keys with their props. `test/readme-settings.test.ts`
 * holds the README to them; after a change to the table, `npx tsx test/support/render-readme-settings.ts`
 * rewrites them in the README.
 */

const ALL = Object.values(SETTINGS) as Setting<unknown>[];

const code = (text: string) => `\`${text}\``;

/** A default as an operator would type it: lists comma-joined, as `-c` and the environment take them. */
function shownDefault(value: unknown): string {
  if (value === undefined) return '';
  return code(Array.isArray(value) ? value.join(',') : String(value));
}

/** Who reads it: Lambda (and which functions cannot start without it), `npm start`. */
function readBy(setting: Setting<unknown>): string {
  return setting.runtime
    .map((where) =>
      where === 'local'
        ? '`npm start`'
        : setting.requiredBy === undefined
          ? 'Lambda'
          : `Lambda (required: ${setting.requiredBy.join(', ')})`,
    )
    .join(', ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The variables: name, who reads it, meaning, what it takes, default. */
export function renderEnvironmentTable(): string {
  const rows = ALL.flatMap((setting) =>
    setting.env === undefined
      ? []
      : [
          row([
            code(setting.env),
            readBy(setting),
            setting.description,
            setting.rule.accepts,
            shownDefault(setting.default),
          ]),
        ],
  );
  return [row(['variable', 'read by', 'meaning', 'takes', 'default']), '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

/**
 * The stack's settings: context key, prop, meaning, what the context takes, default. A prop marked
 * "the resource" takes the CDK object (a key, bus, secret or topic) that the context names by ARN or name.
 */
export function renderStackTable(): string {
  const rows = ALL.flatMap((setting) =>
    setting.context === undefined && setting.prop === undefined
      ? []
      : [
          row([
            setting.context === undefined ? '' : code(setting.context),
            setting.prop === undefined
              ? ''
              : `${code(setting.prop)}${setting.cdkResource === true ? ' (the resource)' : ''}`,
            setting.description,
            setting.rule.accepts,
            setting.propRequired === true
              ? `required; the app: ${shownDefault(setting.contextDefault)}`
              : shownDefault(setting.default),
          ]),
        ],
  );
  return [
    row(['context (`-c`)', 'prop', 'meaning', 'takes', 'default']),
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
