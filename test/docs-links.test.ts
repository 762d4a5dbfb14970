import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is a front page of three journeys and the rest of the documentation lives in docs/*.md,
 * so the pages hold together only by their links. This keeps them whole: every relative link points at
 * a file that exists and, with a `#fragment`, at a heading of that file (GitHub's anchors); every docs
 * page is reachable from the README; every Markdown table renders as one table on GitHub (a blank
 * line or a row with another number of cells breaks it, as the bench table's webhook rows once did);
 * and a snippet that shows one of docs/examples/ (which the package test runs as written) is that file.
 */

const ROOT = join(import.meta.dirname, '..');
const DOCS = join(ROOT, 'docs');
const README = join(ROOT, 'README.md');
const PAGES = [
  README,
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];

/** The lines of a page outside fenced code blocks, numbered from 1 (code is not rendered as links). */
function proseLines(path: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const marker = /^\s*(```|~~~)/.exec(text)?.[1];
      if (marker !== undefined && (fence === undefined || fence === marker)) {
        fence = fence === undefined ? marker : undefined;
        return;
      }
      if (fence === undefined) lines.push({ line: i + 1, text });
    });
  return lines;
}

/** Inline code spans removed: `[a](b)` inside backticks is text, not a link. */
const withoutCode = (text: string) => text.replace(/(`+)[^`]*?\1/g, '');

interface Link {
  from: string;
  line: number;
  target: string;
}

/** Every Markdown link `[text](target)` of a page's prose, with its line. */
function linksOf(path: string): Link[] {
  return proseLines(path).flatMap(({ line, text }) =>
    [...withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => ({
      from: path,
      line,
      target: match[1] ?? '',
    })),
  );
}

/**
 * GitHub's anchor for a heading (github-slugger): the rendered text lowercased, every character that is
 * not a letter, a digit, a space, `-` or `_` dropped, each space a `-`; a repeated anchor gets `-1`,
 * `-2`, ... in order.
 */
function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(path)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const rendered = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '')
      .replace(/<[^>]+>/g, '');
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return anchors;
}

/** The fenced code blocks of a page: their text, and the line of the opening fence. */
function codeBlocks(path: string): Array<{ line: number; code: string }> {
  const blocks: Array<{ line: number; code: string }> = [];
  let open: { line: number; fence: string; lines: string[] } | undefined;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const marker = /^\s*(```|~~~)/.exec(text)?.[1];
      if (open === undefined) {
        if (marker !== undefined) open = { line: i + 1, fence: marker, lines: [] };
      } else if (marker === open.fence) {
        blocks.push({ line: open.line, code: open.lines.join('\n') });
        open = undefined;
      } else {
        open.lines.push(text);
      }
    });
  return blocks;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);
const where = (link: Link) => `${relative(ROOT, link.from)}:${link.line} -> ${link.target}`;
const relativeLinks = PAGES.flatMap(linksOf).filter((link) => !isExternal(link.target));

/** The file a relative link names (the page itself for a bare `#fragment`), and its fragment. */
function resolveLink(link: Link): { file: string; fragment: string | undefined } {
  const [path = '', fragment] = link.target.split('#', 2);
  return {
    file: path === '' ? link.from : resolve(dirname(link.from), decodeURIComponent(path)),
    fragment: fragment === undefined ? undefined : decodeURIComponent(fragment),
  };
}

describe('the README and docs/*.md hold together', () => {
  it('find links to check in every page', () => {
    // The parser finds the README's links to its docs pages (a broken parser would pass everything).
    expect(PAGES.length).toBeGreaterThan(1);
    expect(relativeLinks.filter((link) => link.from === README).length).toBeGreaterThan(5);
  });

  it('link only to files that exist', () => {
    // Act
    const broken = relativeLinks.filter((link) => !existsSync(resolveLink(link).file)).map(where);

    // Assess
    expect(broken).toEqual([]);
  });

  it('link to #anchors that a heading of the target page makes, by GitHub rules', () => {
    // Prepare
    const anchors = new Map<string, Set<string>>();
    const anchorsIn = (file: string) => {
      let found = anchors.get(file);
      if (found === undefined) {
        found = anchorsOf(file);
        anchors.set(file, found);
      }
      return found;
    };

    // Act
    const broken = relativeLinks
      .filter((link) => {
        const { file, fragment } = resolveLink(link);
        if (fragment === undefined || !existsSync(file) || !file.endsWith('.md')) return false;
        return !anchorsIn(file).has(fragment);
      })
      .map(where);

    // Assess
    expect(broken).toEqual([]);
  });

  it('reach every docs page from the README, through the pages it links', () => {
    // Prepare
    const reached = new Set<string>([README]);
    const queue = [README];

    // Act: walk the links from the README, page by page.
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      for (const link of linksOf(page)) {
        if (isExternal(link.target)) continue;
        const { file } = resolveLink(link);
        if (file.endsWith('.md') && existsSync(file) && statSync(file).isFile() && !reached.has(file)) {
          reached.add(file);
          queue.push(file);
        }
      }
    }

    // Assess
    expect(PAGES.filter((page) => !reached.has(page)).map((page) => relative(ROOT, page))).toEqual([]);
  });

  it.each(PAGES.map((page) => [relative(ROOT, page), page] as const))(
    'render each table of %s as one table: a header, its delimiter row and rows of as many cells',
    (_, page) => {
      // Prepare: a table is a run of lines starting with `|`; its cells are split on unescaped pipes
      // outside inline code.
      const cells = (text: string) => withoutCode(text).split(/(?<!\\)\|/).length - 2;
      const lines = proseLines(page);
      const problems: string[] = [];

      // Act
      lines.forEach(({ line, text }, i) => {
        if (!text.startsWith('|')) return;
        const previous = lines[i - 1];
        const startsTable =
          previous === undefined || previous.line !== line - 1 || !previous.text.startsWith('|');
        if (startsTable) {
          const delimiter = lines[i + 1];
          if (delimiter === undefined || !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(delimiter.text)) {
            problems.push(`line ${line}: rows without a header and delimiter row (a blank line before it?)`);
          } else if (cells(delimiter.text) !== cells(text)) {
            problems.push(
              `line ${line}: the header has ${cells(text)} cells, its delimiter row another number`,
            );
          }
          return;
        }
        let header = i;
        while (
          header > 0 &&
          lines[header - 1]?.line === (lines[header]?.line ?? 0) - 1 &&
          lines[header - 1]?.text.startsWith('|')
        )
          header -= 1;
        const expected = cells(lines[header]?.text ?? '');
        if (cells(text) !== expected)
          problems.push(`line ${line}: ${cells(text)} cells, the header has ${expected}`);
      });

      // Assess
      expect(problems).toEqual([]);
    },
  );

  it('show the examples a test runs exactly as their files: a snippet that begins as one of docs/examples/ is that file', () => {
    // Prepare: each example by its first line, which says what it is.
    const examples = readdirSync(join(DOCS, 'examples')).map((name) => {
      const code = readFileSync(join(DOCS, 'examples', name), 'utf8').trimEnd();
      return { name, code, first: code.split('\n')[0] ?? '' };
    });
    const blocks = PAGES.flatMap((page) => codeBlocks(page).map((block) => ({ page, ...block })));

    // Act
    const shown = blocks.flatMap((block) => {
      const example = examples.find((candidate) => block.code.split('\n')[0] === candidate.first);
      return example === undefined ? [] : [{ ...block, example }];
    });

    // Assess: the README shows the client example and the deploy page the embedding one, each whole.
    expect(shown.map(({ page, example }) => `${relative(ROOT, page)}: ${example.name}`)).toEqual(
      expect.arrayContaining(['README.md: list-conversations.mjs', 'docs/deploy.md: embed.mjs']),
    );
    for (const { page, line, code, example } of shown) {
      expect(code, `${relative(ROOT, page)}:${line} shows docs/examples/${example.name}`).toBe(example.code);
    }
  });
});
