import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FUNCTION_BUNDLING } from './bundling-options.js';
import type { ConversationsTable, TableAccess } from './conversations-table.js';
import { NAG_REASONS } from './nag-suppressions.js';

/** The repository root: esbuild bundles from here and reads its lock file and tsconfig. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

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
  /** Variables beyond the house defaults (`NODE_OPTIONS`, `POWERTOOLS_SERVICE_NAME`). */
  readonly environment?: Readonly<Record<string, string>>;
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
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup,
      environment: {
        // Stack traces point at the TypeScript source instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        ...props.environment,
      },
      bundling: FUNCTION_BUNDLING,
    });

    Validations.of(this).acknowledge({ id: 'AwsSolutions-L1', reason: NAG_REASONS.nodejs22Runtime });
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
