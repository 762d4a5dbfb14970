import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { writeLocalEndpoints } from '#lib/pages/local-endpoints.js';
import { PageRegistry } from '#lib/store/page-registry.js';

const CLI = join(process.cwd(), 'lib/cli/pages.ts');
const TSX = join(process.cwd(), 'node_modules/.bin/tsx');

let dynamo: EmbeddedDynamo;
let emulator: GraphEmulator;
let api: Server;
const syncRequests: string[] = [];
let workdir: string;
let tokensFile: string;
let registry: PageRegistry;

/** Stands in for the local runtime: its DynamoDB, its Graph, and its POST /pages/{id}/sync. */
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  emulator = await startGraphEmulator({ pages: [] });
  api = createServer((req, res) => {
    syncRequests.push(`${req.method} ${req.url}`);
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"started"}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  workdir = await mkdtemp(join(tmpdir(), 'pages-cli-'));
  tokensFile = join(workdir, 'page-tokens.json');
  const tableName = 'cli-local';
  await ensureTable(dynamo.client, tableName);
  registry = new PageRegistry({ client: dynamo.client, tableName, cacheMs: 0 });
  await writeLocalEndpoints(
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

describe('npm run pages, locally', () => {
  test('connect reads the user token from standard input, stores tokens in the file, registers and syncs; a second run changes nothing', async () => {
    // Prepare
    const user = emulator.createUser({
      pages: 4,
      page: (i) => (i === 2 ? { tasks: ['ANALYZE'] } : { instagram: i === 0 }),
    });
    // Act
    const first = await pages(['connect'], user.token);
    const second = await pages(['connect'], user.token);
    const listed = await pages(['list']);
    // Assess
    expect(first.stderr).not.toContain(user.token);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('4 Pages: 3 registered, 0 updated, 0 unchanged, 1 skipped.');
    expect(first.stdout).toMatch(/skipped\s+task MESSAGING or MODERATE \(has ANALYZE\)/);
    expect(second.stdout).toContain('3 unchanged, 1 skipped. Nothing changed.');
    const file = JSON.parse(await readFile(tokensFile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual([user.pageIds[0], user.pageIds[1], user.pageIds[3]].sort());
    expect(await registry.listPageIds()).toEqual(Object.keys(file).sort());
    expect(syncRequests.sort()).toEqual(
      Object.keys(file)
        .sort()
        .map((id) => `POST /pages/${id}/sync`),
    );
    expect(listed.stdout.split('\n').filter((line) => line.includes('unchecked'))).toHaveLength(3);
  }, 60_000);

  test('add takes a Page token from a file, never argv; remove deletes it again', async () => {
    const [pageId = ''] = emulator.createUser({ pages: 1 }).pageIds;
    const tokenFile = join(workdir, 'one-token.txt');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(tokenFile, emulator.pages.get(pageId)?.accessToken ?? '');
    const added = await pages(['add', pageId, '--token-file', tokenFile]);
    expect(added.stdout).toBe(`Page ${pageId}: registered.\n`);
    expect((await registry.get(pageId))?.health.status).toBe('valid');
    const removed = await pages(['remove', pageId]);
    expect(removed.code).toBe(0);
    expect(await registry.get(pageId)).toBeUndefined();
    const file = JSON.parse(await readFile(tokensFile, 'utf8')) as Record<string, unknown>;
    expect(file).not.toHaveProperty(pageId);
    const refused = await pages(['add', 'not-digits', '--token-file', tokenFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not a Page id');
  }, 60_000);
});
