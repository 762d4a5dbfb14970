import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_BUNDLING } from '../cdk/bundling-options.js';
import { PageConversations } from '../cdk/page-conversations.js';
import {
  functionCode,
  PREBUILT_BUNDLES_DIR,
  PrebuiltBundleMissingError,
  ProductFunction,
  type ProductFunctionProps,
} from '../cdk/product-function.js';
import { CDK_JSON_CONTEXT, type Json, logicalId } from './cdk/synth.js';

/**
 * The construct as the package ships it: functions from pre-built bundles or from source (the same
 * house defaults either way), and the outputs it adds to whatever stack embeds it. The packed package
 * itself is test/package-install.test.ts.
 */

const FUNCTION: ProductFunctionProps = {
  entry: 'functions/api.ts',
  description: 'Page conversations: the API',
  serviceName: 'page-conversations-api',
  timeout: Duration.seconds(29),
  memorySize: 512,
  logRetention: RetentionDays.ONE_MONTH,
  logRemovalPolicy: RemovalPolicy.RETAIN,
  tracing: false,
  environment: { TABLE_NAME: 'table' },
};

/** A CDK app that skips bundling from source (seconds, not tens) and stages assets in `outdir`. */
const appIn = (outdir: string) =>
  new App({ outdir, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });

const functionsOf = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')) as Json[];

describe('ProductFunction from source and from pre-built bundles', () => {
  let outdir: string;
  let bundles: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'product-function-'));
    bundles = join(outdir, 'bundles');
    mkdirSync(join(bundles, 'api'), { recursive: true });
    writeFileSync(
      join(bundles, 'api', 'index.mjs'),
      'export const handler = async () => ({ statusCode: 200 });\n',
    );
    writeFileSync(join(bundles, 'api', 'index.mjs.map'), '{}');
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('in a checkout there are no bundles beside cdk/, so the entry is bundled from source with the house esbuild settings', () => {
    // Act
    const code = functionCode(FUNCTION.entry);

    // Assess
    expect(existsSync(PREBUILT_BUNDLES_DIR)).toBe(false);
    expect(code.code).toBeUndefined();
    expect(code.entry).toMatch(/\/functions\/api\.ts$/);
    expect(code.bundling).toBe(FUNCTION_BUNDLING);
  });

  it('deploys a pre-built bundle as it is, with the same runtime, architecture, role, log group and environment as from source', () => {
    // Prepare
    const app = appIn(join(outdir, 'cdk.out'));
    const fromSource = new ProductFunction(new Stack(app, 'FromSource'), 'Api', FUNCTION);
    const prebuilt = new ProductFunction(new Stack(app, 'Prebuilt'), 'Api', {
      ...FUNCTION,
      bundlesDir: bundles,
    });

    // Act
    const [source, shipped] = [fromSource, prebuilt].map((fn) => {
      const template = Template.fromStack(Stack.of(fn));
      return { template, properties: functionsOf(template)[0]?.Properties as Json };
    });

    // Assess: everything but the code is the same; the code is the bundle's files, unchanged.
    const { Code: sourceCode, ...sourceRest } = source?.properties ?? {};
    const { Code: shippedCode, ...shippedRest } = shipped?.properties ?? {};
    expect(shippedRest).toEqual(sourceRest);
    expect(shippedRest).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
    expect(shippedCode.S3Key).not.toEqual(sourceCode.S3Key);
    const staged = join(outdir, 'cdk.out', `asset.${shippedCode.S3Key.replace(/\.zip$/, '')}`);
    expect(readFileSync(join(staged, 'index.mjs'), 'utf8')).toBe(
      readFileSync(join(bundles, 'api', 'index.mjs'), 'utf8'),
    );
    expect(logicalId(prebuilt.logGroup)).toBe(logicalId(fromSource.logGroup));
  });

  it('refuses a bundles folder that lacks the function, naming the entry', () => {
    // Act
    const build = () =>
      new ProductFunction(new Stack(appIn(join(outdir, 'missing.out')), 'Missing'), 'Worker', {
        ...FUNCTION,
        entry: 'functions/sync-worker.ts',
        bundlesDir: bundles,
      });

    // Assess
    expect(build).toThrow(PrebuiltBundleMissingError);
    expect(build).toThrow(/functions\/sync-worker\.ts/);
  });
});

describe('PageConversations embedded in a customer stack', () => {
  const NAMES = [
    'ApiId',
    'ApiUrl',
    'DashboardName',
    'EventBusName',
    'SyncDeadLetterQueueUrl',
    'SyncQueueUrl',
  ];
  const WEBHOOK_NAMES = [
    'RefreshDeadLetterQueueUrl',
    'RefreshQueueUrl',
    'WebhookCallbackUrl',
    'WebhookSecretArn',
  ];
  const synthEmbedded = (place: (stack: Stack) => Construct, webhooks: boolean) => {
    const stack = new Stack(appIn(mkdtempSync(join(tmpdir(), 'embedded-'))), 'Customer');
    const product = new PageConversations(place(stack), 'Conversations', {
      tokenSecretPrefix: 'acme/page-',
      webhooks,
    });
    return { stack, product, outputs: Template.fromStack(stack).toJSON().Outputs as Record<string, Json> };
  };

  it('outputs the API URL, table, queues, bus, dashboard and webhook secret, named after the construct', () => {
    // Act
    const { stack, product, outputs } = synthEmbedded((stack) => stack, true);

    // Assess: the names say which construct and which value; the values are the construct's parts.
    const expected = [...NAMES, ...WEBHOOK_NAMES, 'TableName', 'TokenSecretPrefix'].map(
      (name) => `Conversations${name}`,
    );
    expect(Object.keys(outputs).sort()).toEqual(expected.sort());
    expect(outputs.ConversationsApiUrl?.Value).toEqual(stack.resolve(product.apiUrl));
    expect(outputs.ConversationsTableName?.Value).toEqual({ Ref: logicalId(product.table) });
    expect(outputs.ConversationsTokenSecretPrefix?.Value).toBe('acme/page-');
    expect(outputs.ConversationsSyncQueueUrl?.Value).toEqual({ Ref: logicalId(product.syncQueue) });
    expect(outputs.ConversationsRefreshQueueUrl?.Value).toEqual(
      stack.resolve(product.webhookRefreshQueue?.queueUrl),
    );
    expect(outputs.ConversationsEventBusName?.Value).toEqual(
      stack.resolve(product.changeEventBus.eventBusName),
    );
    expect(outputs.ConversationsWebhookSecretArn?.Value).toEqual(
      stack.resolve(product.webhookSecret?.secretArn),
    );
    expect(Object.keys(product.outputs).sort()).toEqual(
      [...NAMES, ...WEBHOOK_NAMES, 'TableName', 'TokenSecretPrefix'].sort(),
    );
  });

  it('inside a construct of the customer, prefixes the outputs with its path; webhooks: false leaves their four out', () => {
    // Act
    const { outputs } = synthEmbedded((stack) => new Construct(stack, 'Messaging-Service'), false);

    // Assess
    const expected = [...NAMES, 'TableName', 'TokenSecretPrefix'].map(
      (name) => `MessagingServiceConversations${name}`,
    );
    expect(Object.keys(outputs).sort()).toEqual(expected.sort());
  });
});
