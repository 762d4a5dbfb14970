/**
 * Cold start of each Lambda entry point, bundled as CDK bundles it: its size, and what importing it
 * costs in a fresh Node process over importing an empty module with the same flags. Beside each, a
 * peer (the same API handler written with facebook-nodejs-business-sdk) or a floor (a bundle of just
 * the AWS SDK clients that function must construct). All of them are imported in turn, round after
 * round, so that their times share the machine's load and their ratios are budgets that hold anywhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, type Bundle, bundleEntry, bundleSource, composition } from './bundles.js';
import { kb, median, ms, progress, type Report, ratio, within } from './report.js';

const API_MAX_BYTES = 700 * 1024;
/**
 * The API's import time over bare node at most half the peer's, both measured in the same run: a
 * budget in milliseconds flips with the machine's speed of the day, a ratio does not.
 */
const API_MAX_IMPORT_RATIO_TO_PEER = 0.5;

/** What CDK gives the functions (fake, offline values): enough for every module's top level. */
const LAMBDA_ENV: Record<string, string> = {
  TABLE_NAME: 'bench-table',
  TOKEN_SECRET_PREFIX: 'bench/page-',
  SYNC_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-sync',
  SYNC_PLATFORMS: 'messenger,instagram',
  SYNC_FOLDERS: 'inbox,other',
  GRAPH_API_VERSION: 'v24.0',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHFAKE0000000',
  AWS_SECRET_ACCESS_KEY: 'bench-fake-secret',
  POWERTOOLS_SERVICE_NAME: 'bench',
  // Lambda runs Node 22; the SDK's notice about Node 20 would only add a write to stderr here.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** ProductFunction sets NODE_OPTIONS=--enable-source-maps: the import is measured as Lambda runs it. */
const NODE_FLAGS = ['--enable-source-maps', '--input-type=module'];

const TIMED_IMPORT = `const m = await import(process.argv[1]);
const t = performance.now();
process.stdout.write(JSON.stringify({ t, handler: typeof m.handler }));
process.exit(0);`;

/** Records every socket connect and DNS lookup the import attempts. */
const NETWORK_PROBE = `import net from 'node:net'; import dns from 'node:dns';
const seen = (globalThis.__benchNetwork = []);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { seen.push('connect'); return connect.apply(this, args); };
const lookup = dns.lookup;
dns.lookup = function (...args) { seen.push('lookup ' + args[0]); return lookup.apply(this, args); };
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function (...args) { seen.push('lookup ' + args[0]); return lookupPromise.apply(this, args); };`;

const PROBED_IMPORT = `await import(process.argv[1]);
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write(JSON.stringify(globalThis.__benchNetwork));
process.exit(0);`;

function runNode(flags: string[], script: string, file: string): string {
  const result = spawnSync(process.execPath, [...flags, '-e', script, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) {
    throw new Error(`importing ${file} failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
  }
  return result.stdout;
}

function importedAt(file: string, flags: string[]): { t: number; handler: string } {
  return JSON.parse(runNode(flags, TIMED_IMPORT, file)) as { t: number; handler: string };
}

interface ImportTarget {
  name: string;
  file: string;
  flags: string[];
  /** A Lambda entry point must export `handler`; floors and the empty module export none. */
  entryPoint: boolean;
}

/**
 * The median time from process start to each target imported, over `runs` rounds. Every round imports
 * every target once, starting one further along the list each round, so that all of them share the
 * machine's load of the moment: a ratio of two of these medians holds when the machine is busier.
 */
function medianImportTimes(targets: ImportTarget[], runs: number): Map<string, number> {
  for (const target of targets) {
    // The first import warms the file cache, which the first timed run would otherwise pay for.
    const first = importedAt(target.file, target.flags);
    if (target.entryPoint && first.handler !== 'function')
      throw new Error(`${target.file} exports no handler`);
  }
  const times = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length] as ImportTarget;
      times.get(target.name)?.push(importedAt(target.file, target.flags).t);
    }
  }
  return new Map([...times].map(([name, values]) => [name, median(values)]));
}

/** An empty module to import: what "bare node" imports. */
function emptyModule(): string {
  const file = join(BENCH_DIR, 'bundles', 'empty.mjs');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, 'export {};\n');
  return file;
}

/** Median time from process start to an empty module imported, with the flags Lambda runs: the machine's speed today. */
export function measureBareNodeStart(runs: number): number {
  const file = emptyModule();
  importedAt(file, NODE_FLAGS);
  return median(Array.from({ length: runs }, () => importedAt(file, NODE_FLAGS).t));
}

function networkDuringImport(file: string): string[] {
  return JSON.parse(
    runNode(
      ['--import', `data:text/javascript,${encodeURIComponent(NETWORK_PROBE)}`, ...NODE_FLAGS],
      PROBED_IMPORT,
      file,
    ),
  ) as string[];
}

const FLOORS: Record<string, string> = {
  api: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; import { SQSClient } from '@aws-sdk/client-sqs'; export const clients = [new DynamoDBClient({}), new SecretsManagerClient({}), new SQSClient({})];",
  'sync-schedule':
    "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; import { SQSClient } from '@aws-sdk/client-sqs'; export const clients = [new SecretsManagerClient({}), new SQSClient({})];",
  'sync-worker':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; export const clients = [new DynamoDBClient({}), new SecretsManagerClient({})];",
};

/**
 * The HTTP shapes alone (lib/domain/shapes: valibot, its JSON Schema converter, the document's
 * components built and one query read): what the schema library costs every function that answers HTTP.
 */
const SHAPES_ENTRY = `import { openApiComponents } from '#lib/domain/shapes/document.js';
import { ConversationsQuerySchema, parseQuery } from '#lib/domain/shapes/queries.js';
export const built = [openApiComponents(), parseQuery(ConversationsQuerySchema, { limit: '5' })];`;

const top = (bundle: Bundle, n: number) =>
  composition(bundle)
    .slice(0, n)
    .map((part) => `${part.name} ${kb(part.bytes)}`)
    .join(', ');

export async function benchColdStart(report: Report, options: { runs: number }): Promise<void> {
  const section = `Cold start (CDK bundle; import over an empty import, median of ${options.runs} rounds importing every module in turn, --enable-source-maps)`;
  progress('cold start: bundling');
  const entries = [
    ['api', 'functions/api.ts'],
    ['sync-schedule', 'functions/sync-schedule.ts'],
    ['sync-worker', 'functions/sync-worker.ts'],
  ] as const;
  const bundles = entries.map(([name, entry]) => bundleEntry(name, entry));
  const peer = bundleEntry('peer-business-sdk', 'test/bench/peer/api.ts');
  const emptyFile = emptyModule();

  const floors = bundles.map((bundle) => bundleSource(`floor-${bundle.name}`, FLOORS[bundle.name] ?? ''));
  const shapes = bundleSource('http-shapes', SHAPES_ENTRY);
  const withoutMaps = NODE_FLAGS.filter((flag) => flag !== '--enable-source-maps');
  const target = (name: string, file: string, entryPoint: boolean, flags = NODE_FLAGS): ImportTarget => ({
    name,
    file,
    flags,
    entryPoint,
  });
  const targets = [
    target('bare', emptyFile, false),
    target('bare without maps', emptyFile, false, withoutMaps),
    target('peer', peer.file, true),
    ...bundles
      .filter((bundle) => bundle.name === 'api')
      .map((api) => target('api without maps', api.file, true, withoutMaps)),
    ...bundles.map((bundle) => target(bundle.name, bundle.file, true)),
    ...floors.map((floor) => target(floor.name, floor.file, false)),
    target(shapes.name, shapes.file, false),
  ];
  progress(`cold start: importing ${targets.length} modules, ${options.runs} rounds`);
  const times = medianImportTimes(targets, options.runs);
  const timeOf = (name: string) => times.get(name) ?? Number.NaN;
  const bare = timeOf('bare');
  const overBare = (name: string) => timeOf(name) - bare;
  const peerImport = overBare('peer');
  bundles.forEach((bundle, i) => {
    const floor = floors[i] as Bundle;
    const cost = overBare(bundle.name);
    const floorCost = overBare(floor.name);
    const network = networkDuringImport(bundle.file);
    const isApi = bundle.name === 'api';
    const floorText = `AWS clients only: ${kb(floor.bytes)}`;
    report.add({
      section,
      measure: `${bundle.name}: bundle size (minified, without .map)`,
      value: kb(bundle.bytes),
      reference: isApi ? `peer (business SDK): ${kb(peer.bytes)}; ${floorText}` : floorText,
      budget: isApi ? '≤ 700 KB' : '—',
      verdict: isApi ? within(bundle.bytes, API_MAX_BYTES) : 'info',
    });
    report.add({
      section,
      measure: `${bundle.name}: import time over bare node`,
      value: ms(cost),
      reference: `${isApi ? `peer ${ms(peerImport)}; ` : ''}AWS clients only ${ms(floorCost)}; bare node start ${ms(bare)}`,
      budget: '—',
      verdict: 'info',
    });
    if (isApi) {
      const toPeer = cost / peerImport;
      report.add({
        section,
        measure: 'api: import time ÷ the peer’s (business SDK), both over bare node',
        value: ratio(toPeer),
        reference: `${ms(cost)} ÷ ${ms(peerImport)}`,
        budget: `≤ ${ratio(API_MAX_IMPORT_RATIO_TO_PEER)}`,
        verdict: within(toPeer, API_MAX_IMPORT_RATIO_TO_PEER),
      });
    }
    report.add({
      section,
      measure: `${bundle.name}: import time ÷ the AWS-clients-only floor’s, both over bare node`,
      value: ratio(cost / floorCost),
      reference: `${ms(cost)} ÷ ${ms(floorCost)}`,
      budget: '—',
      verdict: 'info',
    });
    if (isApi) {
      report.add({
        section,
        measure: 'api: import time without --enable-source-maps (what the flag costs)',
        value: ms(timeOf('api without maps') - timeOf('bare without maps')),
        reference: `as deployed: ${ms(cost)}`,
        budget: '—',
        verdict: 'info',
      });
    }
    report.add({
      section,
      measure: `${bundle.name}: network calls during import`,
      value: String(network.length),
      reference: 'floor: 0',
      budget: '0',
      verdict: network.length === 0 ? 'ok' : 'MISSED',
    });
    report.note(`${bundle.name} bundle, largest parts: ${top(bundle, 6)}.`);
  });
  report.add({
    section,
    measure:
      'HTTP shapes alone (valibot + JSON Schema converter, components built): size; import over bare node',
    value: `${kb(shapes.bytes)}; ${ms(overBare(shapes.name))}`,
    reference: `${ratio(overBare(shapes.name) / peerImport)} of the peer's import`,
    budget: '—',
    verdict: 'info',
  });
  report.note(`peer bundle, largest parts: ${top(peer, 5)}.`);
  report.note(
    `Bare node with the same flags imports an empty module at ${ms(bare)} after process start (median).`,
  );
}
