import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import { graphTruth } from './support/truth.js';

const run = promisify(execFile);
const EXAMPLE = new URL('../lib/client/example.ts', import.meta.url).pathname;

describe('the ten-line client example (lib/client/example.ts)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test.each(DEMO_PAGE_IDS.map((pageId) => [pageId]))(
    'run with node against the local API, it prints every inbox conversation of demo Page %s',
    async (pageId) => {
      // Prepare
      const truth = graphTruth(harness.emulator, pageId, 'messenger', 'inbox').map((c) => c.id);
      // Act: its own process, as a user runs it (asynchronously: this process serves the API).
      const { stdout } = await run(process.execPath, ['--import', 'tsx', EXAMPLE, harness.api.url, pageId]);
      // Assess: more than one page of the default 25, so the example followed a cursor.
      const printed = stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]);
      expect(truth.length).toBeGreaterThan(25);
      expect(printed).toEqual(truth);
    },
  );
});
