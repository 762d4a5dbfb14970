import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import {
  customerEnv,
  execute,
  type Finished,
  installFolder,
  type PackedCopy,
  packRepository,
  ROOT,
  readJson,
  run,
  runAsync,
  scratchRoot,
} from './support/packed-install.js';
import { graphTruth } from './support/truth.js';

/**
 * The package as customers get it: this repository packed once (`npm pack`, whose `prepack` compiles
 * and bundles), then installed from the tarball, offline, into fresh folders outside the repository:
 * a plain-JavaScript CDK app, a plain Node service, a strict TypeScript project. The README's
 * embedding and client snippets are the files of docs/examples/, run here as written.
 */

const EXAMPLES = join(ROOT, 'docs', 'examples');
const PAGE = DEMO_PAGE_IDS[0];
/** `npm pack` compiles with tsc and bundles five functions: about a minute on a busy 2-core machine. */
const PACK_TIMEOUT = 300_000;
/** A folder's npm ci (aws-cdk-lib is 160 MB), then the test's own work: tsc over aws-cdk-lib is a minute. */
const FOLDER_TIMEOUT = 240_000;

/** The fresh customer folders, each depending on the tarball and on these (at this repository's versions) only. */
const FOLDERS = {
  cdkAppJs: ['aws-cdk-lib', 'constructs'],
  nodeService: [],
  typescript: ['typescript', '@types/node', 'aws-cdk-lib', 'constructs'],
} as const satisfies Record<string, readonly string[]>;
type FolderName = keyof typeof FOLDERS;
/** The construct's outputs with default props, as `new PageConversations(stack, 'PageConversations')` names them. */
const OUTPUTS = [
  'ApiId',
  'ApiUrl',
  'DashboardName',
  'EventBusName',
  'RefreshDeadLetterQueueUrl',
  'RefreshQueueUrl',
  'SyncDeadLetterQueueUrl',
  'SyncQueueUrl',
  'TableName',
  'TokenSecretPrefix',
  'WebhookCallbackUrl',
  'WebhookSecretArn',
].map((name) => `PageConversations${name}`);

type Template = {
  Outputs: Record<string, { Value: unknown }>;
  Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string }; Handler?: string } }>;
};

/** The first word of each line: the conversation ids the list examples print. */
const firstWords = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[0]);

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The package names the compiled files import (static and dynamic), without Node's own modules. */
function importedPackages(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"./#][^'"]*)['"]/g)) {
      const name = (specifier as string)
        .split('/')
        .slice(0, specifier?.startsWith('@') ? 2 : 1)
        .join('/');
      if (!isBuiltin(specifier as string)) found.add(name);
    }
  }
  return found;
}

/** Synthesizes `app` in `dir` with CDK's outdir there; a `docker` that records any call is first on PATH. */
function synthesize(dir: string, command: string[]): { template: Template; dockerCalled: boolean } {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  const calls = join(dir, 'docker-calls');
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$@" >> '${calls}'\nexit 1\n`, { mode: 0o755 });
  const env = customerEnv({ CDK_OUTDIR: join(dir, 'cdk.out'), CDK_DOCKER: join(bin, 'docker') });
  run(process.execPath, command, dir, { ...env, PATH: `${bin}:${env.PATH}` });
  const template = readJson(join(dir, 'cdk.out', 'Conversations.template.json')) as Template;
  return { template, dockerCalled: existsSync(calls) };
}

/** The index.mjs of every function's staged asset, by content hash. */
function deployedCode(dir: string, template: Template): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((fn) => {
      const asset = `asset.${fn.Properties.Code?.S3Key?.replace(/\.zip$/, '')}`;
      return sha256(join(dir, 'cdk.out', asset, 'index.mjs'));
    })
    .sort();
}

/**
 * The TypeScript folder's two type checks: docs/examples/embed.ts and list-conversations.ts under
 * STRICT_TSCONFIG (emitting `out/`), and embed.ts alone in `init/` under what `tsc --init` writes.
 * Both at once: each reads all of aws-cdk-lib's declarations, a minute of tsc on a busy machine.
 */
async function typeCheck(project: string): Promise<{ strict: Finished; init: Finished }> {
  for (const file of ['embed.ts', 'list-conversations.ts']) {
    copyFileSync(join(EXAMPLES, file), join(project, file));
  }
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG, null, 2));
  const init = join(project, 'init');
  mkdirSync(init);
  copyFileSync(join(EXAMPLES, 'embed.ts'), join(init, 'embed.ts'));
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  await runAsync(process.execPath, [tsc, '--init'], init);
  const [strict, initCheck] = await Promise.all([
    execute(process.execPath, [tsc, '-p', '.'], project),
    execute(process.execPath, [tsc, '-p', '.', '--noEmit'], init),
  ]);
  return { strict, init: initCheck };
}

/** A promise whose failure is reported by whoever awaits it, not as an unhandled rejection meanwhile. */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

describe('the packed package, installed offline in fresh folders', () => {
  let work: string;
  let packed: PackedCopy;
  let harness: Harness;
  /** Each folder's path once installed: the three install at once, and each test awaits its own. */
  const installed = new Map<FolderName, Promise<string>>();
  const folder = (name: FolderName) => installed.get(name) as Promise<string>;
  /** The type checks, started as soon as their folder is installed, while the other tests run. */
  let typeChecked: Promise<{ strict: Finished; init: Finished }>;
  beforeAll(async () => {
    work = mkdtempSync(join(scratchRoot(), 'page-conversations-package-'));
    packed = packRepository(work);
    const tarball = join(work, packed.filename);
    for (const [name, others] of Object.entries(FOLDERS) as [FolderName, readonly string[]][]) {
      const dir = join(work, name);
      installed.set(name, started(installFolder(dir, tarball, others).then(() => dir)));
    }
    typeChecked = started(folder('typescript').then(typeCheck));
    harness = await startHarness();
  }, PACK_TIMEOUT);
  afterAll(async () => {
    // The installs and checks may still run if a test failed early: removing their folders would fail.
    await Promise.allSettled([...installed.values(), typeChecked]);
    await harness?.close();
    rmSync(work, { recursive: true, force: true });
  }, FOLDER_TIMEOUT);

  it('ships compiled ESM with declarations and one bundle per function, no sources, and declares what it imports', () => {
    // Act
    const files = packed.files.map((file) => file.path);
    const compiled = files.filter((file) => /^dist\/(cdk|lib)\/.*\.js$/.test(file));
    const functions = readdirSync(join(ROOT, 'functions')).map((file) => file.replace(/\.ts$/, ''));
    const repo = readJson(join(ROOT, 'package.json'));

    // Assess: what ships, and nothing that only runs in this repository.
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md']));
    expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => /^(test|functions|lib|cdk|docs)\//.test(file))).toEqual([]);
    expect(compiled).toEqual(
      expect.arrayContaining(['dist/cdk/page-conversations.js', 'dist/lib/client/index.js']),
    );
    for (const file of compiled) expect(files).toContain(file.replace(/\.js$/, '.d.ts'));
    expect(files.filter((file) => file.startsWith('dist/bundles/')).sort()).toEqual(
      functions
        .flatMap((name) => [`dist/bundles/${name}/index.mjs`, `dist/bundles/${name}/index.mjs.map`])
        .sort(),
    );
    // Every package the compiled files import is declared, and nothing else: the functions' own
    // dependencies are inside their bundles, so a customer never installs them.
    const declared = [
      ...Object.keys(repo.dependencies as object),
      ...Object.keys(repo.peerDependencies as object),
    ];
    expect([...importedPackages(join(packed.copy, 'dist'))].sort()).toEqual(declared.sort());
  });

  it('a plain-JavaScript CDK app with only aws-cdk-lib and constructs synthesizes docs/examples/embed.mjs with the shipped bundles, without esbuild or Docker', {
    timeout: FOLDER_TIMEOUT,
  }, async () => {
    // Prepare
    const app = await folder('cdkAppJs');
    copyFileSync(join(EXAMPLES, 'embed.mjs'), join(app, 'embed.mjs'));

    // Act
    const { template, dockerCalled } = synthesize(app, ['embed.mjs']);

    // Assess: nothing could bundle, and each function deploys one of the package's own bundles.
    for (const tool of ['esbuild', 'tsx', '.bin/esbuild']) {
      expect(existsSync(join(app, 'node_modules', tool))).toBe(false);
    }
    expect(dockerCalled).toBe(false);
    const shipped = join(app, 'node_modules', 'page-conversations', 'dist', 'bundles');
    const bundles = readdirSync(shipped).map((name) => sha256(join(shipped, name, 'index.mjs')));
    expect(deployedCode(app, template)).toEqual(bundles.sort());
    expect(Object.keys(template.Outputs).sort()).toEqual(OUTPUTS);
  });

  it("a plain node ESM service lists a Page's conversations from the local API with docs/examples/list-conversations.mjs", {
    timeout: FOLDER_TIMEOUT,
  }, async () => {
    // Prepare: the client alone, whose CDK peers are optional and so not installed.
    const service = await folder('nodeService');
    copyFileSync(join(EXAMPLES, 'list-conversations.mjs'), join(service, 'list-conversations.mjs'));
    const truth = graphTruth(harness.emulator, PAGE, 'messenger', 'inbox').map((c) => c.id);

    // Act: its own process (asynchronously: this one serves the API).
    const stdout = await runAsync(
      process.execPath,
      ['list-conversations.mjs', harness.api.url, PAGE],
      service,
    );

    // Assess: more than one listing of the default 25, so the client followed a cursor.
    expect(existsSync(join(service, 'node_modules', 'aws-cdk-lib'))).toBe(false);
    expect(truth.length).toBeGreaterThan(25);
    expect(firstWords(stdout)).toEqual(truth);
  });

  it('a strict tsc project (skipLibCheck off) type-checks docs/examples/embed.ts and list-conversations.ts, and both run; so does a tsc --init project', {
    timeout: FOLDER_TIMEOUT,
  }, async () => {
    // Prepare
    const project = await folder('typescript');
    const truth = graphTruth(harness.emulator, PAGE, 'messenger', 'inbox').map((c) => c.id);

    // Act: the checks (started once the folder was installed), then the compiled files run.
    const { strict, init } = await typeChecked;
    const { template } = synthesize(project, ['out/embed.js']);
    const listed = await runAsync(
      process.execPath,
      ['out/list-conversations.js', harness.api.url, PAGE],
      project,
    );

    // Assess: no error in the examples or in page-conversations. aws-cdk-lib 2.276's own declarations
    // fail exactOptionalPropertyTypes with skipLibCheck off (a class property `T | undefined` where its
    // interface says `T`); those are the only errors allowed.
    const errors = strict.stdout.split('\n').filter((line) => / error TS\d+:/.test(line));
    expect(errors.filter((line) => !line.startsWith('node_modules/aws-cdk-lib/'))).toEqual([]);
    expect(init.stdout).toBe('');
    expect(init.status).toBe(0);
    expect(Object.keys(template.Outputs).sort()).toEqual(OUTPUTS);
    expect(firstWords(listed)).toEqual(truth);
  });
});

/** A service team's strictest settings, with the library checks on (`skipLibCheck: false`). */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    noPropertyAccessFromIndexSignature: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noFallthroughCasesInSwitch: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    types: ['node'],
    outDir: 'out',
    rootDir: '.',
  },
  files: ['embed.ts', 'list-conversations.ts'],
};
