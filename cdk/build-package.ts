/**
 * `npm pack` (its `prepack` script) runs this: what the package ships, built into `dist/`.
 *
 *   dist/cdk/, dist/lib/   the construct and the typed client, compiled to ESM JavaScript with `.d.ts`
 *                          (`tsconfig.build.json`), and what they import of `lib/`
 *   dist/package.json      `"type": "module"` and the `#lib/*` imports, so that the compiled files
 *                          resolve `#lib/...` to `dist/lib/...` as the sources resolve it to `lib/...`
 *   dist/bundles/<name>/   each function of `functions/` bundled by CDK's own `NodejsFunction` bundler
 *                          with `ProductFunction`'s settings (`sourceBundling`): the construct deploys
 *                          these, so a customer's synth needs neither esbuild nor Docker
 *
 * It lives in `cdk/` beside `bundling-options.ts` and `product-function.ts`, the two files whose output
 * it produces and which read it. Progress goes to stderr: `npm pack --json` owns stdout.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME } from './bundling-options.js';
import { bundleName, sourceBundling } from './product-function.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** The files a bundle folder holds, as `NodejsFunction` writes them with `sourceMap: true`. */
const BUNDLE_FILES = ['index.mjs', 'index.mjs.map'];

/** A failed build step: `npm pack` then stops and ships nothing. */
export class PackageBuildError extends Error {
  override readonly name = 'PackageBuildError';
}

const log = (line: string) => process.stderr.write(`build-package: ${line}\n`);

/** tsc with `tsconfig.build.json`; its diagnostics (on stdout) are passed on to stderr. */
function compile(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  process.stderr.write(result.stdout + result.stderr);
  if (result.status !== 0)
    throw new PackageBuildError(`tsc -p tsconfig.build.json failed (${result.status})`);
  // `#lib/*` resolves from the nearest package.json; this one makes it the compiled lib/ (Node and tsc).
  writeFileSync(
    join(DIST, 'package.json'),
    `${JSON.stringify({ type: 'module', imports: { '#lib/*': './lib/*' } }, null, 2)}\n`,
  );
}

/** The entry points: every `.ts` file of `functions/`, each one Lambda function. */
export function functionEntries(): string[] {
  return readdirSync(join(ROOT, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => `functions/${file}`);
}

/**
 * Bundles every entry exactly as a checkout's synth does: a `NodejsFunction` with `sourceBundling`,
 * staged by a throwaway CDK app, whose asset folders are then copied to `dist/bundles/<name>/`.
 */
function bundle(entries: readonly string[]): void {
  const outdir = mkdtempSync(join(tmpdir(), 'page-conversations-bundles-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundles');
    const functions = entries.map(
      (entry) =>
        [
          entry,
          new NodejsFunction(stack, bundleName(entry), {
            ...sourceBundling(entry),
            runtime: FUNCTION_RUNTIME,
            architecture: FUNCTION_ARCHITECTURE,
          }),
        ] as const,
    );
    // Only the assets matter here: CDK's CloudFormation rule check of this throwaway template is waste.
    process.env.CDK_VALIDATION = 'false';
    app.synth();
    for (const [entry, fn] of functions) {
      const code = stack.resolve((fn.node.defaultChild as CfnFunction).code) as { s3Key: string };
      const staged = join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
      const files = readdirSync(staged).sort();
      if (files.join() !== BUNDLE_FILES.join()) {
        throw new PackageBuildError(
          `${entry} bundled to ${files.join(', ')}, not ${BUNDLE_FILES.join(', ')}`,
        );
      }
      const target = join(DIST, 'bundles', bundleName(entry));
      mkdirSync(target, { recursive: true });
      cpSync(staged, target, { recursive: true });
      log(`${bundleName(entry)}: ${Math.round(statSync(join(target, 'index.mjs')).size / 1024)} KB`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Builds `dist/` from scratch: a stale file never ships. */
export function buildPackage(): void {
  rmSync(DIST, { recursive: true, force: true });
  log('compiling the construct and the client (tsconfig.build.json)');
  compile();
  const entries = functionEntries();
  log(`bundling ${entries.length} functions`);
  bundle(entries);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildPackage();
