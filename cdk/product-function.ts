import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Code, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#lib/telemetry/metric-names.js';
import { FUNCTION_ARCHITECTURE, FUNCTION_BUNDLING, FUNCTION_RUNTIME } from './bundling-options.js';
import type { ConversationsTable, TableAccess } from './conversations-table.js';
import { NAG_REASONS } from './nag-suppressions.js';
import type { ResolvedProps } from './resolve-props.js';

/** This package's own root in a checkout, where esbuild bundles the entry points from. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The functions' bundles built at `npm pack` (`cdk/build-package.ts`): `dist/bundles/<name>/index.mjs`
 * beside the compiled construct (`dist/cdk/`). An installed package has them, so a customer's synth
 * runs neither esbuild nor Docker; a checkout has none beside `cdk/`, and bundles from source.
 */
export const PREBUILT_BUNDLES_DIR = fileURLToPath(new URL('../bundles/', import.meta.url));

/** The pre-built bundles folder exists but lacks one function's bundle: the package is incomplete. */
export class PrebuiltBundleMissingError extends Error {
  override readonly name = 'PrebuiltBundleMissingError';
}

/** The bundle's folder name of an entry point: `functions/api.ts` is `api`. */
export function bundleName(entry: string): string {
  return basename(entry, '.ts');
}

/** What `NodejsFunction` needs to bundle `entry` (e.g. `functions/api.ts`) from source with esbuild. */
export function sourceBundling(
  entry: string,
): Pick<NodejsFunctionProps, 'entry' | 'handler' | 'projectRoot' | 'depsLockFilePath' | 'bundling'> {
  return {
    entry: join(PROJECT_ROOT, entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    // Only to choose npm: every dependency is bundled, none is installed (`nodeModules` is empty).
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    bundling: FUNCTION_BUNDLING,
  };
}

/**
 * The function's code: the shipped bundle when `bundlesDir` exists (an installed package), else
 * `entry` bundled from source (a checkout). Both are the same esbuild build of the same entry point.
 */
export function functionCode(
  entry: string,
  bundlesDir: string = PREBUILT_BUNDLES_DIR,
): Pick<NodejsFunctionProps, 'code' | 'handler' | 'entry' | 'projectRoot' | 'depsLockFilePath' | 'bundling'> {
  if (!existsSync(bundlesDir)) return sourceBundling(entry);
  const bundle = join(bundlesDir, bundleName(entry));
  if (!existsSync(join(bundle, 'index.mjs'))) {
    throw new PrebuiltBundleMissingError(
      `page-conversations: no pre-built bundle for ${entry} in ${bundlesDir}; reinstall the package (npm pack builds every function in functions/).`,
    );
  }
  // The bundle's file is index.mjs, as NodejsFunction names it, hence the same handler string.
  return { code: Code.fromAsset(bundle), handler: 'index.handler' };
}

export interface ProductFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/api.ts`; it must export `handler`. */
  readonly entry: string;
  /** Shown in the console and `aws lambda list-functions`. */
  readonly description: string;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` key of every log line and metric. */
  readonly serviceName: string;
  /** What one invocation may take; size it to the work, not to the maximum. */
  readonly timeout: Duration;
  /** MB; also buys CPU (1,769 MB is one vCPU). */
  readonly memorySize: number;
  /** How long the function's own log group keeps its logs. */
  readonly logRetention: RetentionDays;
  /** What happens to the log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Encrypts the log group with a customer-managed key; CloudWatch Logs' own encryption without it. */
  readonly logEncryptionKey?: IKey;
  /** Reserved concurrency; none reserved without it. */
  readonly reservedConcurrentExecutions?: number;
  /** Lambda active tracing (X-Ray segments of the invocation; no SDK in the bundle). */
  readonly tracing: boolean;
  /** Variables beyond the house defaults (`NODE_OPTIONS`, `POWERTOOLS_*`). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Where the pre-built bundles are looked for (tests point it elsewhere).
   * @default `PREBUILT_BUNDLES_DIR`: the package's own, bundled from source when it does not exist
   */
  readonly bundlesDir?: string;
}

/** A log group without the customer-managed key: NIST 800-53 rev 5 asks for one (`encryptionKey`). */
export function acknowledgeLogsWithoutCustomerKey(logGroup: LogGroup): void {
  Validations.of(logGroup).acknowledge({
    id: 'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
    reason: NAG_REASONS.logsWithoutCustomerKey,
  });
}

/** The props every function of the construct takes from its configuration, the same for all. */
export function functionDefaults(
  config: ResolvedProps,
): Pick<
  ProductFunctionProps,
  'memorySize' | 'logRetention' | 'logRemovalPolicy' | 'logEncryptionKey' | 'tracing'
> {
  return {
    memorySize: config.memorySize,
    logRetention: config.logRetention,
    logRemovalPolicy: config.removalPolicy,
    logEncryptionKey: config.encryptionKey,
    tracing: config.tracing,
  };
}

/**
 * The one way this project builds a Lambda function: Node.js 22 on arm64, a minified ESM bundle with
 * source maps and the AWS SDK inside (shipped pre-built in the package, bundled from source in a
 * checkout: `functionCode`), its own log group with a retention, and its own role that may write to
 * that log group and to nothing else until a grant says so (no AWS managed policy).
 *
 * It is a `NodejsFunction`, so `fn.metricErrors()` and `fn.addEventSource()` read as they do on any
 * function. Its role and log group must exist before the function does, so they are created beside
 * it, named after it (`<id>Role`, `<id>LogGroup`).
 */
export class ProductFunction extends NodejsFunction {
  /** Always the explicit role made here (the base class types it as optional). */
  declare readonly role: Role;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` dimension of the function's metrics. */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ProductFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
      encryptionKey: props.logEncryptionKey,
    });
    // An explicit role keeps AWSLambdaBasicExecutionRole (log writes to any log group) out: the
    // function may write to its own log group only. Creating the group itself is never needed.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      ...functionCode(props.entry, props.bundlesDir),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...(props.tracing ? { tracing: Tracing.ACTIVE } : {}),
      role,
      logGroup,
      environment: {
        // Stack traces point at the TypeScript source instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
    });

    this.serviceName = props.serviceName;
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-L1', reason: NAG_REASONS.nodejs22Runtime },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: NAG_REASONS.lambdaOutsideVpc },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: NAG_REASONS.lambdaFailurePath },
    );
    if (props.reservedConcurrentExecutions === undefined) {
      Validations.of(this).acknowledge({
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: NAG_REASONS.lambdaConcurrency,
      });
    }
    Validations.of(role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: NAG_REASONS.inlineRolePolicy,
    });
    if (props.logEncryptionKey === undefined) acknowledgeLogsWithoutCustomerKey(logGroup);
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: NAG_REASONS.xrayTracing,
      });
    }
  }

  /**
   * Grants exactly `access` to the table (see `ConversationsTable.grantAccess`) and sets `TABLE_NAME`:
   * the grant and the variable that makes it usable never drift apart.
   */
  bindTable(table: ConversationsTable, access: TableAccess): this {
    table.grantAccess(this, access);
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /** Adds one statement to the function's own policy. */
  allow(statement: PolicyStatement): this {
    this.role.addToPrincipalPolicy(statement);
    return this;
  }
}
