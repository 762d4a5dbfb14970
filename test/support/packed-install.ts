import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * This repository packed and installed as a customer installs it, offline: npm takes every package from
 * this machine's cache (`--offline`), never the registry.
 *
 * How it stays offline and honest: a folder's lock file is this repository's, pruned to what the
 * folder's own dependencies reach (the tarball's declared `dependencies`, and whatever the folder lists
 * beside it), with each package's standard registry tarball URL, so that `npm ci` takes the very
 * versions tested here from the cache by their integrity. A dependency the package needs at run time
 * but does not declare is then missing, and the folder's import fails.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGISTRY = 'https://registry.npmjs.org';

type Json = Record<string, unknown>;
interface LockEntry {
  version?: string;
  resolved?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

/**
 * Where the throwaway folders go: npm writes thousands of files there (aws-cdk-lib alone is 160 MB) and
 * the test removes them again, which on a busy disk takes tens of seconds each way. A memory file
 * system, where the machine has one with room to spare (Linux's /dev/shm; a container's is often
 * 64 MB), does both in seconds.
 */
export function scratchRoot(): string {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize > 2 ** 30) return '/dev/shm';
  } catch {
    // No /dev/shm (macOS, Windows): the system's temporary folder.
  }
  return tmpdir();
}

/**
 * The environment of a customer's process: this one's, minus every `node_modules/.bin` on PATH (vitest
 * run by npm puts the repository's esbuild and tsx there), plus `extra`.
 */
export function customerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter);
  return { ...process.env, PATH: path, ...extra };
}

/** Runs a command to completion; its stdout, or an error with the end of its output. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = customerEnv()) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}):\n${(result.stdout + result.stderr).slice(-4000)}`,
    );
  }
  return result.stdout;
}

export interface Finished {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A command run without blocking this process, which may be serving the API the command calls or
 * running other commands meanwhile; resolves with how it ended, whatever its exit status.
 */
export function execute(
  command: string,
  args: string[],
  cwd: string,
  env = customerEnv(),
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `execute`, failing unless the command exits 0; its stdout. */
export async function runAsync(command: string, args: string[], cwd: string): Promise<string> {
  const { status, stdout, stderr } = await execute(command, args, cwd);
  if (status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${status}):\n${(stdout + stderr).slice(-4000)}`);
  }
  return stdout;
}

export interface Packed {
  /** The tarball's file name, in the folder it was packed to. */
  readonly filename: string;
  readonly size: number;
  readonly files: readonly { path: string; size: number }[];
}

/** What a copy of the repository leaves out: installed or built here, never packed from here. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', 'cdk.out', '.bench', '.local', 'coverage']);

export interface PackedCopy extends Packed {
  /** The copy of the repository that was packed, with its `dist/` as the tarball has it. */
  readonly copy: string;
}

/**
 * `npm pack` of the repository, with its `prepack` build, as a publish would run it: from a copy of the
 * working tree in `destination` (about 3 MB, its node_modules a link to this one's), so that the build
 * never rewrites this checkout's `dist/` under another run of this test.
 */
export function packRepository(destination: string): PackedCopy {
  const copy = join(destination, 'repository');
  cpSync(ROOT, copy, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(ROOT, source)) });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const output = run('npm', ['pack', '--json', '--pack-destination', destination], copy, process.env);
  const [packed] = JSON.parse(output) as Packed[];
  if (packed === undefined) throw new Error('npm pack packed nothing');
  return { ...packed, copy };
}

/** Where Node would find `name` from the package at `from` (a lock path), or undefined. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The repository's lock, pruned to what the folder's `dependencies` reach, with registry URLs. */
function folderLock(folder: { name: string; version: string; dependencies: Record<string, string> }): Json {
  const lock = readJson(join(ROOT, 'package-lock.json')) as { packages: Record<string, LockEntry> };
  const repo = readJson(join(ROOT, 'package.json'));
  const packages: Record<string, LockEntry> = {
    ...lock.packages,
    '': { name: folder.name, version: folder.version, dependencies: folder.dependencies },
    'node_modules/page-conversations': {
      version: repo.version as string,
      resolved: folder.dependencies['page-conversations'],
      dependencies: repo.dependencies as Record<string, string>,
      peerDependencies: repo.peerDependencies as Record<string, string>,
      peerDependenciesMeta: repo.peerDependenciesMeta as Record<string, { optional?: boolean }>,
    },
  };
  const reached = new Set<string>(['']);
  const queue = [''];
  while (queue.length > 0) {
    const path = queue.pop() as string;
    const entry = packages[path] as LockEntry;
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([name]) => name);
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers.includes(name)),
    ];
    for (const name of names) {
      const found = locate(packages, path, name);
      if (found !== undefined && !reached.has(found)) {
        reached.add(found);
        queue.push(found);
      }
    }
  }
  const pruned = Object.fromEntries(
    [...reached].map((path) => {
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[path] as LockEntry;
      if (path !== '' && entry.resolved === undefined && entry.link !== true) {
        const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        entry.resolved = `${REGISTRY}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
      }
      return [path, entry];
    }),
  );
  return { name: folder.name, version: folder.version, lockfileVersion: 3, requires: true, packages: pruned };
}

/**
 * A fresh folder `dir` whose package.json depends on the tarball and on `others` (names of this
 * repository's devDependencies, at the versions it tests with), installed offline with `npm ci`
 * (asynchronously: a test installs its folders at once).
 */
export async function installFolder(dir: string, tarball: string, others: readonly string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const devDependencies = readJson(join(ROOT, 'package.json')).devDependencies as Record<string, string>;
  const folder = {
    name: 'customer',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries(others.map((name) => [name, devDependencies[name] as string])),
      'page-conversations': `file:${tarball}`,
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(folder, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(folderLock(folder), null, 2));
  await runAsync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
}
