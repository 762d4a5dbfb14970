import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import {
  emulatorToken,
  type GraphEmulator,
  generatedPageIds,
  startGraphEmulator,
} from '#lib/local/graph-emulator.js';
import { type LocalRuntime, startLocalRuntime } from '#lib/local/local-runtime.js';
import { recordingLogger } from './support/harness.js';

/**
 * `npm start` with a tokens file and its schedule on (a round at start): each Page is read at start by
 * its check (profile, subscription) and listed by the round's run, and by nothing else: the round waits
 * for the checks, so that no run reads a Page's profile or subscription before its check records them.
 */

const GENERATED = { count: 40 };
const PAGE_IDS = generatedPageIds(GENERATED);

let dir: string | undefined;
let emulator: GraphEmulator | undefined;
let runtime: LocalRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  await emulator?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  [runtime, emulator, dir] = [undefined, undefined, undefined];
});

it('reads each Page at start with its check and lists it with the first round, nothing more', async () => {
  // Prepare: the emulator's generated Pages, subscribed, in a tokens file; every Graph call takes 20 ms,
  // so that a round started at once (a run: one call, ten at a time) would overtake the checks (two
  // calls, eight at a time).
  emulator = await startGraphEmulator({ generated: GENERATED, latencyMs: 20 });
  for (const pageId of PAGE_IDS) emulator.subscribe(pageId, ['messages']);
  dir = await mkdtemp(join(tmpdir(), 'start-calls-'));
  const tokensFile = join(dir, 'tokens.json');
  await writeFile(
    tokensFile,
    JSON.stringify(Object.fromEntries(PAGE_IDS.map((id) => [id, emulatorToken(id)]))),
  );
  const config = loadConfig({
    PORT: '0',
    PAGE_TOKENS_FILE: tokensFile,
    GRAPH_API_BASE_URL: emulator.url,
    SYNC_INTERVAL_SECONDS: '3600',
    SYNC_PLATFORMS: 'messenger',
    SYNC_FOLDERS: 'inbox',
  });
  // Act: start; the checks end; the first round runs and ends.
  runtime = await startLocalRuntime(config, {
    logger: recordingLogger(),
    endpointsFile: join(dir, 'runtime.json'),
  });
  await runtime.pagesChecked;
  await new Promise((resolve) => setImmediate(resolve));
  await runtime.schedule?.stop();
  // Assess: per Page, the profile and the subscription once (the check), the list once (the run).
  const calls = new Map<string, string[]>();
  for (const call of emulator.calls) {
    if (call.pageId === undefined) continue;
    const kind = call.path.endsWith('/conversations')
      ? 'list'
      : call.path.endsWith('/subscribed_apps')
        ? 'subscription'
        : 'profile';
    calls.set(call.pageId, [...(calls.get(call.pageId) ?? []), kind]);
  }
  expect(calls.size).toBe(PAGE_IDS.length);
  for (const pageId of PAGE_IDS)
    expect([pageId, (calls.get(pageId) ?? []).sort()]).toEqual([pageId, ['list', 'profile', 'subscription']]);
});
