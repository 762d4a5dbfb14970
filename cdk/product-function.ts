import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#lib/telemetry/metric-names.js';
import { FUNCTION_BUNDLING } from './bundling-options.js';
import type { ConversationsTable, TableAccess } from './conversations-table.js';
import { NAG_REASONS } from './nag-suppressions.js';
import type { ResolvedProps } from './page-conversations-props.js';

/**
 * This package's own root, wherever it is installed (a checkout, or `node_modules/page-conversations`
 * in a customer's CDK app): esbuild bundles the entry points from here, whatever the app's directory.
 */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What CDK is told is the lock file. A checkout has `package-lock.json`; an installed package has none,
 * since npm never publishes one. CDK only needs an existing file under the root to choose npm (it
 * installs nothing: every dependency is bundled, none is listed in `nodeModules`), so an installed
 * package names its own `package.json`, which its installer resolved already.
 */
const DEPS_LOCK_FILE = [join(PROJECT_ROOT, 'package-lock.json'), join(PROJECT_ROOT, 'package.json')].find(
  (file) => existsSync(file),
) as string;

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
 * source maps and the AWS SDK inside, its own log group with a retention, and its own role that may
 * write to that log group and to nothing else until a grant says so (no AWS managed policy).
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
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: DEPS_LOCK_FILE,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
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
      bundling: FUNCTION_BUNDLING,
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
