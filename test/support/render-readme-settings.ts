/**
 * Writes the two configuration tables of docs/configuration.md from the settings table (`npx tsx
 * test/support/render-readme-settings.ts`): after adding or changing a setting, run it and commit the
 * page. `test/readme-settings.test.ts` fails until the page holds exactly what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvironmentTable, renderStackTable } from '#lib/config/settings-readme.js';

const path = new URL('../../docs/configuration.md', import.meta.url);
const lines = readFileSync(path, 'utf8').split('\n');

/** Replaces the table whose header line matches with the rendered one. */
function replaceTable(header: RegExp, table: string): void {
  const start = lines.findIndex((line) => header.test(line));
  if (start < 0) throw new Error(`docs/configuration.md has no table whose header matches ${header}.`);
  let end = start;
  while (end < lines.length && lines[end]?.startsWith('|')) end += 1;
  lines.splice(start, end - start, ...table.split('\n'));
}

replaceTable(/^\| variable \| /, renderEnvironmentTable());
replaceTable(/^\| context \(`-c`\) \| prop \|/, renderStackTable());
writeFileSync(path, lines.join('\n'));
