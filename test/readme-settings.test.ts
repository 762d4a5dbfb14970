import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '#lib/config/settings.js';
import { renderEnvironmentTable, renderStackTable } from '#lib/config/settings-readme.js';

/**
 * The configuration tables of docs/configuration.md (the page the README links for settings) are
 * generated from the settings table (`settings-readme.ts`); this keeps them from drifting: every
 * variable, context key and prop a deployment can set is documented where users look, with the rule and
 * default the code applies. After a change to the table, run
 * `npx tsx test/support/render-readme-settings.ts` and commit the page it rewrites.
 */
const readme = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
const settings = Object.values(SETTINGS) as Array<{ env?: string; context?: string; prop?: string }>;

describe('docs/configuration.md documents every setting', () => {
  it('holds the variables table rendered from the settings table, exactly', () => {
    expect(readme).toContain(`${renderEnvironmentTable()}\n`);
  });

  it('holds the context and props table rendered from the settings table, exactly', () => {
    expect(readme).toContain(`${renderStackTable()}\n`);
  });

  it.each(settings.flatMap((setting) => (setting.env ? [setting.env] : [])))('variable %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  it.each(settings.flatMap((setting) => (setting.context ? [setting.context] : [])))(
    'context key %s',
    (name) => {
      expect(readme).toContain(`| \`${name}\` |`);
    },
  );

  it.each(settings.flatMap((setting) => (setting.prop ? [setting.prop] : [])))('prop %s', (name) => {
    expect(readme).toContain(`| \`${name}\``);
  });
});
