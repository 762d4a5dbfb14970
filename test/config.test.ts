import { describe, expect, expectTypeOf, it, test } from 'vitest';
import { type Config, type LambdaConfig, loadConfig, loadLambdaConfig } from '#lib/config/config.js';
import { LAMBDA_FUNCTIONS, type LambdaFunction } from '#lib/config/setting.js';
import type { SettingInput } from '#lib/config/setting-rules.js';
import { checkSetting, SETTINGS, type Setting } from '#lib/config/settings.js';

describe('configuration', () => {
  test('no variables at all is the local demo with the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      demo: true,
      graphApiBaseUrl: 'https://graph.facebook.com',
      graphApiVersion: 'v24.0',
      syncPlatforms: ['messenger', 'instagram'],
      syncFolders: ['inbox', 'other'],
      syncIntervalSeconds: 300,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('lists are parsed case-blind and deduplicated; a Graph origin ends demo mode', () => {
    const config = loadConfig({
      SYNC_FOLDERS: 'Inbox, spam,inbox',
      GRAPH_API_BASE_URL: 'http://127.0.0.1:9/x',
    });
    expect(config.syncFolders).toEqual(['inbox', 'spam']);
    expect(config.graphApiBaseUrl).toBe('http://127.0.0.1:9');
    expect(config.demo).toBe(false);
  });

  test.each([
    ['PORT', { PORT: 'eighty' }],
    ['SYNC_PLATFORMS', { SYNC_PLATFORMS: 'messenger,whatsapp' }],
    ['SYNC_MAX_GRAPH_CALLS', { SYNC_MAX_GRAPH_CALLS: '0' }],
    ['GRAPH_API_VERSION', { GRAPH_API_VERSION: '24' }],
    ['GRAPH_API_BASE_URL', { GRAPH_API_BASE_URL: 'graph.facebook.com' }],
    ['SYNC_INTERVAL_SECONDS', { SYNC_INTERVAL_SECONDS: '-1' }],
    ['GRAPH_API_BASE_URL', { GRAPH_API_BASE_URL: 'http://graph.example.com' }],
    ['TOKEN_SECRET_PREFIX', { TOKEN_SECRET_PREFIX: 'pages/*' }],
  ])('a bad %s fails at start, naming the variable', (name, env) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  test('Lambda needs its table and secret prefix, and says which is missing', () => {
    const queue = {
      SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync',
      PRIVACY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/erasure',
    };
    expect(() => loadLambdaConfig('api', { ...queue, TOKEN_SECRET_PREFIX: 'pages/' })).toThrow(
      'TABLE_NAME must be set in Lambda (function api).',
    );
    expect(() => loadLambdaConfig('api', { ...queue, TABLE_NAME: 't' })).toThrow(
      'TOKEN_SECRET_PREFIX must be set in Lambda (function api).',
    );
  });

  // What each entry point cannot start without (the settings table's requiredBy), named all at once.
  it.each<[LambdaFunction, string]>([
    ['api', 'TOKEN_SECRET_PREFIX, TABLE_NAME, SYNC_QUEUE_URL and PRIVACY_QUEUE_URL'],
    ['sync-schedule', 'TABLE_NAME and SYNC_QUEUE_URL'],
    ['sync-worker', 'TOKEN_SECRET_PREFIX, TABLE_NAME and PERSON_KEY_SECRET_ID'],
    ['webhook-receiver', 'TABLE_NAME, WEBHOOK_SECRET_ID, WEBHOOK_QUEUE_URL and PRIVACY_QUEUE_URL'],
    ['webhook-refresh', 'TOKEN_SECRET_PREFIX, TABLE_NAME, WEBHOOK_QUEUE_URL and PERSON_KEY_SECRET_ID'],
    ['erasure', 'TABLE_NAME and PERSON_KEY_SECRET_ID'],
  ])('the %s function refuses to start without %s', (fn, names) => {
    expect(() => loadLambdaConfig(fn, {})).toThrow(`${names} must be set in Lambda (function ${fn}).`);
  });

  test('a Lambda function reads only what Lambda reads: a local setting, even a bad one, is left at its default', () => {
    // Act
    const config = loadLambdaConfig('webhook-receiver', {
      TABLE_NAME: 'table',
      PRIVACY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/erasure',
      WEBHOOK_SECRET_ID: 'acme/meta-webhooks',
      WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/refresh',
      PORT: 'eighty',
      LOG_LEVEL: 'CRITICAL',
      EVENTS_FILE: '/tmp/events.jsonl',
      META_APP_SECRET: 'a-local-app-secret',
    });

    // Assess
    expect(config).toMatchObject({
      webhookSecretId: 'acme/meta-webhooks',
      port: 3000,
      logLevel: 'info',
      eventsFile: undefined,
      metaAppSecret: undefined,
      demo: false,
    });
    expect(LAMBDA_FUNCTIONS).toContain('webhook-receiver');
  });

  test('Config has one property per variable of the settings table, typed by its rule (checked by tsc)', () => {
    // Checked by tsc (npm run lint): expectTypeOf does nothing at run time.
    expectTypeOf<Config['port']>().toEqualTypeOf<number>();
    expectTypeOf<Config['syncMaxGraphCalls']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Config['syncFolders']>().toEqualTypeOf<
      readonly ('inbox' | 'other' | 'page_done' | 'spam')[]
    >();
    expectTypeOf<LambdaConfig<'api'>['tableName']>().toEqualTypeOf<string>();
    expectTypeOf<LambdaConfig<'webhook-receiver'>['tokenSecretPrefix']>().toEqualTypeOf<string | undefined>();
    const variables = Object.entries(SETTINGS).flatMap(([key, setting]: [string, Setting<unknown>]) =>
      setting.env === undefined ? [] : [key],
    );
    expect(Object.keys(loadConfig({})).sort()).toEqual([...variables, 'demo'].sort());
  });
});

describe('setting rules (lib/config/settings.ts), the same for env, CDK props and context', () => {
  const { graphApiBaseUrl, syncFolders, syncConcurrency, graphApiVersion, tokenSecretPrefix, jwtIssuer } =
    SETTINGS;

  it.each<[string, SettingInput, string]>([
    ['https to any host', 'https://graph.facebook.com/x', 'https://graph.facebook.com'],
    ['http to 127.0.0.1', 'http://127.0.0.1:9', 'http://127.0.0.1:9'],
    ['http to anywhere in 127.0.0.0/8', 'http://127.20.30.40:8080', 'http://127.20.30.40:8080'],
    ['http to localhost', 'http://localhost:3001/', 'http://localhost:3001'],
    ['http to [::1]', 'http://[::1]:3001', 'http://[::1]:3001'],
  ])('GRAPH_API_BASE_URL accepts %s, keeping the origin', (_, input, origin) => {
    // Act
    const checked = checkSetting(graphApiBaseUrl, input);

    // Assess
    expect(checked).toEqual({ ok: true, value: origin });
  });

  it.each<[string, SettingInput]>([
    ['http to a remote host (tokens in clear text)', 'http://graph.example.com'],
    ['http to a host that only starts like loopback', 'http://127.0.0.1.example.com'],
    ['http to a private address', 'http://10.0.0.1'],
    ['http to the unspecified address', 'http://0.0.0.0:9'],
    ['another scheme', 'ftp://graph.example.com'],
    ['no scheme', 'graph.facebook.com'],
    ['a path alone', '/graph'],
  ])('GRAPH_API_BASE_URL rejects %s', (_, input) => {
    // Act
    const checked = checkSetting(graphApiBaseUrl, input);

    // Assess
    expect(checked).toEqual({
      ok: false,
      problem: expect.stringMatching(/^must be an absolute https URL \(http only to a loopback host/),
    });
  });

  it.each<[string, Setting<unknown>, SettingInput, unknown]>([
    ['a whole number at the top of its range', syncConcurrency, '1000', 1000],
    ['a whole number given as a number', syncConcurrency, 2, 2],
    [
      'folders case-blind, in canonical order, repeats and empty entries dropped',
      syncFolders,
      'Spam, inbox,,spam',
      ['inbox', 'spam'],
    ],
    ['folders given as a list', syncFolders, ['other', 'inbox'], ['inbox', 'other']],
    ['a Graph version', graphApiVersion, ' v23.0 ', 'v23.0'],
    [
      "a secret prefix with a secret name's characters",
      tokenSecretPrefix,
      'acme/fb_page+=.@-',
      'acme/fb_page+=.@-',
    ],
    [
      'a JWT issuer kept with its path',
      jwtIssuer,
      'https://auth.example.com/pool/',
      'https://auth.example.com/pool/',
    ],
  ])('accepts %s', (_, setting, input, value) => {
    expect(checkSetting(setting, input)).toEqual({ ok: true, value });
  });

  it.each<[string, Setting<unknown>, SettingInput, string]>([
    [
      'a whole number below its range',
      syncConcurrency,
      '1',
      'must be a whole number from 2 to 1000, not "1"',
    ],
    ['a typed number below its range', syncConcurrency, 1, 'must be a whole number from 2 to 1000, not 1'],
    ['a fraction', syncConcurrency, 2.5, 'must be a whole number from 2 to 1000, not 2.5'],
    ['a signed number', syncConcurrency, '+5', 'must be a whole number from 2 to 1000, not "+5"'],
    ['an exponent', syncConcurrency, '1e3', 'must be a whole number from 2 to 1000, not "1e3"'],
    [
      'a number below a minimum-only range',
      SETTINGS.syncScheduleMinutes,
      0,
      'must be a whole number of at least 1, not 0',
    ],
    [
      'an unknown folder in text',
      syncFolders,
      'inbox,archive',
      'takes a comma list of inbox, other, page_done, spam; got "inbox,archive"',
    ],
    [
      'an unknown folder in a list',
      syncFolders,
      ['archive'],
      'takes one or more of inbox, other, page_done, spam; got [archive]',
    ],
    ['an empty list', syncFolders, ' , ', 'takes a comma list of inbox, other, page_done, spam; got " , "'],
    ['a Graph version without v', graphApiVersion, '24.0', 'must look like v24.0, not "24.0"'],
    ['a secret prefix with a wildcard', tokenSecretPrefix, 'page-*', 'got "page-*"'],
    [
      'a JWT issuer over http, even to loopback',
      jwtIssuer,
      'http://localhost/',
      'must be the https URL of the JWT issuer',
    ],
    [
      'an authorization that is neither',
      SETTINGS.authorization,
      'cognito',
      'must be "iam" or "jwt", not "cognito"',
    ],
    [
      'an empty audience entry from props',
      SETTINGS.jwtAudience,
      ['a', ' '],
      'must list at least one non-empty audience',
    ],
  ])('rejects %s, saying what it takes', (_, setting, input, problem) => {
    // Act
    const checked = checkSetting(setting, input);

    // Assess
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.problem).toContain(problem);
  });

  it('declares each environment variable, prop and context key once', () => {
    // Act
    const names = Object.values(SETTINGS).flatMap((setting: Setting<unknown>) =>
      [setting.env, setting.prop, setting.context && `-c ${setting.context}`].filter(
        (name) => name !== undefined,
      ),
    );

    // Assess
    expect(names.length).toBeGreaterThan(20);
    expect(new Set(names).size).toBe(names.length);
  });
});
