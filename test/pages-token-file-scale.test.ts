import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forEachLimited } from '#lib/domain/concurrency.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { startHarness } from './support/harness.js';

/**
 * `PAGE_TOKENS_FILE` at scale: the local start checks every Page, and each check reads its token past
 * the cache (`reload`). With 10,000 Pages that once re-read and re-parsed the whole file 10,000 times
 * (634 s before `/health` answered). Parses are counted on `JSON.parse` itself, by the file's exact
 * text, so the count holds whatever the source does inside.
 */

const PAGES = 10_000;
const idOf = (i: number) => String(4_600_000_000_000_000 + i);
const tokenOf = (i: number, version = 'a') => `EMULATOR-TOKEN-${version}-${i}`;

function tokenFile(count: number, version = 'a'): string {
  const tokens: Record<string, string> = {};
  for (let i = 0; i < count; i++) tokens[idOf(i)] = tokenOf(i, version);
  return JSON.stringify(tokens);
}

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokens-scale-'));
  path = join(dir, 'page-tokens.json');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Counts the parses of exactly this text. */
function parsesOf(spy: { mock: { calls: unknown[][] } }, text: string): number {
  return spy.mock.calls.filter(([argument]) => argument === text).length;
}

describe('a tokens file of 10,000 Pages', () => {
  it('is parsed once while every Page reads its token past the cache, as the start-up checks do', async () => {
    // Prepare
    const text = tokenFile(PAGES);
    await writeFile(path, text);
    const parse = vi.spyOn(JSON, 'parse');
    const source = await FileTokenSource.fromFile(path);
    const ids = Array.from({ length: PAGES }, (_, i) => idOf(i));
    // Act: what the checks do, eight at a time.
    const tokens = new Map<string, string>();
    await forEachLimited(ids, 8, async (pageId) => {
      tokens.set(pageId, (await source.reload(pageId)).accessToken);
    });
    // Assess
    expect(parsesOf(parse, text)).toBe(1);
    expect(source.fileUsage.parses).toBe(1);
    expect(tokens.get(idOf(0))).toBe(tokenOf(0));
    expect(tokens.get(idOf(PAGES - 1))).toBe(tokenOf(PAGES - 1));
  });

  it('is parsed again once it changes, once however many ask at the same time', async () => {
    // Prepare
    await writeFile(path, tokenFile(PAGES));
    const source = await FileTokenSource.fromFile(path);
    const changed = tokenFile(PAGES, 'b');
    const parse = vi.spyOn(JSON, 'parse');
    // Act: an atomic save of new tokens, then a hundred Pages read theirs at once.
    await writeFile(`${path}.tmp`, changed);
    await rename(`${path}.tmp`, path);
    const read = await Promise.all(Array.from({ length: 100 }, (_, i) => source.reload(idOf(i))));
    // Assess
    expect(parsesOf(parse, changed)).toBe(1);
    expect(read.map((credentials) => credentials.accessToken)).toEqual(
      Array.from({ length: 100 }, (_, i) => tokenOf(i, 'b')),
    );
  });

  it('sees an edit in place of the same size right after it was read', async () => {
    // Prepare: the same length, so only the content tells the versions apart; written within the
    // file system's time resolution of the first read.
    await writeFile(path, JSON.stringify({ [idOf(0)]: tokenOf(0, 'a') }));
    const source = await FileTokenSource.fromFile(path);
    // Act
    await writeFile(path, JSON.stringify({ [idOf(0)]: tokenOf(0, 'b') }));
    const reloaded = await source.reload(idOf(0));
    // Assess
    expect(reloaded.accessToken).toBe(tokenOf(0, 'b'));
  });
});

describe('a tokens file that turns invalid', () => {
  it.each([
    ['not JSON any more', (file: string) => writeFile(file, '{"4600000000000000": "EMULATOR-TOK')],
    ['gone', (file: string) => rm(file)],
  ])('(%s) while Graph rejects the token: 502 page_token_invalid, not 500', async (_, spoil) => {
    // Prepare: the file's token is the Page's; then the file is spoiled, and Graph rejects the token.
    const page = seedPage(idOf(0), { perPartition: 2 });
    await writeFile(path, JSON.stringify({ [page.id]: page.accessToken }));
    const tokens = await FileTokenSource.fromFile(path);
    const harness = await startHarness({ emulator: { pages: [page] }, tokens });
    try {
      await spoil(path);
      harness.emulator.inject({
        kind: 'graph-error',
        pageId: page.id,
        status: 400,
        times: 2,
        error: {
          message: 'Error validating access token',
          type: 'OAuthException',
          code: 190,
          error_subcode: 460,
        },
      });
      // Act: the rejection makes the source read the file again, which fails.
      const answer = await harness.call(`/pages/${page.id}/conversations`);
      // Assess: the last good token stands, and its rejection is the answer.
      expect(answer.status).toBe(502);
      expect((answer.body as { error: { code: string } }).error.code).toBe('page_token_invalid');
    } finally {
      await harness.close();
    }
  });
});
