import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { seedPage, startGraphEmulator } from '#lib/local/graph-emulator.js';

/** Collects a stream's text; `waitFor` resolves once everything so far matches, or fails after `ms`. */
function collect(stream: NodeJS.ReadableStream) {
  let seen = '';
  stream.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
  });
  return async (pattern: RegExp, ms: number): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = seen.match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms; saw: ${seen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
}

describe('npm start', () => {
  test('serves the demo offline, indexes it on the local schedule, and stops when its PID gets SIGTERM', async () => {
    // Prepare: `npm start` itself, on a free port, with nothing configured but that. The PID a user (or a
    // process manager) sees is npm's: signalling it must stop the server, not leave it orphaned.
    const child = spawn('npm', ['start', '--silent'], {
      env: { PATH: process.env.PATH, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const waitFor = collect(child.stdout);
    const waitForLog = collect(child.stderr);
    try {
      const [, url] = await waitFor(/listening on (http:\/\/localhost:\d+)/, 20_000);
      // The demo's own values are printed, so that a developer can sign a test delivery.
      await waitFor(/app secret "local-demo-app-secret" \(demo value\)/, 5_000);
      const [, page] = await waitFor(/curl '[^']+\/pages\/(\d+)\/conversations\?limit=5'/, 5_000);
      // Act
      const first = await fetch(`${url}/pages/${page}/conversations?limit=5`);
      const body = (await first.json()) as { data: unknown[]; paging: { next: string } };
      const next = await fetch(body.paging.next);
      await waitForLog(/ sync round pages=\d+ outcomes=/, 20_000);
      const since = new Date(Date.now() - 1_000).toISOString();
      const sent = await fetch(`${url}/_demo/message?page_id=${page}`, { method: 'POST' });
      const { conversation_id: written } = (await sent.json()) as { conversation_id: string };
      await waitForLog(/ sync round pages=\d+ outcomes=/, 1_000);
      let fresh: string[] = [];
      for (let attempt = 0; attempt < 50 && !fresh.includes(written); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const answer = await fetch(
          `${url}/pages/${page}/conversations?updated_since=${encodeURIComponent(since)}`,
        );
        fresh = ((await answer.json()) as { data: Array<{ id: string }> }).data.map(({ id }) => id);
      }
      const sync = (await (await fetch(`${url}/pages/${page}/sync`)).json()) as {
        partitions: Array<{ last_run: { outcome: string } | null }>;
      };
      await waitForLog(/pages checked/, 20_000);
      const registered = (await (await fetch(`${url}/pages/${page}`)).json()) as {
        webhooks: { status: string };
      };
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      const afterStop = await fetch(`${url}/health`).then(
        (response) => response.status,
        () => 'refused',
      );
      // Assess
      expect(first.status).toBe(200);
      expect(body.data).toHaveLength(5);
      expect(next.status).toBe(200);
      // The demo's webhook refreshed the conversation a seeded person wrote to, without waiting for a sync.
      expect(sent.status).toBe(202);
      expect(fresh).toEqual([written]);
      expect(sync.partitions.map((p) => p.last_run?.outcome)).toEqual([
        'complete',
        'complete',
        'complete',
        'complete',
      ]);
      // The demo's seeded Pages are subscribed to the webhooks, as connected Pages are; start-up read it.
      expect(registered.webhooks.status).toBe('subscribed');
      expect(code).toBe(0);
      expect(afterStop).toBe('refused');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('npm start refuses a setup that cannot work, saying what to set', () => {
  /** Runs the start script to its exit and returns its code and what it printed on stderr. */
  async function startWith(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stderr };
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  test('a busy port: exit 1 at once, naming PORT, and no stack trace', async () => {
    // Prepare: something already listens on the port.
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      // Act
      const { code, stderr } = await startWith({ PORT: String(port) });
      // Assess
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} is in use`);
      expect(stderr).toContain('PORT=');
      expect(stderr).not.toContain('EADDRINUSE');
    } finally {
      busy.close();
    }
  });

  test('only GRAPH_API_BASE_URL set: names PAGE_TOKENS_FILE instead of syncing demo Pages against it', async () => {
    const { code, stderr } = await startWith({ PORT: '0', GRAPH_API_BASE_URL: 'https://graph.example.com' });
    expect(code).toBe(1);
    expect(stderr).toContain('PAGE_TOKENS_FILE');
  });

  test('a LOG_LEVEL it does not know: names the values it takes', async () => {
    const { code, stderr } = await startWith({ PORT: '0', LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(stderr).toContain(
      'LOG_LEVEL must be "debug" or "info" or "warn" or "error" or "silent", not "loud"',
    );
  });
});

describe("npm start with the user's own secrets", () => {
  /** Every window of `length` characters of a secret: printing any part of it is printing it. */
  const windows = (secret: string, length = 8) =>
    Array.from({ length: secret.length - length + 1 }, (_, i) => secret.slice(i, i + length));

  test('prints and logs none of them, in full or in part: the banner shows (set)', async () => {
    // Prepare: a real-looking Page token and per-Page app secret in PAGE_TOKENS_FILE, a webhook app
    // secret and verify token, all random; a Graph emulator that accepts that token.
    const secret = () => randomBytes(30).toString('base64url');
    const [pageToken, pageAppSecret, appSecret, verifyToken] = [secret(), secret(), secret(), secret()];
    const page = {
      ...seedPage('4700000000000001', { perPartition: 3 }),
      accessToken: pageToken,
      appSecret: pageAppSecret,
    };
    const emulator = await startGraphEmulator({ pages: [page] });
    const dir = await mkdtemp(join(tmpdir(), 'npm-start-'));
    const tokensFile = join(dir, 'page-tokens.json');
    await writeFile(
      tokensFile,
      JSON.stringify({ [page.id]: { access_token: pageToken, app_secret: pageAppSecret } }),
    );
    // In its own directory: the runtime writes .local/runtime.json where it runs.
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), new URL('../lib/local/main.ts', import.meta.url).pathname],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          LOG_LEVEL: 'debug',
          GRAPH_API_BASE_URL: emulator.url,
          PAGE_TOKENS_FILE: tokensFile,
          META_APP_SECRET: appSecret,
          WEBHOOK_VERIFY_TOKEN: verifyToken,
          SYNC_INTERVAL_SECONDS: '3600',
          SYNC_PLATFORMS: 'messenger',
          SYNC_FOLDERS: 'inbox',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let printed = '';
    const waitFor = collect(child.stdout);
    const waitForLog = collect(child.stderr);
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    try {
      const [, url] = await waitFor(/listening on (http:\/\/localhost:\d+)/, 30_000);
      await waitFor(/curl '[^']+\/openapi.json'/, 5_000);
      await waitForLog(/ pages checked /, 20_000);
      // Act: what makes the runtime log: a sync, Graph rejecting the token, webhook requests signed
      // right and wrong, a verify token given wrong.
      const delivery = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: page.id,
            time: Date.now(),
            messaging: [
              {
                sender: { id: '5550001' },
                recipient: { id: page.id },
                timestamp: Date.now(),
                message: { mid: 'm.1', text: 'hi' },
              },
            ],
          },
        ],
      });
      const signed = `sha256=${createHmac('sha256', appSecret).update(delivery).digest('hex')}`;
      const answers = [
        await fetch(`${url}/webhooks/meta`, {
          method: 'POST',
          body: delivery,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signed },
        }),
        await fetch(`${url}/webhooks/meta`, {
          method: 'POST',
          body: delivery,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
        }),
        await fetch(`${url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`),
        await fetch(
          `${url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1`,
        ),
        await fetch(`${url}/pages/${page.id}/sync`, { method: 'POST' }),
      ];
      emulator.inject({
        kind: 'graph-error',
        pageId: page.id,
        status: 400,
        times: 2,
        error: {
          message: `Error validating access token ${pageToken}`,
          type: 'OAuthException',
          code: 190,
          error_subcode: 460,
        },
      });
      const rejected = await fetch(`${url}/pages/${page.id}/conversations`);
      child.kill('SIGTERM');
      await once(child, 'exit');
      // Assess
      expect(answers.map((answer) => answer.status)).toEqual([200, 403, 403, 200, 202]);
      expect(rejected.status).toBe(502);
      expect(printed).toMatch(/verify token \(set\), app secret \(set\)/);
      for (const [name, value] of Object.entries({ pageToken, pageAppSecret, appSecret, verifyToken })) {
        const seen = windows(value).filter((part) => printed.includes(part));
        expect(seen, `${name} printed`).toEqual([]);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
