import { describe, expect, test } from 'vitest';
import { loadConfig, requireLambdaSettings } from '#lib/config/config.js';

describe('configuration', () => {
  test('no variables at all is the local demo with the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      demo: true,
      graph: { baseUrl: 'https://graph.facebook.com', version: 'v24.0' },
      sync: { platforms: ['messenger', 'instagram'], folders: ['inbox', 'other'], intervalSeconds: 300 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('lists are parsed case-blind and deduplicated; a Graph origin ends demo mode', () => {
    const config = loadConfig({
      SYNC_FOLDERS: 'Inbox, spam,inbox',
      GRAPH_API_BASE_URL: 'http://127.0.0.1:9/x',
    });
    expect(config.sync.folders).toEqual(['inbox', 'spam']);
    expect(config.graph.baseUrl).toBe('http://127.0.0.1:9');
    expect(config.demo).toBe(false);
  });

  test.each([
    ['PORT', { PORT: 'eighty' }],
    ['SYNC_PLATFORMS', { SYNC_PLATFORMS: 'messenger,whatsapp' }],
    ['SYNC_MAX_GRAPH_CALLS', { SYNC_MAX_GRAPH_CALLS: '0' }],
    ['GRAPH_API_VERSION', { GRAPH_API_VERSION: '24' }],
    ['GRAPH_API_BASE_URL', { GRAPH_API_BASE_URL: 'graph.facebook.com' }],
    ['SYNC_INTERVAL_SECONDS', { SYNC_INTERVAL_SECONDS: '-1' }],
  ])('a bad %s fails at start, naming the variable', (name, env) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  test('Lambda needs its table and secret prefix, and says which is missing', () => {
    expect(() => requireLambdaSettings(loadConfig({ TOKEN_SECRET_PREFIX: 'p/' }))).toThrow('TABLE_NAME');
    expect(() => requireLambdaSettings(loadConfig({ TABLE_NAME: 't' }))).toThrow('TOKEN_SECRET_PREFIX');
  });
});
