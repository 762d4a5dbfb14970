import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '#lib/config/settings.js';

/**
 * The README's configuration tables were generated from the settings table; this keeps them from
 * drifting: every variable and context key a deployment can set is documented where users look.
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const settings = Object.values(SETTINGS) as Array<{ env?: string; context?: string }>;

describe('the README documents every setting', () => {
  it.each(settings.flatMap((setting) => (setting.env ? [setting.env] : [])))('variable %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  it.each(settings.flatMap((setting) => (setting.context ? [setting.context] : [])))(
    'context key %s',
    (name) => {
      expect(readme).toContain(`| \`${name}\` |`);
    },
  );
});
