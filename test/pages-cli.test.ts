import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { EMULATOR_APP, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { claimLocalEndpoints } from '#lib/pages/local-endpoints.js';
import { PageRegistry } from '#lib/store/page-registry.js';

const CLI = join(process.cwd(), 'lib/cli/pages.ts');
const TSX = join(process.cwd(), 'node_modules/.bin/tsx');

let dynamo: EmbeddedDynamo;
let emulator: GraphEmulator;
let api: Server;
const syncRequests: string[] = [];
/** Pages whose sync the stand-in API answers 404 unknown_page, as a runtime that does not know them yet. */
const unknownToApi = new Set<string>();
let workdir: string;
let tokensFile: string;
let registry: PageRegistry;

/** Stands in for the local runtime: its DynamoDB, its Graph, and its POST /pages/{id}/sync. */
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  emulator = await startGraphEmulator({ pages: [] });
  api = createServer((req, res) => {
    syncRequests.push(`${req.method} ${req.url}`);
    const pageId = /^\/pages\/(\d+)\/sync$/.exec(req.url ?? '')?.[1] ?? '';
    if (unknownToApi.has(pageId)) {
      const body = { error: { code: 'unknown_page', message: `Page ${pageId} is not registered.` } };
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res
      .writeHead(202, { 'content-type': 'application/json' })
      .end(`{"page_id":"${pageId}","status":"started"}`);
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  workdir = await mkdtemp(join(tmpdir(), 'pages-cli-'));
  tokensFile = join(workdir, 'page-tokens.json');
  const tableName = 'cli-local';
  await ensureTable(dynamo.client, tableName);
  registry = new PageRegistry({ client: dynamo.client, tableName, cacheMs: 0 });
  await claimLocalEndpoints(
    {
      apiUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      dynamodbEndpoint: dynamo.endpoint,
      tableName,
      graphBaseUrl: emulator.url,
      graphVersion: 'v24.0',
      pageTokensFile: tokensFile,
      pid: process.pid,
    },
    join(workdir, '.local', 'runtime.json'),
  );
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await emulator.close();
  await dynamo.close();
});

function pages(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: workdir, env: { ...process.env, TABLE_NAME: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The table row of one Page, its cells split on runs of two or more spaces. */
function rowOf(stdout: string, pageId: string): string[] {
  const line = stdout.split('\n').find((text) => text.startsWith(`${pageId} `)) ?? '';
  return line.split(/ {2,}/);
}

describe('npm run pages, locally', () => {
  test('connect reads the user token from standard input, stores tokens in the file, registers and reports each first sync as the API answered; a second run changes nothing', async () => {
    // Prepare: a system user's token (it never expires); the API does not know one of the Pages yet
    const user = emulator.createUser({
      pages: 4,
      lifetime: 'never',
      page: (i) => (i === 2 ? { tasks: ['ANALYZE'] } : { instagram: i === 0 }),
    });
    const [first = '', second = '', , fourth = ''] = user.pageIds;
    unknownToApi.add(fourth);
    // Act
    const run = await pages(['connect'], user.token);
    const again = await pages(['connect'], user.token);
    const listed = await pages(['list']);
    // Assess
    expect(run.stderr).not.toContain(user.token);
    expect(run.stdout).not.toContain(user.token);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('4 Pages: 3 registered, 0 updated, 0 unchanged, 1 skipped, 0 refused.');
    expect(run.stdout).toMatch(/skipped\s+-\s+-\s+-\s+task MESSAGING or MODERATE \(has ANALYZE\)/);
    expect(rowOf(run.stdout, first).slice(3, 7)).toEqual(['registered', 'never', tokensFile, 'started']);
    expect(rowOf(run.stdout, second)[6]).toBe('started');
    expect(rowOf(run.stdout, fourth)[6]).toBe('not started: the local API answered 404 unknown_page');
    expect(run.stdout).toContain(
      'First syncs: 2 started, 1 not started (see the table); the next scheduled sync indexes those Pages.',
    );
    // Locally tokens go to the runtime's file: nothing about secrets.
    expect(run.stdout).not.toContain('secret');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('3 unchanged, 1 skipped, 0 refused.\n');
    expect(again.stdout).toContain('Nothing changed.');
    const file = JSON.parse(await readFile(tokensFile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual([first, second, fourth].sort());
    expect(await registry.listPageIds()).toEqual(Object.keys(file).sort());
    expect(syncRequests.sort()).toEqual(
      Object.keys(file)
        .sort()
        .map((id) => `POST /pages/${id}/sync`),
    );
    expect(listed.stdout.split('\n').filter((line) => line.includes('unchecked'))).toHaveLength(3);
  }, 60_000);

  test('a short-lived user token is refused with how to get a lasting one; with --app-id and the secret from a file (or standard input) it is exchanged and its Pages registered', async () => {
    // Prepare: a token as Graph API Explorer gives it, in a file; the app secret in another
    const user = emulator.createUser({ pages: 2 });
    const tokenFile = join(workdir, 'user-token.txt');
    const secretFile = join(workdir, 'app-secret.txt');
    await writeFile(tokenFile, `${user.token}\n`);
    await writeFile(secretFile, `${EMULATOR_APP.secret}\n`);
    // Act
    const refused = await pages(['connect', '--token-file', tokenFile]);
    const exchanged = await pages([
      'connect',
      '--token-file',
      tokenFile,
      '--app-id',
      EMULATOR_APP.id,
      '--app-secret-file',
      secretFile,
    ]);
    const fromStdin = await pages(
      ['connect', '--token-file', tokenFile, '--app-id', EMULATOR_APP.id],
      EMULATOR_APP.secret,
    );
    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('2 Pages: 0 registered, 0 updated, 0 unchanged, 0 skipped, 2 refused.');
    expect(refused.stdout).toMatch(
      /refused\s+\d{4}-\d\d-\d\dT\d\d:\d\dZ\s+-\s+-\s+its Page token expires .* \(in 60 minutes\)/,
    );
    expect(refused.stdout).toContain(
      '2 Page tokens expire within 7 days and were not stored. Get tokens that last: give the app id and secret (--app-id ID --app-secret-file PATH',
    );
    expect(refused.stdout).toContain('System users > Generate new token');
    expect(exchanged.code).toBe(0);
    expect(exchanged.stdout).toMatch(
      /The user token was exchanged for a long-lived one \(until \d{4}-\d\d-\d\d\); Page tokens listed with it do not expire\./,
    );
    expect(exchanged.stdout).toContain('2 Pages: 2 registered');
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain('2 Pages: 0 registered, 0 updated, 2 unchanged');
    for (const output of [refused, exchanged, fromStdin]) {
      expect(output.stdout + output.stderr).not.toContain(EMULATOR_APP.secret);
      expect(output.stdout + output.stderr).not.toContain(user.token);
    }
  }, 60_000);

  test('--dry-run lists each Page it would register and where its token would be written, and writes nothing', async () => {
    const user = emulator.createUser({
      pages: 3,
      lifetime: 'never',
      page: (i) => (i === 1 ? { withoutScopes: ['pages_messaging'] } : {}),
    });
    const before = await readFile(tokensFile, 'utf8');
    const run = await pages(['connect', '--dry-run'], user.token);
    expect(run.code).toBe(0);
    expect(rowOf(run.stdout, user.pageIds[0] ?? '').slice(3, 7)).toEqual([
      'would register',
      'never',
      tokensFile,
      '-',
    ]);
    expect(rowOf(run.stdout, user.pageIds[1] ?? '')[3]).toBe('skipped');
    expect(rowOf(run.stdout, user.pageIds[2] ?? '')[3]).toBe('would register');
    expect(run.stdout).toContain(
      'Dry run, nothing written. 3 Pages: 2 would be registered, 0 updated, 0 unchanged, 1 skipped, 0 refused.',
    );
    expect(await readFile(tokensFile, 'utf8')).toBe(before);
    for (const pageId of user.pageIds) expect(await registry.get(pageId)).toBeUndefined();
  }, 60_000);

  test('add reports its first sync as the API answered it: started, or not (404 from a runtime that does not know the Page yet)', async () => {
    // Prepare
    const [known = '', unknown = ''] = emulator.createUser({ pages: 2, lifetime: 'never' }).pageIds;
    unknownToApi.add(unknown);
    const tokenFile = (pageId: string) => join(workdir, `token-${pageId}.txt`);
    for (const pageId of [known, unknown])
      await writeFile(tokenFile(pageId), emulator.pages.get(pageId)?.accessToken ?? '');
    // Act
    const started = await pages(['add', known, '--token-file', tokenFile(known)]);
    const notStarted = await pages(['add', unknown, '--token-file', tokenFile(unknown)]);
    // Assess
    expect(started).toMatchObject({
      code: 0,
      // The emulator's Page was never subscribed to the app's webhooks: registration says so.
      stdout: `Page ${known}: registered; first sync started.\nPage ${known}: webhooks not_subscribed.\n`,
    });
    expect(notStarted).toMatchObject({
      code: 1,
      stdout: `Page ${unknown}: registered; first sync not started: the local API answered 404 unknown_page; the next scheduled sync indexes it.\nPage ${unknown}: webhooks not_subscribed.\n`,
    });
  }, 60_000);

  test('add takes a Page token from a file, never argv; remove deletes it again; a user token is refused naming the kind add takes', async () => {
    const user = emulator.createUser({ pages: 1, lifetime: 'never' });
    const [pageId = ''] = user.pageIds;
    const tokenFile = join(workdir, 'one-token.txt');
    await writeFile(tokenFile, emulator.pages.get(pageId)?.accessToken ?? '');
    const added = await pages(['add', pageId, '--token-file', tokenFile]);
    expect(added.stdout).toBe(
      `Page ${pageId}: registered; first sync started.\nPage ${pageId}: webhooks not_subscribed.\n`,
    );
    expect((await registry.get(pageId))?.health.status).toBe('valid');
    const removed = await pages(['remove', pageId]);
    expect(removed.code).toBe(0);
    expect(await registry.get(pageId)).toBeUndefined();
    const file = JSON.parse(await readFile(tokensFile, 'utf8')) as Record<string, unknown>;
    expect(file).not.toHaveProperty(pageId);
    const refused = await pages(['add', 'not-digits', '--token-file', tokenFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not a Page id');
    const userToken = await pages(['add', pageId], user.token);
    expect(userToken.code).toBe(1);
    expect(userToken.stderr).toContain(
      "pages: This is a user access token; add takes the Page's own access token. With a user token, run npm run pages -- connect",
    );
    expect(await registry.get(pageId)).toBeUndefined();
  }, 60_000);
});
