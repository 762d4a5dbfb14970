/**
 * Builds entry points exactly as CDK's `NodejsFunction` builds this project's functions: CDK's own
 * bundler turns `FUNCTION_BUNDLING` (what `ProductFunction` passes to CDK) into its esbuild command line,
 * and the bench runs that command, adding only `--metafile` (which changes nothing in the output).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Metafile } from 'esbuild';
import { FUNCTION_BUNDLING } from '../../cdk/bundling-options.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_DIR = join(ROOT, '.bench');
const ESBUILD = join(ROOT, 'node_modules', '.bin', 'esbuild');

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

type BundlingStep = { type: 'spawn'; command: string[] } | { type: 'shell' | 'callback' };

/** CDK's bundler: not exported by aws-cdk-lib, so loaded by path (aws-cdk-lib is pinned). */
interface CdkBundling {
  createBundlingSteps(scope: Stack, options: Record<string, unknown>): BundlingStep[];
}
const { Bundling } = createRequire(import.meta.url)(
  join(ROOT, 'node_modules/aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js'),
) as { Bundling: new (scope: Stack, props: Record<string, unknown>) => CdkBundling };
const scope = new Stack(new App(), 'Bench');

/** The esbuild command CDK runs for `entry` (absolute) with this project's bundling options. */
export function cdkEsbuildCommand(entry: string, outputDir: string): string[] {
  const bundling = new Bundling(scope, {
    ...FUNCTION_BUNDLING,
    entry,
    // ProductFunction's runtime and architecture: CDK checks the format against the runtime.
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    projectRoot: ROOT,
  });
  const steps = bundling.createBundlingSteps(scope, {
    inputDir: ROOT,
    outputDir,
    pathJoin: join,
    esbuildRunner: [ESBUILD],
    createFileOps: () => [],
  });
  const [step, ...rest] = steps;
  if (step?.type !== 'spawn' || rest.length > 0) {
    throw new Error('CDK bundles in more than one esbuild step (command hooks?): the bench cannot follow.');
  }
  return step.command;
}

/** Bundles a repository file (e.g. `functions/api.ts`) into `.bench/bundles/<name>/index.mjs`. */
export function bundleEntry(name: string, entry: string): Bundle {
  const outputDir = join(BENCH_DIR, 'bundles', name);
  mkdirSync(outputDir, { recursive: true });
  const metafilePath = join(outputDir, 'meta.json');
  const [command, ...args] = cdkEsbuildCommand(join(ROOT, entry), outputDir);
  const result = spawnSync(
    command as string,
    [...args, `--metafile=${metafilePath}`, '--log-level=warning'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`esbuild failed for ${entry}: ${result.stderr}`);
  const file = join(outputDir, 'index.mjs');
  const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
  return { name, file, bytes: statSync(file).size, metafile };
}

/** Bundles source text the same way (written under `.bench/`): the floors of what a function needs. */
export function bundleSource(name: string, contents: string): Bundle {
  const dir = join(BENCH_DIR, 'entries');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${name}.ts`);
  writeFileSync(entry, contents);
  return bundleEntry(name, relative(ROOT, entry));
}

/** Bytes in the output per package (`own code` for this repository), largest first. */
export function composition(bundle: Bundle): Array<{ name: string; bytes: number }> {
  const output = Object.values(bundle.metafile.outputs).find((out) => out.entryPoint !== undefined);
  const sizes = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    sizes.set(name, (sizes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...sizes].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.slice(path.lastIndexOf('node_modules/')));
  if (match?.[1] === undefined) return 'own code';
  return match[1];
}
