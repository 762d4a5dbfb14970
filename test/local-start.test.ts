import { spawn } from 'node:child_process';
import { once } from 'node:events';
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
    try {
      const [, url] = await waitFor(/listening on (http:\/\/localhost:\d+)/, 20_000);
      const [, page] = await waitFor(/curl '[^']+\/pages\/(\d+)\/conversations\?limit=5'/, 5_000);
      // Act
      const first = await fetch(`${url}/pages/${page}/conversations?limit=5`);
      const body = (await first.json()) as { data: unknown[]; paging: { next: string } };
      const next = await fetch(body.paging.next);
      await waitFor(/"message":"sync round"/, 20_000);
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
