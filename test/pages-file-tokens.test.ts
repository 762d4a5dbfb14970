import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';

describe('PAGE_TOKENS_FILE', () => {
  test('is re-read when it changes, also when replaced by a rename, as a local secret rotation', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'tokens-'));
    const path = join(dir, 'page-tokens.json');
    await writeFile(path, JSON.stringify({ '101': 'EMULATOR-TOKEN-first-value' }));
    const tokens = await FileTokenSource.fromFile(path, { watch: true });
    try {
      const before = await tokens.get('101');
      // Act: an editor's atomic save.
      await writeFile(
        `${path}.tmp`,
        JSON.stringify({ '101': 'EMULATOR-TOKEN-second-value', '102': 'EMULATOR-TOKEN-new-page' }),
      );
      await rename(`${path}.tmp`, path);
      // Assess
      await vi.waitFor(
        async () => expect((await tokens.get('101')).accessToken).toBe('EMULATOR-TOKEN-second-value'),
        {
          timeout: 5_000,
          interval: 100,
        },
      );
      const after = await tokens.get('101');
      expect(after.secretVersion).not.toBe(before.secretVersion);
      expect((await tokens.get('102')).accessToken).toBe('EMULATOR-TOKEN-new-page');
    } finally {
      tokens.close();
    }
  });
});
