import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GRAPH_CODES,
  renderGraphErrorRows,
  renderTokenRejectionReasons,
} from '#lib/domain/graph-error-table.js';

/**
 * The Graph rows of the errors table in docs/api.md (the contract's page) are generated from the Graph
 * error table (`renderGraphErrorRows`); this keeps them from drifting. After a change to the table,
 * paste the rendered rows over the page's Graph rows (the failure message shows them). The token-health
 * paragraph, in docs/onboarding.md, names the token codes as the table does.
 */
const readDoc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');
const api = readDoc('api.md');
const onboarding = readDoc('onboarding.md');
// Prose wraps at any space; the table's rows do not.
const proseOf = (text: string) => text.replace(/\s+/g, ' ');
/** Every page that could carry a row about Graph codes: the README and every docs page. */
const everyPage = [
  readFileSync(new URL('../README.md', import.meta.url), 'utf8'),
  ...readdirSync(new URL('../docs/', import.meta.url))
    .filter((name) => name.endsWith('.md'))
    .map(readDoc),
];

describe('the docs say what the Graph error table says', () => {
  it('holds the rendered Graph rows of the errors table, exactly and together', () => {
    expect(api).toContain(`${renderGraphErrorRows()}\n`);
  });

  it('has no other row about Graph codes than the rendered ones', () => {
    const rendered = new Set(renderGraphErrorRows().split('\n'));
    const graphRows = everyPage
      .flatMap((page) => page.split('\n'))
      .filter((line) => /^\| Graph \d/.test(line));
    expect(graphRows.filter((row) => !rendered.has(row))).toEqual([]);
  });

  it("names a rejected token's reasons by subcode as the table does", () => {
    expect(proseOf(api)).toContain(`\`reason\`: ${renderTokenRejectionReasons()}.`);
  });

  it("names the token codes in the token-health paragraph as the table's", () => {
    const codes = GRAPH_CODES.filter((rule) => rule.class === 'token_invalid').map((rule) => rule.code);
    const spoken = `${codes.slice(0, -1).join(', ')} or ${codes.at(-1)}`;
    expect(proseOf(onboarding)).toContain(`A Graph ${spoken} makes the token source re-read the secret once`);
  });
});
