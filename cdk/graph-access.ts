import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { iam5ResourceFinding, NAG_REASONS } from './nag-suppressions.js';
import type { ProductFunction } from './product-function.js';
import type { ResolvedProps } from './resolve-props.js';

/**
 * What a function that calls Graph as a Page needs, in one call: `GetSecretValue` on the Page token
 * secrets (and nothing else of Secrets Manager), `kms:Decrypt` on the customer-managed key that
 * `npm run pages` encrypts them with, and the Graph, sync and index settings it reads (every function
 * that calls Graph writes or reads the conversation index).
 */
export function grantGraphAccess(fn: ProductFunction, config: ResolvedProps): void {
  const secretArn = Stack.of(fn).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${config.tokenSecretPrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.allow(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
  Validations.of(fn.role).acknowledge({
    id: iam5ResourceFinding(fn, secretArn),
    reason: NAG_REASONS.secretPrefix,
  });
  config.encryptionKey?.grant(fn, 'kms:Decrypt');
  const environment: Record<string, string> = {
    TOKEN_SECRET_PREFIX: config.tokenSecretPrefix,
    GRAPH_API_VERSION: config.graphApiVersion,
    ...(config.graphApiBaseUrl === undefined ? {} : { GRAPH_API_BASE_URL: config.graphApiBaseUrl }),
    SYNC_PLATFORMS: config.syncPlatforms.join(','),
    SYNC_FOLDERS: config.syncFolders.join(','),
    TOMBSTONE_DAYS: String(config.tombstoneDays),
    CHANGES_DAYS: String(config.changesDays),
  };
  for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
}
