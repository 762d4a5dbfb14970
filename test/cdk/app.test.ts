import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS, type Setting } from '#lib/config/setting.js';
import { SETTINGS } from '#lib/config/settings.js';
import { stackFromContext } from '../../cdk/app-context.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CDK_JSON = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};
const outdirs: string[] = [];
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Runs `cdk/app.ts` the way the CDK CLI does (context in CDK_CONTEXT_JSON), without esbuild. */
function runApp(context: Record<string, string>): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'page-conversations-app-'));
  outdirs.push(outdir);
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'cdk/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      // CloudFormation's template validation, off for the in-process template tests, runs here as
      // `cdk synth` runs it (cdk.json makes its findings errors).
      CDK_VALIDATION: 'true',
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], ...context }),
    },
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

/** Each run starts tsx and synthesizes the whole stack in a child process: slow on a busy 2-core machine. */
const APP_RUN_TIMEOUT = 120_000;

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('cdk/app.ts', () => {
  it('is what cdk.json runs', () => {
    expect(CDK_JSON.app).toBe('npx tsx cdk/app.ts');
  });

  it('builds the stack from context values given on the command line', { timeout: APP_RUN_TIMEOUT }, () => {
    // Act
    const { status, stderr, outdir } = runApp({
      stackName: 'CustomerPages',
      tokenSecretPrefix: 'acme/fb-page-',
      scheduleMinutes: '30',
      platforms: 'Instagram',
      folders: 'inbox,spam',
      authorization: 'jwt',
      jwtIssuer: 'https://auth.example.com/',
      jwtAudience: 'api, cli',
      removalPolicy: 'destroy',
      tracing: 'true',
      eventBusName: 'acme-events',
      webhookSecretName: 'acme/meta-webhooks',
      jwtPageIdsClaim: 'page_ids',
      encryptionKeyArn: KEY_ARN,
    });

    // Assess
    expect(status, stderr.slice(-2000)).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'CustomerPages.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
      >;
      Outputs: Record<string, { Value: unknown }>;
    };
    const resources = Object.values(template.Resources);
    const ofType = (type: string) => resources.filter((r) => r.Type === type);
    expect(ofType('AWS::Events::Rule')[0]?.Properties.ScheduleExpression).toBe('rate(30 minutes)');
    expect(ofType('AWS::ApiGatewayV2::Authorizer')[0]?.Properties.JwtConfiguration).toEqual({
      Issuer: 'https://auth.example.com/',
      Audience: ['api', 'cli'],
    });
    expect(ofType('AWS::DynamoDB::GlobalTable')[0]?.DeletionPolicy).toBe('Delete');
    const environments = ofType('AWS::Lambda::Function').map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    // The functions that call Graph as a Page: the API, the sync worker and the webhook refresh.
    expect(environments.map((variables) => variables.TOKEN_SECRET_PREFIX).filter(Boolean)).toEqual([
      'acme/fb-page-',
      'acme/fb-page-',
      'acme/fb-page-',
    ]);
    const api = environments.find(
      (variables) => variables.POWERTOOLS_SERVICE_NAME === 'page-conversations-api',
    );
    expect(api).toMatchObject({
      SYNC_PLATFORMS: 'instagram',
      SYNC_FOLDERS: 'inbox,spam',
      JWT_PAGE_IDS_CLAIM: 'page_ids',
    });
    // The imported key: the stack takes its account and region, and names it for npm run pages.
    expect(template.Outputs.EncryptionKeyArn?.Value).toBe(KEY_ARN);
    expect(ofType('AWS::SQS::Queue')[0]?.Properties.KmsMasterKeyId).toBe(KEY_ARN);
    for (const fn of ofType('AWS::Lambda::Function'))
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(ofType('AWS::Events::EventBus')).toEqual([]);
    // The webhook secret is the given one; the stack makes only the person-hash key, with the key given.
    expect(ofType('AWS::SecretsManager::Secret').map((secret) => secret.Properties.KmsKeyId)).toEqual([
      KEY_ARN,
    ]);
    const receiver = environments.find(
      (variables) => variables.POWERTOOLS_SERVICE_NAME === 'page-conversations-webhook-receiver',
    );
    expect(JSON.stringify(receiver?.WEBHOOK_SECRET_ID)).toContain(':secret:acme/meta-webhooks');
    const worker = environments.find(
      (variables) => variables.POWERTOOLS_SERVICE_NAME === 'page-conversations-sync-worker',
    );
    expect(JSON.stringify(worker?.EVENT_BUS_NAME)).toContain(':event-bus/acme-events');
    // What each function requires at cold start (the table's requiredBy), the stack sets on it.
    const settings = Object.values(SETTINGS) as Setting<unknown>[];
    for (const fn of LAMBDA_FUNCTIONS) {
      const variables = environments.find(
        (variables) => variables.POWERTOOLS_SERVICE_NAME === `page-conversations-${fn}`,
      );
      const required = settings.flatMap((s) => (s.requiredBy?.includes(fn) && s.env ? [s.env] : []));
      expect(required.length, fn).toBeGreaterThan(0);
      expect(
        required.filter((name) => variables?.[name] === undefined),
        fn,
      ).toEqual([]);
    }
  });
});

/** The context as `-c key=value` gives it: strings. */
const fromContext = (values: Record<string, string>) => stackFromContext((key) => values[key]);

describe('the CDK app context (cdk/app-context.ts)', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'a JWT without issuer',
      { authorization: 'jwt', jwtAudience: 'api' },
      '-c authorization=jwt needs -c jwtIssuer=<https issuer URL> and -c jwtAudience=<aud1,aud2>.',
    ],
    [
      'webhooks neither true nor false',
      { webhooks: 'maybe' },
      '-c webhooks= must be true or false, not "maybe".',
    ],
    [
      'a webhook secret with webhooks left out',
      { webhooks: 'false', webhookSecretName: 'acme/meta-webhooks' },
      '-c webhooks=false leaves Meta Webhooks out: -c webhookSecretName= has nothing to do, drop it.',
    ],
    [
      'a JWT Page claim under IAM',
      { jwtPageIdsClaim: 'page_ids' },
      '-c jwtPageIdsClaim= names a JWT claim: it needs -c authorization=jwt.',
    ],
    [
      'a token prefix without a separator',
      { tokenSecretPrefix: 'pages' },
      '-c tokenSecretPrefix= must be 3 to 480',
    ],
  ])('stops with the context key to fix: %s', (_, values, message) => {
    expect(() => fromContext(values)).toThrow(message);
  });

  it('turns webhooks off with -c webhooks=false, and leaves them on by default', () => {
    expect(fromContext({ webhooks: 'false' }).props.pageConversations.webhooks).toBe(false);
    expect(fromContext({}).props.pageConversations.webhooks).toBeUndefined();
  });

  it('deploys to the account and region of an imported key, and fills in the default token prefix', () => {
    // Act
    const { stackName, props } = fromContext({ encryptionKeyArn: KEY_ARN });

    // Assess
    expect(stackName).toBe('PageConversations');
    expect(props.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(props.encryptionKeyArn).toBe(KEY_ARN);
    expect(props.pageConversations.tokenSecretPrefix).toBe('page-conversations/page-');
  });
});
