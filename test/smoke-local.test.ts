import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CheckResult, formatResult, parseSmokeArgs, runSmoke, UsageError } from '#lib/cli/smoke.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';

const run = promisify(execFile);
const SMOKE = new URL('../lib/cli/smoke.ts', import.meta.url).pathname;
const PAGE = DEMO_PAGE_IDS[0];

/** The smoke command in its own process, as an operator runs it; its exit code instead of a throw. */
async function smoke(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', SMOKE, ...args], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const statuses = (results: CheckResult[]) => results.map((r) => `${r.name}:${r.status}`);

describe('npm run smoke against the local runtime', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test('without --page and with no Page registered, the page check says how to register one', async () => {
    // Act
    const results = await runSmoke({ baseUrl: harness.api.url, auth: { type: 'none' } }, () => {});
    // Assess
    expect(statuses(results)).toEqual([
      'health:PASS',
      'openapi:PASS',
      'page:FAIL',
      'conversations:SKIP',
      'sync:SKIP',
    ]);
    expect(results[2]?.fix).toContain('npm run pages -- connect');
  });

  test('without --page, the first registered Page is checked', async () => {
    // Prepare
    for (const pageId of DEMO_PAGE_IDS)
      await harness.services.registry.register({ pageId, token: { kind: 'page-secret' } });
    // Act
    const results = await runSmoke({ baseUrl: harness.api.url, auth: { type: 'none' } }, () => {});
    // Assess
    expect(results.every((r) => r.status === 'PASS')).toBe(true);
    expect(results[2]?.detail).toMatch(new RegExp(`^Page ${DEMO_PAGE_IDS[0]}, the first of GET /pages`));
  });

  // After the test above: the sync routes answer for registered Pages only.
  test('every check passes, one line each, and the command exits 0', async () => {
    // Act
    const { code, stdout } = await smoke(['--url', harness.api.url, '--no-auth', '--page', PAGE]);
    // Assess
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 5).map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'PASS health',
      'PASS openapi',
      'PASS page',
      'PASS conversations',
      'PASS sync',
    ]);
    expect(lines.at(-1)).toBe(`smoke: 5 passed, 0 failed against ${harness.api.url}`);
  });

  test('an unknown Page fails the conversations and sync checks, saying how to register it', async () => {
    // Act
    const lines: string[] = [];
    const results = await runSmoke(
      { baseUrl: harness.api.url, auth: { type: 'none' }, pageId: '999999999999999' },
      (result) => lines.push(formatResult(result)),
    );
    // Assess
    expect(statuses(results)).toEqual([
      'health:PASS',
      'openapi:PASS',
      'page:PASS',
      'conversations:FAIL',
      'sync:FAIL',
    ]);
    expect(results[3]?.fix).toContain('npm run pages -- add');
    expect(lines.join('\n')).toContain('unknown_page');
  });

  test('a failed sync run fails the sync check with the fix for its error', async () => {
    // Prepare: Graph rejects the Page's token for the whole run.
    const page = DEMO_PAGE_IDS[1];
    harness.emulator.inject({
      kind: 'graph-error',
      pageId: page,
      status: 400,
      error: { message: 'Error validating access token', type: 'OAuthException', code: 190 },
    });
    await harness.call(`/pages/${page}/sync`, { method: 'POST' });
    await harness.services.runner?.idle();
    // Act
    const results = await runSmoke(
      { baseUrl: harness.api.url, auth: { type: 'none' }, pageId: page },
      () => {},
    );
    // Assess
    const sync = results.find((r) => r.name === 'sync');
    expect(sync?.status).toBe('FAIL');
    expect(sync?.detail).toContain('page_token_invalid');
    expect(sync?.fix).toContain('store a new one');
  });
});

describe('npm run smoke against what is not a working API', () => {
  test('a closed port fails health as a wrong URL, skips the rest, and exits 1', async () => {
    // Prepare
    const url = await closedPortUrl();
    // Act
    const { code, stdout } = await smoke(['--url', url, '--no-auth', '--page', PAGE]);
    // Assess
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^FAIL {2}health .*ECONNREFUSED/);
    expect(lines[1]).toContain('-> wrong URL or no network: check --url');
    expect(lines.filter((line) => line.startsWith('SKIP'))).toHaveLength(4);
    expect(lines.at(-1)).toBe(`smoke: 0 passed, 1 failed against ${url}`);
  });

  test.each([
    [
      'sigv4',
      {
        type: 'sigv4',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      },
      'execute-api:Invoke',
    ],
    ['jwt', { type: 'jwt', token: 'header.payload.signature' }, 'jwtIssuer'],
    ['no auth', { type: 'none' }, 'drop --no-auth'],
  ] as const)(
    "API Gateway's 403 with %s says what to fix about authorization",
    async (_label, auth, advice) => {
      // Prepare: what API Gateway answers when IAM or the JWT authorizer refuses, before any function runs.
      const gateway = createServer((_request, response) => {
        response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
      });
      await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
      const baseUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`;
      try {
        // Act
        const results = await runSmoke({ baseUrl, auth, pageId: PAGE }, () => {});
        // Assess
        expect(results[0]).toMatchObject({ name: 'health', status: 'FAIL' });
        expect(results[0]?.fix).toContain(advice);
      } finally {
        await new Promise((resolve) => gateway.close(resolve));
      }
    },
  );

  test('a DynamoDB that went away fails the Page checks as 503, pointing at DynamoDB and Secrets', async () => {
    // Prepare
    const harness = await startHarness();
    try {
      await harness.dynamo.close();
      // Act
      const results = await runSmoke(
        { baseUrl: harness.api.url, auth: { type: 'none' }, pageId: PAGE },
        () => {},
      );
      // Assess
      expect(statuses(results)).toEqual([
        'health:PASS',
        'openapi:PASS',
        'page:PASS',
        'conversations:FAIL',
        'sync:FAIL',
      ]);
      expect(results[4]?.detail).toContain('503');
      expect(results[4]?.fix).toContain('DynamoDB or Secrets Manager');
    } finally {
      await harness.api.close();
      await harness.services.graph.close();
      await harness.emulator.close();
    }
  });
});

/** A loopback server answering every request with `handler`; closed by the returned function. */
async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// AWS's own documentation example keys, for the SDK's default chain in the smoke process.
const EXAMPLE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'example-session-token',
  AWS_PROFILE: '',
};

describe('npm run smoke against a hostile server', () => {
  test('a URL that redirects fails health and exits 1; the signed request never reaches the other host', async () => {
    // Prepare: the other host would answer {"status":"ok"} to anything.
    const received: string[] = [];
    const elsewhere = await serve((request, response) => {
      received.push(Object.keys(request.headers).join(','));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    const redirecting = await serve((request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}${request.url}` }).end();
    });
    try {
      // Act
      const { code, stdout } = await smoke(
        ['--url', redirecting.url, '--region', 'eu-west-1', '--page', PAGE],
        EXAMPLE_AWS_ENV,
      );
      // Assess
      expect(code).toBe(1);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^FAIL {2}health .*answered 302/);
      expect(lines[1]).toContain(`-> --url redirects to ${elsewhere.url}`);
      expect(stdout).not.toContain('PASS');
      expect(received).toEqual([]);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });

  test('a 50 MB answer fails health as larger than the API ever sends, and exits 1', async () => {
    // Prepare: a body without end, sent as fast as it is read.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const endless = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      let written = 0;
      const pump = () => {
        while (written < 50 * 1024 * 1024 && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    try {
      // Act
      const { code, stdout } = await smoke(['--url', endless.url, '--no-auth', '--page', PAGE]);
      // Assess
      expect(code).toBe(1);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^FAIL {2}health .*larger than 10485760 bytes/);
      expect(lines[1]).toContain('-> the answer is larger than this API ever sends');
    } finally {
      await endless.close();
    }
  });

  test('answers of 9 MB (under the cap) are cut in what smoke prints, not printed whole', async () => {
    // Prepare: /health says ok with 9 MB more; every other route is an error with a 9 MB message.
    const huge = 'A'.repeat(9 * 1024 * 1024);
    const server = await serve((request, response) => {
      if (request.url === '/health')
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'ok', huge }));
      else
        response
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'internal_error', message: `\u001b[2J${huge}` } }));
    });
    try {
      // Act
      const { code, stdout } = await smoke(['--url', server.url, '--no-auth', '--page', PAGE]);
      // Assess
      expect(code).toBe(1);
      expect(stdout.length).toBeLessThan(5_000);
      expect(stdout).not.toContain('\u001b');
      expect(stdout).toMatch(/FAIL {2}openapi .*internal_error: +\[2JA+… \(\d+ more characters\)/);
    } finally {
      await server.close();
    }
  });
});

describe('the smoke command line', () => {
  test.each([
    [[], '--url is required'],
    [['--url', 'http://x', '--stack', 'PageConversations'], "Unknown option '--stack'"],
    [['--url', 'http://x', '--jwt', 'token.txt', '--no-auth'], 'exclude each other'],
    [['--url', 'http://x', '--page', '12a'], 'digits'],
    [['--url', 'http://x', '--token', 'abc'], "Unknown option '--token'"],
  ])('%j is refused: %s', (argv, complaint) => {
    expect(() => parseSmokeArgs(argv, () => 'jwt')).toThrow(UsageError);
    expect(() => parseSmokeArgs(argv, () => 'jwt')).toThrow(complaint);
  });

  test.each([
    [['--url', 'https://a.execute-api.eu-west-1.amazonaws.com/'], { type: 'sigv4' }],
    [['--url', 'https://api.example.com/', '--region', 'eu-west-1'], { type: 'sigv4', region: 'eu-west-1' }],
    [['--url', 'https://api.example.com/', '--jwt', 'token.txt'], { type: 'jwt', token: 'jwt-from-file' }],
    [['--url', 'http://localhost:3000', '--no-auth'], { type: 'none' }],
  ])('%j authorizes with %j', (argv, auth) => {
    expect(parseSmokeArgs(argv, () => 'jwt-from-file\n').auth).toEqual(auth);
  });

  test('a wrong command line exits 2 with the usage, and calls nothing', async () => {
    const { code, stderr, stdout } = await smoke(['--stack', 'PageConversations']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run smoke');
    expect(stdout).toBe('');
  });
});
