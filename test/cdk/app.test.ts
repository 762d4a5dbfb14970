import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CDK_JSON = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};
const outdirs: string[] = [];

/** Runs `cdk/app.ts` the way the CDK CLI does (context in CDK_CONTEXT_JSON), without esbuild. */
function runApp(context: Record<string, string>): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'page-conversations-app-'));
  outdirs.push(outdir);
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'cdk/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
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
    });

    // Assess
    expect(status, stderr.slice(-2000)).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'CustomerPages.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
      >;
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
    expect(api).toMatchObject({ SYNC_PLATFORMS: 'instagram', SYNC_FOLDERS: 'inbox,spam' });
    for (const fn of ofType('AWS::Lambda::Function'))
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(ofType('AWS::Events::EventBus')).toEqual([]);
    expect(ofType('AWS::SecretsManager::Secret')).toEqual([]);
    const receiver = environments.find(
      (variables) => variables.POWERTOOLS_SERVICE_NAME === 'page-conversations-webhook-receiver',
    );
    expect(JSON.stringify(receiver?.WEBHOOK_SECRET_ID)).toContain(':secret:acme/meta-webhooks');
    const worker = environments.find(
      (variables) => variables.POWERTOOLS_SERVICE_NAME === 'page-conversations-sync-worker',
    );
    expect(JSON.stringify(worker?.EVENT_BUS_NAME)).toContain(':event-bus/acme-events');
  });

  it('stops with the context key to fix when a value cannot work', { timeout: APP_RUN_TIMEOUT }, () => {
    // Act
    const { status, stderr } = runApp({ authorization: 'jwt', jwtAudience: 'api' });

    // Assess
    expect(status).not.toBe(0);
    expect(stderr).toContain('-c authorization=jwt needs -c jwtIssuer=<https issuer URL>');
  });
});
