import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';

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
    expect(stderr).toContain('LOG_LEVEL takes debug, info, warn, error, silent');
  });
});
