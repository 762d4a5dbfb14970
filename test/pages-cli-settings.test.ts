import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `npm run pages` in AWS reads the Graph origin and version by the settings' rules, as Lambda and
 * `npm start` do: a plain-http origin to another host would send Page and user tokens in clear text.
 * The command stops before any call, naming the variable.
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');

/** `npm run pages -- list` against AWS (TABLE_NAME set), with offline credentials and no endpoint. */
async function pagesList(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/cli/pages.ts', 'list'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: 'pages-cli-settings',
        TOKEN_SECRET_PREFIX: 'pages-cli/page-',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDPAGESCLISETTINGS',
        AWS_SECRET_ACCESS_KEY: 'pages-cli-settings-test',
        // Nothing may be reached: a call that got this far would fail on this closed port.
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
        ...env,
      },
    });
    return { code: 0, stderr: '' };
  } catch (error: unknown) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('npm run pages reads its Graph settings by their rules', () => {
  it.each([
    ['GRAPH_API_BASE_URL', 'http://graph.example.com', 'must be an absolute https URL'],
    ['GRAPH_API_BASE_URL', 'graph.facebook.com', 'must be an absolute https URL'],
    ['GRAPH_API_VERSION', '24.0', 'must look like v24.0'],
    // A prefix that would name other deployments' secrets, as the stack refuses it.
    ['TOKEN_SECRET_PREFIX', 'p', 'must be'],
    ['DYNAMODB_ENDPOINT', 'dynamodb.local', 'must be an absolute http(s) URL'],
  ])(
    '%s=%s is refused before any call, naming the variable',
    async (name, value, problem) => {
      // Act
      const { code, stderr } = await pagesList({ [name]: value });

      // Assess
      expect(code).toBe(1);
      expect(stderr).toContain(`${name} ${problem}`);
    },
    60_000,
  );
});
