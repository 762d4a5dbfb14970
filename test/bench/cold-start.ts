/**
 * Cold start of each Lambda entry point, bundled as CDK bundles it: its size, and what importing it
 * costs in a fresh Node process over importing an empty module with the same flags. Beside each, a
 * peer (the same API handler written with facebook-nodejs-business-sdk) or a floor (a bundle of just
 * the AWS SDK clients that function must construct).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, type Bundle, bundleEntry, bundleSource, composition } from './bundles.js';
import { kb, median, ms, progress, type Report, within } from './report.js';

const API_MAX_BYTES = 700 * 1024;
const API_MAX_IMPORT_MS = 80;

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

interface ImportCost {
  /** Median import time over the empty module's, ms. */
  overBare: number;
  bare: number;
  runs: number;
}

/** Median of `runs` imports minus the median of as many empty imports, alternating the two. */
function measureImport(
  file: string,
  emptyFile: string,
  runs: number,
  { entryPoint = true, flags = NODE_FLAGS } = {},
): ImportCost {
  importedAt(emptyFile, flags);
  const first = importedAt(file, flags); // warms the file cache, as the first run would otherwise pay for it
  if (entryPoint && first.handler !== 'function') throw new Error(`${file} exports no handler`);
  const bundle: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [file, emptyFile] : [emptyFile, file];
    for (const target of order) (target === file ? bundle : bare).push(importedAt(target, flags).t);
  }
  return { overBare: median(bundle) - median(bare), bare: median(bare), runs };
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

const top = (bundle: Bundle, n: number) =>
  composition(bundle)
    .slice(0, n)
    .map((part) => `${part.name} ${kb(part.bytes)}`)
    .join(', ');

export async function benchColdStart(report: Report, options: { runs: number }): Promise<void> {
  const section = `Cold start (CDK bundle; import over an empty import, median of ${options.runs}, --enable-source-maps)`;
  const emptyFile = join(BENCH_DIR, 'bundles', 'empty.mjs');
  progress('cold start: bundling');
  const entries = [
    ['api', 'functions/api.ts'],
    ['sync-schedule', 'functions/sync-schedule.ts'],
    ['sync-worker', 'functions/sync-worker.ts'],
  ] as const;
  const bundles = entries.map(([name, entry]) => bundleEntry(name, entry));
  const peer = bundleEntry('peer-business-sdk', 'test/bench/peer/api.ts');
  writeFileSync(emptyFile, 'export {};\n');

  progress('cold start: importing');
  const peerImport = measureImport(peer.file, emptyFile, options.runs);
  for (const bundle of bundles) {
    const floor = bundleSource(`floor-${bundle.name}`, FLOORS[bundle.name] ?? '');
    const cost = measureImport(bundle.file, emptyFile, options.runs);
    const floorCost = measureImport(floor.file, emptyFile, options.runs, { entryPoint: false });
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
      value: ms(cost.overBare),
      reference: `${isApi ? `peer: ${ms(peerImport.overBare)}; ` : ''}AWS clients only: ${ms(floorCost.overBare)}`,
      budget: isApi ? '≤ 80 ms' : '—',
      verdict: isApi ? within(cost.overBare, API_MAX_IMPORT_MS) : 'info',
    });
    if (isApi) {
      const withoutMaps = measureImport(bundle.file, emptyFile, options.runs, {
        flags: NODE_FLAGS.filter((flag) => flag !== '--enable-source-maps'),
      });
      report.add({
        section,
        measure: 'api: import time without --enable-source-maps (what the flag costs)',
        value: ms(withoutMaps.overBare),
        reference: `as deployed: ${ms(cost.overBare)}`,
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
  }
  report.note(`peer bundle, largest parts: ${top(peer, 5)}.`);
  report.note(
    `Bare node with the same flags imports an empty module at ${ms(peerImport.bare)} after process start (median).`,
  );
}
