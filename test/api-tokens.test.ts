import {
  GetSecretValueCommand,
  ListSecretsCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import type { PageCredentials, TokenSource } from '#lib/tokens/token-source.js';
import { type Harness, startHarness, tokensOf } from './support/harness.js';

const [PAGE, SECOND_PAGE, PROOF_PAGE] = DEMO_PAGE_IDS;
const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

/**
 * Answers GetSecretValue from the emulator's pages, as Secrets Manager would from real secrets; with
 * `failFirst`, the first read fails as a dropped connection would.
 */
function serveSecrets(harness: Harness, prefix: string, options: { failFirst?: boolean } = {}) {
  const stub = secretsManager.on(GetSecretValueCommand);
  (options.failFirst ? stub.rejectsOnce(new Error('socket hang up')) : stub).callsFake(
    (input: { SecretId: string }) => {
      const pageId = input.SecretId.slice(prefix.length);
      const page = harness.emulator.pages.get(pageId);
      if (!input.SecretId.startsWith(prefix) || page === undefined) {
        throw new ResourceNotFoundException({
          message: 'Secrets Manager can’t find the specified secret.',
          $metadata: {},
        });
      }
      return {
        SecretString: page.appSecret
          ? JSON.stringify({ access_token: page.accessToken, app_secret: page.appSecret })
          : page.accessToken,
      };
    },
  );
}

function secretReads(): number {
  return secretsManager.commandCalls(GetSecretValueCommand).length;
}

describe('page tokens from Secrets Manager', () => {
  const prefix = 'page-conversations/page-';
  /** The real token source over a mocked client: Secrets Manager has no local server here. */
  const secretsTokenSource = (now?: () => number) =>
    new SecretsManagerTokenSource({
      client: new SecretsManagerClient({ region: 'us-east-1' }),
      prefix,
      ...(now ? { now } : {}),
    });

  test('are read once per page per cache period under repeated requests', async () => {
    // Prepare
    let clock = Date.parse('2026-11-25T12:00:00Z');
    const tokens = secretsTokenSource(() => clock);
    const harness = await startHarness({ tokens });
    serveSecrets(harness, prefix);
    try {
      // Act
      for (let i = 0; i < 10; i++)
        expect((await harness.call(`/pages/${PAGE}/conversations?limit=1`)).status).toBe(200);
      await Promise.all(
        Array.from({ length: 5 }, () => harness.call(`/pages/${PROOF_PAGE}/conversations?limit=1`)),
      );
      // Assess
      expect(secretReads()).toBe(2);
      clock += 301_000;
      await harness.call(`/pages/${PAGE}/conversations?limit=1`);
      expect(secretReads()).toBe(3);
    } finally {
      await harness.close();
    }
  });

  test('a JSON secret with an app secret makes calls carry a valid appsecret_proof', async () => {
    const tokens = secretsTokenSource();
    const harness = await startHarness({ tokens });
    serveSecrets(harness, prefix);
    try {
      const answer = await harness.call(`/pages/${PROOF_PAGE}/conversations?limit=2`);
      expect(answer.status).toBe(200);
      expect(harness.emulator.calls.at(-1)?.params).toHaveProperty('appsecret_time');
    } finally {
      await harness.close();
    }
  });

  test('a rotated token is picked up on Graph code 190 with exactly one re-read', async () => {
    // Prepare
    const tokens = secretsTokenSource();
    const harness = await startHarness({ tokens });
    serveSecrets(harness, prefix);
    try {
      expect((await harness.call(`/pages/${PAGE}/conversations?limit=1`)).status).toBe(200);
      const page = harness.emulator.pages.get(PAGE);
      if (page === undefined) throw new Error('no page');
      page.accessToken = 'EMULATOR-TOKEN-ROTATED';
      harness.emulator.resetCalls();
      // Act
      const answer = await harness.call(`/pages/${PAGE}/conversations?limit=1`);
      // Assess
      expect(answer.status).toBe(200);
      expect(secretReads()).toBe(2);
      expect(harness.emulator.callCount()).toBe(2);
    } finally {
      await harness.close();
    }
  });

  test('a missing secret is 404 unknown_page, and an unreachable Secrets Manager is 503 and not cached', async () => {
    const tokens = secretsTokenSource();
    const harness = await startHarness({ tokens });
    try {
      serveSecrets(harness, prefix, { failFirst: true });
      const failed = await harness.call(`/pages/${PAGE}/conversations?limit=1`);
      expect(failed.status).toBe(503);
      expect((failed.body as { error: { code: string } }).error.code).toBe('unavailable');
      expect((await harness.call(`/pages/${PAGE}/conversations?limit=1`)).status).toBe(200);
      const unknown = await harness.call('/pages/4242/conversations');
      expect(unknown.status).toBe(404);
      expect((unknown.body as { error: { code: string } }).error.code).toBe('unknown_page');
    } finally {
      await harness.close();
    }
  });

  test('the pages to sync come from the registry, never from a listing of secrets', async () => {
    // Prepare
    secretsManager.on(ListSecretsCommand).resolves({ SecretList: [{ Name: `${prefix}111` }] });
    const registry = { find: async () => undefined, listPageIds: async () => ['222', '333'] };
    const withRegistry = new SecretsManagerTokenSource({
      client: new SecretsManagerClient({ region: 'us-east-1' }),
      prefix,
      registry,
    });
    // Act
    const pageIds = await withRegistry.listPageIds();
    // Assess
    expect(pageIds).toEqual(['222', '333']);
    await expect(secretsTokenSource().listPageIds()).rejects.toThrow(/registry/);
    expect(secretsManager.commandCalls(ListSecretsCommand)).toHaveLength(0);
  });
});

describe('secrets never leak', () => {
  test('no token or app secret reaches the logs or any response, including on errors', async () => {
    // Prepare: the real Powertools logger, its output captured where Lambda would read it.
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        printed.push(String(chunk));
        return typeof rest[0] === 'function' ? write(chunk) : true;
      });
    const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const reloads: string[] = [];
    let harness: Harness | undefined;
    const responses: string[] = [];
    try {
      const base = await startHarness({ logger: createLogger('leak-test') });
      harness = base;
      const known = tokensOf(base.emulator);
      const tokens: TokenSource = {
        get: async (pageId) => lookup(known, pageId),
        reload: async (pageId) => {
          reloads.push(pageId);
          return lookup(known, pageId);
        },
        listPageIds: async () => [...known.keys()],
      };
      Object.assign(base.services.conversations, { tokens });
      // Act: success, every kind of failure, and a bug.
      const paths = [
        `/pages/${PAGE}/conversations`,
        `/pages/${PROOF_PAGE}/conversations`,
        `/pages/${PAGE}/conversations?limit=0`,
      ];
      for (const path of paths) responses.push((await base.call(path)).text);
      for (const code of [190, 100, 613]) {
        base.emulator.inject({
          kind: 'graph-error',
          status: 400,
          error: {
            message: `(#${code}) bad token ${known.get(PAGE)?.accessToken}`,
            type: 'OAuthException',
            code,
          },
        });
        responses.push((await base.call(`/pages/${PAGE}/conversations?folder=spam`)).text);
      }
      base.emulator.inject({ kind: 'malformed', times: 3 });
      responses.push((await base.call(`/pages/${PROOF_PAGE}/conversations`)).text);
      Object.assign(base.services.conversations, {
        tokens: {
          ...tokens,
          get: async () => {
            throw new Error(`boom ${known.get(PAGE)?.accessToken}`);
          },
        },
      });
      // The page not throttled by the 613 above, so that the request reaches the token source.
      responses.push((await base.call(`/pages/${SECOND_PAGE}/conversations?folder=other`)).text);
      // Assess
      const secrets = [...known.values()]
        .flatMap((c) => [c.accessToken, c.appSecret])
        .filter((s): s is string => !!s);
      expect(secrets.length).toBeGreaterThan(3);
      expect(printed.join('').length).toBeGreaterThan(0);
      expect(reloads).toEqual([PAGE]);
      for (const secret of secrets) {
        for (const text of responses) expect(text).not.toContain(secret);
      }
      // The bug's message carried a token on purpose: the logs show the error, scrubbed.
      const logs = printed.join('');
      for (const secret of secrets) expect(logs).not.toContain(secret);
      expect(logs).toContain('"status":500');
      expect(logs).toContain('boom [redacted]');
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
      await harness?.close();
    }
  });
});

function lookup(known: Map<string, PageCredentials>, pageId: string): PageCredentials {
  const credentials = known.get(pageId);
  if (credentials === undefined) throw new Error('unknown');
  return credentials;
}
