import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The construct as a customer's platform team uses it: this repository packed (`npm pack`), installed
 * from the tarball into a fresh CDK app outside the repository, and synthesized there with real esbuild
 * bundling. Offline: npm installs from this machine's cache only (`--offline`), never the registry.
 *
 * How it stays offline and honest: the app's lock file is this repository's, pruned to what the app's
 * own dependencies reach (the tarball's declared `dependencies`, and the CDK toolchain a customer app
 * has: aws-cdk-lib, constructs, esbuild, tsx), with each package's standard registry tarball URL, so
 * that `npm ci` takes the very versions tested here from the cache by their integrity. A dependency the
 * functions need but the package does not declare is then missing, and bundling fails.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGISTRY = 'https://registry.npmjs.org';
/** npm ci of about 100 MB from the cache, then five esbuild bundles: slow on a busy 2-core machine. */
const INSTALL_AND_SYNTH_TIMEOUT = 300_000;

/**
 * Where the throwaway app goes: npm writes about 14,000 files (240 MB) there and the test removes them
 * again, which on a busy disk takes tens of seconds each way. A memory file system, where the machine
 * has one with room to spare (Linux's /dev/shm; a container's is often 64 MB), does both in seconds.
 */
function scratchRoot(): string {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize > 2 ** 30) return '/dev/shm';
  } catch {
    // No /dev/shm (macOS, Windows): the system's temporary folder.
  }
  return tmpdir();
}

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

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
  }
  return result.stdout;
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

/** The repository's lock, pruned to what `dependencies` reach, with registry URLs, for the app. */
function appLock(app: Json, tarballSpec: string): Json {
  const lock = readJson(join(ROOT, 'package-lock.json')) as { packages: Record<string, LockEntry> };
  const repo = readJson(join(ROOT, 'package.json'));
  const packages: Record<string, LockEntry> = {
    ...lock.packages,
    '': {
      name: app.name,
      version: app.version as string,
      dependencies: app.dependencies as Record<string, string>,
    },
    'node_modules/page-conversations': {
      version: repo.version as string,
      resolved: tarballSpec,
      dependencies: repo.dependencies as Record<string, string>,
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
      const { dev: _dev, devOptional: _devOptional, ...entry } = packages[path] as LockEntry;
      if (path !== '' && entry.resolved === undefined && entry.link !== true) {
        const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        entry.resolved = `${REGISTRY}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
      }
      return [path, entry];
    }),
  );
  return { name: app.name, version: app.version, lockfileVersion: 3, requires: true, packages: pruned };
}

const CUSTOMER_APP = `import { App, Stack } from 'aws-cdk-lib';
import { PageConversations } from 'page-conversations';

const app = new App();
const stack = new Stack(app, 'CustomerStack');
new PageConversations(stack, 'Conversations', { tokenSecretPrefix: 'acme/page-' });
app.synth();
`;

describe('the packed construct in a fresh CDK app', () => {
  let work: string;
  let outdir: string;
  beforeAll(() => {
    work = mkdtempSync(join(scratchRoot(), 'page-conversations-install-'));
    outdir = join(work, 'app', 'cdk.out');
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('installs offline from the tarball and synthesizes with real bundling of every function', {
    timeout: INSTALL_AND_SYNTH_TIMEOUT,
  }, () => {
    // Prepare: the tarball, and an app that depends on it and on the CDK toolchain only.
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = packed[0]?.filename as string;
    const appDir = join(work, 'app');
    run('mkdir', ['-p', appDir], work);
    const devDependencies = readJson(join(ROOT, 'package.json')).devDependencies as Record<string, string>;
    const toolchain = ['aws-cdk-lib', 'constructs', 'esbuild', 'tsx'];
    const app = {
      name: 'customer-app',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: {
        ...Object.fromEntries(toolchain.map((name) => [name, devDependencies[name]])),
        'page-conversations': `file:../${tarball}`,
      },
    };
    writeFileSync(join(appDir, 'package.json'), JSON.stringify(app, null, 2));
    writeFileSync(
      join(appDir, 'package-lock.json'),
      JSON.stringify(appLock(app, `file:../${tarball}`), null, 2),
    );
    writeFileSync(join(appDir, 'app.ts'), CUSTOMER_APP);

    // Act
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], appDir);
    // Without CDK's CloudFormation rule check: in an app without this repository's cdk.json it only
    // warns, and test/cdk/app.test.ts runs it on the template as `cdk synth` does.
    run(process.execPath, ['--import', 'tsx', 'app.ts'], appDir, {
      CDK_OUTDIR: outdir,
      CDK_VALIDATION: 'false',
    });

    // Assess: the package ships what the construct needs, and no lock file (npm never packs one).
    const files = packed[0]?.files.map((file) => file.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'tsconfig.json', 'cdk/page-conversations.ts']),
    );
    expect(files.some((file) => file.startsWith('test/'))).toBe(false);
    const template = readJson(join(outdir, 'CustomerStack.template.json')) as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(5);
    for (const fn of functions) {
      // The asset's S3 key is its hash; CDK stages it as `asset.<hash>` beside the template.
      const assetDir = join(outdir, `asset.${fn.Properties.Code?.S3Key?.replace(/\.zip$/, '')}`);
      expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      expect(statSync(join(assetDir, 'index.mjs')).size).toBeGreaterThan(50_000);
    }
  });
});
