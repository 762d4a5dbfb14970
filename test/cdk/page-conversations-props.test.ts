import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import type { Folder, Platform } from '#lib/domain/vocabulary.js';
import { stackFromContext } from '../../cdk/app-context.js';
import {
  type PageConversationsProps,
  PageConversationsPropsError,
  resolveProps,
} from '../../cdk/page-conversations.js';
import { PageConversationsStack } from '../../cdk/page-conversations-stack.js';

const valid: PageConversationsProps = { tokenSecretPrefix: 'page-conversations/page-' };

describe('PageConversations props', () => {
  it('fills in the documented defaults', () => {
    // Act
    const resolved = resolveProps(valid);

    // Assess
    expect(resolved).toMatchObject({
      tokenSecretPrefix: 'page-conversations/page-',
      syncPlatforms: ['messenger', 'instagram'],
      syncFolders: ['inbox', 'other'],
      syncMaxGraphCalls: undefined,
      // 1,000 expected Pages every 15 minutes: ⌈1,000 × 1.436 s ÷ (900 s × 0.5 × 10)⌉, at least 2.
      expectedPages: 1000,
      syncConcurrency: 2,
      webhookRateLimit: 20,
      dashboard: true,
      authorization: { type: 'iam' },
      memorySize: 256,
      logRetention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
      graphApiVersion: 'v24.0',
      graphApiBaseUrl: 'https://graph.facebook.com',
    });
    expect(resolved.syncSchedule.expressionString).toBe('rate(15 minutes)');
  });

  it('accepts the limits themselves', () => {
    // Act
    const resolved = resolveProps({
      ...valid,
      syncSchedule: 1,
      syncConcurrency: 1000,
      memorySize: 10_240,
      syncMaxGraphCalls: 1,
    });

    // Assess
    expect(resolved.syncSchedule.expressionString).toBe('rate(1 minute)');
    expect([resolved.syncConcurrency, resolved.memorySize, resolved.syncMaxGraphCalls]).toEqual([
      1000, 10_240, 1,
    ]);
    expect(resolveProps({ ...valid, syncConcurrency: 2, memorySize: 128 })).toMatchObject({
      syncConcurrency: 2,
      memorySize: 128,
    });
  });

  it.each<[string, Partial<PageConversationsProps>, RegExp]>([
    ['an empty token prefix', { tokenSecretPrefix: '' }, /tokenSecretPrefix must be 3 to 480 characters/],
    ['a token prefix with a wildcard', { tokenSecretPrefix: 'page-*' }, /tokenSecretPrefix .*got "page-\*"/],
    ['a token prefix with a space', { tokenSecretPrefix: 'my pages/' }, /tokenSecretPrefix/],
    [
      'a schedule of 0 minutes',
      { syncSchedule: 0 },
      /syncSchedule in minutes must be a whole number of at least 1, not 0/,
    ],
    ['a schedule of 2.5 minutes', { syncSchedule: 2.5 }, /syncSchedule in minutes/],
    [
      'a schedule in seconds',
      { syncSchedule: Schedule.expression('rate(30 seconds)') },
      /syncSchedule must be a rate of at least 1 minute or a cron expression, not "rate\(30 seconds\)"/,
    ],
    [
      'a concurrency of 1',
      { syncConcurrency: 1 },
      /syncConcurrency must be a whole number from 2 to 1000, not 1/,
    ],
    [
      'a concurrency of 1001',
      { syncConcurrency: 1001 },
      /syncConcurrency must be a whole number from 2 to 1000/,
    ],
    ['127 MB of memory', { memorySize: 127 }, /memorySize must be a whole number from 128 to 10240, not 127/],
    ['10241 MB of memory', { memorySize: 10_241 }, /memorySize must be a whole number from 128 to 10240/],
    ['a Graph call cap of 0', { syncMaxGraphCalls: 0 }, /syncMaxGraphCalls must be a whole number from 1/],
    [
      'an unknown platform',
      { syncPlatforms: [String('whatsapp') as Platform] },
      /syncPlatforms takes one or more of messenger, instagram; got \[whatsapp\]/,
    ],
    [
      'no folder',
      { syncFolders: [] },
      /syncFolders takes one or more of inbox, other, page_done, spam; got \[\]/,
    ],
    [
      'an unknown folder',
      { syncFolders: ['inbox', String('archive') as Folder] },
      /syncFolders .*got \[inbox, archive\]/,
    ],
    [
      'a JWT issuer over http',
      { authorization: { type: 'jwt', issuer: 'http://auth.example.com', audience: ['a'] } },
      /authorization.issuer must be the https URL of the JWT issuer/,
    ],
    [
      'a JWT issuer that is no URL',
      { authorization: { type: 'jwt', issuer: 'auth.example.com', audience: ['a'] } },
      /authorization.issuer/,
    ],
    [
      'a JWT Page claim under IAM authorization',
      { jwtPageIdsClaim: 'page_ids' },
      /jwtPageIdsClaim names a JWT claim: it needs authorization \{ type: "jwt" \}/,
    ],
    [
      'a JWT Page claim that is no claim name',
      {
        authorization: { type: 'jwt', issuer: 'https://auth.example.com', audience: ['a'] },
        jwtPageIdsClaim: 'page ids',
      },
      /jwtPageIdsClaim must be a JWT claim name/,
    ],
    ['webhooks as text', { webhooks: String('no') as unknown as boolean }, /webhooks must be true or false/],
    [
      'a JWT without audience',
      { authorization: { type: 'jwt', issuer: 'https://auth.example.com', audience: [] } },
      /authorization.audience must list at least one non-empty audience/,
    ],
    [
      'a Graph version without v',
      { graphApiVersion: '24.0' },
      /graphApiVersion must look like v24.0, not "24.0"/,
    ],
    [
      'a Graph origin over ftp',
      { graphApiBaseUrl: 'ftp://graph.example.com' },
      /graphApiBaseUrl must be an absolute/,
    ],
    ['a relative Graph origin', { graphApiBaseUrl: '/graph' }, /graphApiBaseUrl must be an absolute/],
    [
      'a SNAPSHOT removal policy',
      { removalPolicy: RemovalPolicy.SNAPSHOT },
      /removalPolicy must be RETAIN or DESTROY/,
    ],
  ])('rejects %s with a message naming the prop', (_, props, message) => {
    // Act
    const act = () => resolveProps({ ...valid, ...props });

    // Assess
    expect(act).toThrow(PageConversationsPropsError);
    expect(act).toThrow(message);
  });

  // A prefix grants GetSecretValue on `secret:<prefix>*`: one that names no family of its own would reach
  // other secrets of the account (`p*`: every `prod/...`; `pages*`: `pages-billing/...`).
  it.each([['p'], ['p/'], ['pages'], ['page-conversations/page'], ['acme.pages'], ['ab*/']])(
    'refuses the token prefix "%s", too broad, with the setting\'s name wherever it is set',
    (prefix) => {
      // Act
      const asProp = () => resolveProps({ tokenSecretPrefix: prefix });
      const asContext = () => stackFromContext((key) => (key === 'tokenSecretPrefix' ? prefix : undefined));
      const asEnvironment = () => loadConfig({ TOKEN_SECRET_PREFIX: prefix });

      // Assess
      const rule =
        '3 to 480 characters from A-Z a-z 0-9 / _ + = . @ - (a secret name\'s characters) ending in "/", "-" or "_"';
      expect(asProp).toThrow(`PageConversations: tokenSecretPrefix must be ${rule}`);
      expect(asContext).toThrow(`-c tokenSecretPrefix= must be ${rule}`);
      expect(asEnvironment).toThrow(`TOKEN_SECRET_PREFIX must be ${rule}`);
    },
  );

  it.each([['ab/'], ['ab-'], ['ab_'], ['page-conversations/page-'], ['acme/fb-page-'], ['a.b@c+d=/']])(
    'accepts the token prefix "%s", a family of its own',
    (prefix) => {
      expect(resolveProps({ tokenSecretPrefix: prefix }).tokenSecretPrefix).toBe(prefix);
    },
  );

  it('turns webhooks on by default and off when asked', () => {
    expect(resolveProps(valid).webhooks).toBe(true);
    expect(resolveProps({ ...valid, webhooks: false }).webhooks).toBe(false);
  });

  it('accepts a rate in hours and a cron expression', () => {
    // Act
    const hourly = resolveProps({ ...valid, syncSchedule: Schedule.rate(Duration.hours(1)) });
    const cron = resolveProps({ ...valid, syncSchedule: Schedule.cron({ minute: '0', hour: '8' }) });

    // Assess
    expect(hourly.syncSchedule.expressionString).toBe('rate(1 hour)');
    expect(cron.syncSchedule.expressionString).toBe('cron(0 8 * * ? *)');
  });

  it('fails the synthesis of the stack, before any resource exists', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });

    // Act
    const act = () =>
      new PageConversationsStack(app, 'Bad', { pageConversations: { tokenSecretPrefix: '' } });

    // Assess
    expect(act).toThrow(/^PageConversations: tokenSecretPrefix must be/);
  });
});
