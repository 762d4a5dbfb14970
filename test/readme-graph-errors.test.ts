import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GRAPH_CODES,
  renderGraphErrorRows,
  renderTokenRejectionReasons,
} from '#lib/domain/graph-error-table.js';

/**
 * The README's Graph rows of its errors table are generated from the Graph error table
 * (`renderGraphErrorRows`); this keeps them from drifting. After a change to the table, paste the
 * rendered rows over the README's Graph rows (the failure message shows them).
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
// Prose wraps at any space; the table's rows do not.
const prose = readme.replace(/\s+/g, ' ');

describe('the README says what the Graph error table says', () => {
  it('holds the rendered Graph rows of the errors table, exactly and together', () => {
    expect(readme).toContain(`${renderGraphErrorRows()}\n`);
  });

  it('has no other row about Graph codes than the rendered ones', () => {
    const rendered = new Set(renderGraphErrorRows().split('\n'));
    const graphRows = readme.split('\n').filter((line) => /^\| Graph \d/.test(line));
    expect(graphRows.filter((row) => !rendered.has(row))).toEqual([]);
  });

  it("names a rejected token's reasons by subcode as the table does", () => {
    expect(prose).toContain(`\`reason\`: ${renderTokenRejectionReasons()}.`);
  });

  it("names the token codes in the token-health paragraph as the table's", () => {
    const codes = GRAPH_CODES.filter((rule) => rule.class === 'token_invalid').map((rule) => rule.code);
    const spoken = `${codes.slice(0, -1).join(', ')} or ${codes.at(-1)}`;
    expect(prose).toContain(`A Graph ${spoken} makes the token source re-read the secret once`);
  });
});
