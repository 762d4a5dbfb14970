import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '#lib/config/setting.js';
import { DEMO_WEBHOOK_SECRETS } from '#lib/local/local-webhook-secrets.js';
import { FUNCTION_BUNDLING } from '../cdk/bundling-options.js';

/**
 * What each Lambda bundle is made of: the AWS implementations only. The local runtime's stand-ins (the
 * in-process sync runner, the EVENTS_FILE sink, the file token source, the demo's webhook secrets, all
 * of lib/local) are `npm start`'s; a function that imported one would carry it and could fall back on
 * it in AWS. Built with esbuild as CDK builds the functions (same entry, format, fields and aliases),
 * unminified and unwritten: only the metafile's inputs and the output text are read.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Inputs no Lambda bundle may hold, each with why. */
const LOCAL_ONLY: ReadonlyArray<[RegExp, string]> = [
  [/^lib\/local\//, 'the local runtime'],
  [/(^|\/)file-sink\.ts$/, "EVENTS_FILE's sink"],
  [/(^|\/)in-process-(sync-)?runner\.ts$/, 'the in-process sync runner'],
  [/^lib\/tokens\/file-token-source\.ts$/, 'the file token source (PAGE_TOKENS_FILE)'],
  [/^lib\/webhooks\/in-process-refresh-queue\.ts$/, 'the in-process refresh queue'],
];

async function bundle(fn: string): Promise<{ inputs: string[]; text: string; bytes: number }> {
  const alias = Object.fromEntries(
    Object.entries(FUNCTION_BUNDLING.esbuildArgs).map(([flag, target]) => [
      flag.replace('--alias:', ''),
      target,
    ]),
  );
  const result = await build({
    entryPoints: [`functions/${fn}.ts`],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: FUNCTION_BUNDLING.target,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    alias,
    logLevel: 'silent',
  });
  const text = result.outputFiles.map((file) => file.text).join('');
  return { inputs: Object.keys(result.metafile.inputs), text, bytes: Buffer.byteLength(text) };
}

describe('the Lambda bundles hold no local stand-in', () => {
  it.each(LAMBDA_FUNCTIONS.map((fn) => [fn]))(
    'functions/%s.ts',
    async (fn) => {
      // Act
      const { inputs, text } = await bundle(fn);

      // Assess
      const own = inputs.filter((input) => !input.includes('node_modules/'));
      expect(own).toContain(`functions/${fn}.ts`);
      const local = own.flatMap((input) =>
        LOCAL_ONLY.filter(([pattern]) => pattern.test(input)).map(([, what]) => `${input} (${what})`),
      );
      expect(local).toEqual([]);
      // Asserted as booleans: a failing toContain would print the whole bundle.
      expect(text.includes(DEMO_WEBHOOK_SECRETS.appSecret), "the demo's app secret").toBe(false);
      expect(text.includes(DEMO_WEBHOOK_SECRETS.verifyToken), "the demo's verify token").toBe(false);
    },
    // esbuild bundles the AWS SDK clients in a second or two; a loaded 2-core machine may take longer.
    60_000,
  );
});
