import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const MAIN = new URL('../lib/local/main.ts', import.meta.url).pathname;
const CLI = new URL('../lib/cli/pages.ts', import.meta.url).pathname;
const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
const BAKERY = '1000000000000001';
const BIKES = '1000000000000002';
const BOOKS = '1000000000000003';
const FLORIST = '1000000000000004';
const CAFE = '1000000000000005';

/** `npm start` itself (its entry point), in `dir`, on a free port; `waitFor` reads its standard output. */
function startRuntime(dir: string) {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
  });
  return {
    child,
    async waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = seen.match(pattern);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms; saw: ${seen}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** `npm run pages -- <args>` in `dir`, `input` on standard input. */
function pages(dir: string, args: string[], input = '') {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH } });
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

/** Asks until `check` holds (the runtime works in the background), at most `times` times. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, times = 100): Promise<T> {
  let value = await read();
  for (let i = 0; i < times && !check(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const json = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('npm run pages against npm start', () => {
  test('connect with the printed demo user token registers its new Pages and starts their syncs; Instagram webhooks reach the linked account; add after a 404 lookup syncs; a second npm start leaves the runtime file alone', async () => {
    // Prepare: npm start in its own folder, and the demo user token its banner prints
    const dir = await mkdtemp(join(tmpdir(), 'pages-e2e-'));
    const first = startRuntime(dir);
    try {
      const [, url] = await first.waitFor(/listening on (http:\/\/localhost:\d+)/, 60_000);
      const [, token = ''] = await first.waitFor(/demo user token "([^"]+)" \(demo value/, 5_000);
      await first.waitFor(/ pages checked /, 30_000);
      // Looked up before it is registered: a cached "unknown" would answer its first sync 404.
      const before = await json(`${url}/pages/${FLORIST}/sync`);

      // Act 1: connect, the token on standard input, as the banner shows it
      const connect = await pages(dir, ['connect'], `${token}\n`);
      // Assess 1
      expect(before.status).toBe(404);
      expect(connect).toMatchObject({ code: 0, stderr: `pages: local runtime ${url}\n` });
      expect(connect.stdout).toMatch(
        new RegExp(`${FLORIST}\\s+Demo Florist\\s+-\\s+registered\\s+never\\s+\\S+\\s+started`),
      );
      expect(connect.stdout).toMatch(
        new RegExp(`${CAFE}\\s+Demo Cafe\\s+-\\s+registered\\s+never\\s+\\S+\\s+started`),
      );
      expect(connect.stdout).toMatch(new RegExp(`${BAKERY}\\s+Demo Bakery\\s+17841\\d+\\s+unchanged`));
      expect(connect.stdout).toContain(
        '4 Pages: 2 registered, 0 updated, 2 unchanged, 0 skipped, 0 refused.',
      );
      expect(connect.stdout).toContain('First syncs: 2 started.');
      const listed = await json(`${url}/pages`);
      expect((listed.body.data as Array<{ page_id: string }>).map((page) => page.page_id)).toEqual([
        BAKERY,
        BIKES,
        BOOKS,
        FLORIST,
        CAFE,
      ]);
      const synced = await eventually(
        () => json(`${url}/pages/${FLORIST}/conversations?limit=5`),
        (answer) => answer.status === 200 && (answer.body.data as unknown[]).length === 5,
      );
      expect(synced.body.data).toHaveLength(5);

      // Act 2: a person writes to the Bakery's linked Instagram account
      const bakery = await json(`${url}/pages/${BAKERY}`);
      const since = new Date(Date.now() - 1_000).toISOString();
      const sent = await json(`${url}/_demo/message?page_id=${BAKERY}&platform=instagram`, {
        method: 'POST',
      });
      const written = sent.body.conversation_id as string;
      const fresh = await eventually(
        () =>
          json(
            `${url}/pages/${BAKERY}/conversations?platform=instagram&updated_since=${encodeURIComponent(since)}`,
          ),
        (answer) => ((answer.body.data ?? []) as Array<{ id: string }>).some((c) => c.id === written),
      );
      const noAccount = await json(`${url}/_demo/message?page_id=${BIKES}&platform=instagram`, {
        method: 'POST',
      });
      // Assess 2
      expect(bakery.body.instagram_account_id).toMatch(/^17841\d+$/);
      expect(sent.status).toBe(202);
      expect(sent.body).toMatchObject({ platform: 'instagram', webhook_status: 200 });
      expect((fresh.body.data as Array<{ id: string }>).map((c) => c.id)).toContain(written);
      expect(noAccount.status).toBe(404);

      // Act 3: the Cafe removed, looked up (404), then added back from its Page token
      const tokens = JSON.parse(
        await readFile(join(dir, '.local', 'demo-page-tokens.json'), 'utf8'),
      ) as Record<string, { access_token: string }>;
      const tokenFile = join(dir, 'cafe-token.txt');
      await writeFile(tokenFile, tokens[CAFE]?.access_token ?? '');
      const removed = await pages(dir, ['remove', CAFE]);
      const lookedUp = await json(`${url}/pages/${CAFE}/sync`);
      const added = await pages(dir, ['add', CAFE, '--token-file', tokenFile]);
      // Assess 3
      expect(removed).toMatchObject({ code: 0, stdout: `Page ${CAFE}: removed, and its token deleted.\n` });
      expect(lookedUp.status).toBe(404);
      expect(added).toMatchObject({
        code: 0,
        // connect ran without --subscribe-webhooks: registration reads the subscription and says so.
        stdout: `Page ${CAFE}: registered; first sync started.\nPage ${CAFE}: webhooks not_subscribed.\n`,
      });

      // Act 4: a second npm start in the same folder, then stopped
      const second = startRuntime(dir);
      try {
        await second.waitFor(
          /npm run pages talks to the other running npm start: it owns \.local\/runtime\.json/,
          60_000,
        );
      } finally {
        await stop(second.child);
      }
      const runtimeFile = JSON.parse(await readFile(join(dir, '.local', 'runtime.json'), 'utf8')) as {
        pid: number;
      };
      const listedAfter = await pages(dir, ['list']);
      // Assess 4
      expect(runtimeFile.pid).toBe(first.child.pid);
      expect(listedAfter).toMatchObject({ code: 0, stderr: `pages: local runtime ${url}\n` });
    } finally {
      await stop(first.child);
    }
    await expect(readFile(join(dir, '.local', 'runtime.json'), 'utf8')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  }, 240_000);
});
