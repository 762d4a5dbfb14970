import { FOLDERS, type Folder, PLATFORMS, type Platform } from '../domain/vocabulary.js';
import { type Setting, setting } from './setting.js';
import {
  type Checked,
  graphVersion,
  oneOf,
  type SettingInput,
  someOf,
  text,
  textList,
  url,
  wholeNumber,
  wholeNumberIn,
  yesNo,
} from './setting-rules.js';
import { WEBHOOK_SETTINGS } from './settings-webhooks.js';

export type { Setting } from './setting.js';

/** Leaves room for a Page id (up to 20 digits) within the 512-character secret name limit. */
const MAX_PREFIX_LENGTH = 480;

/**
 * A token prefix names a family of secrets of its own: the functions may read every secret whose name
 * starts with it (`secret:<prefix>*`). So it ends in a separator and has at least 3 characters: `p`
 * would grant `secret:p*` (every `prod/...` and `payments-...` secret of the account), and `pages`
 * would reach `pages-billing/...` too. The characters are a secret name's (`SECRET_NAME_CHARACTERS`).
 */
const TOKEN_PREFIX_PATTERN = /^[A-Za-z0-9/_+=.@-]{2,}[/_-]$/;

/**
 * Every setting of the product, declared once: its rule, its default, and each name it goes by.
 * `lib/config/config.ts` reads the environment variables from here, `cdk/page-conversations-props.ts`
 * checks the construct's props with the same rules, and `cdk/app.ts` parses context values with them,
 * so a range, a pattern or a default cannot drift between the three.
 * The webhook and change-event settings are declared in `settings-webhooks.ts` and spread in here.
 */
export const SETTINGS = Object.freeze({
  ...WEBHOOK_SETTINGS,
  port: setting({
    runtime: ['local'],
    env: 'PORT',
    rule: wholeNumber(0, 65_535),
    default: 3000,
    description: 'Local HTTP port (0 picks a free one).',
  }),
  graphApiBaseUrl: setting({
    runtime: ['lambda', 'local'],
    env: 'GRAPH_API_BASE_URL',
    prop: 'graphApiBaseUrl',
    context: 'graphApiBaseUrl',
    // Page tokens travel in the Authorization header: clear text is allowed only to this machine.
    rule: url({
      transport: 'https-or-loopback-http',
      origin: true,
      expected: 'an absolute https URL (http only to a loopback host: 127.0.0.0/8, localhost, [::1])',
    }),
    default: 'https://graph.facebook.com',
    description: 'The Graph origin; another one is a test double or a proxy. Set locally, it ends demo mode.',
  }),
  graphApiVersion: setting({
    runtime: ['lambda', 'local'],
    env: 'GRAPH_API_VERSION',
    prop: 'graphApiVersion',
    context: 'graphApiVersion',
    rule: graphVersion(),
    default: 'v24.0',
    description: 'The Graph API version the functions call; the default is the one the code targets.',
  }),
  pageTokensFile: setting({
    runtime: ['local'],
    env: 'PAGE_TOKENS_FILE',
    rule: text(),
    default: undefined,
    description: 'Local only: a JSON file of Page tokens. Unset (with no Graph origin): the demo tokens.',
  }),
  tokenSecretPrefix: setting({
    runtime: ['lambda'],
    env: 'TOKEN_SECRET_PREFIX',
    prop: 'tokenSecretPrefix',
    context: 'tokenSecretPrefix',
    rule: text({
      pattern: TOKEN_PREFIX_PATTERN,
      maxLength: MAX_PREFIX_LENGTH,
      expected:
        `3 to ${MAX_PREFIX_LENGTH} characters from A-Z a-z 0-9 / _ + = . @ - (a secret name's characters) ` +
        `ending in "/", "-" or "_", so that it names this deployment's secrets only, e.g. "page-conversations/page-"`,
    }),
    // Required in Lambda and as a prop; only the CDK app fills it in (CONTEXT_DEFAULTS).
    default: undefined,
    description: 'The secret of Page P is named <prefix><P>; the functions may read every secret under it.',
  }),
  tableName: setting({
    runtime: ['lambda', 'local'],
    env: 'TABLE_NAME',
    rule: text(),
    default: undefined,
    description: 'The DynamoDB table (set by the stack). Unset locally: an embedded DynamoDB.',
  }),
  dynamodbEndpoint: setting({
    runtime: ['lambda', 'local'],
    env: 'DYNAMODB_ENDPOINT',
    // Requests to DynamoDB are SigV4-signed, never carry a bearer secret: http is allowed for local stand-ins.
    rule: url({ transport: 'http-or-https', origin: true, expected: 'an absolute http(s) URL' }),
    default: undefined,
    description: 'Another DynamoDB endpoint (a local DynamoDB). Unset: AWS, or the embedded one locally.',
  }),
  syncPlatforms: setting({
    runtime: ['lambda', 'local'],
    env: 'SYNC_PLATFORMS',
    prop: 'syncPlatforms',
    context: 'platforms',
    rule: someOf(PLATFORMS),
    default: PLATFORMS as readonly Platform[],
    description: 'The platforms the sync indexes; updated_since can serve only these.',
  }),
  syncFolders: setting({
    runtime: ['lambda', 'local'],
    env: 'SYNC_FOLDERS',
    prop: 'syncFolders',
    context: 'folders',
    rule: someOf(FOLDERS),
    default: ['inbox', 'other'] as readonly Folder[],
    description: 'The folders the sync indexes; updated_since can serve only these.',
  }),
  syncIntervalSeconds: setting({
    runtime: ['local'],
    env: 'SYNC_INTERVAL_SECONDS',
    rule: wholeNumber(0, 86_400),
    default: 300,
    description: "Local only: the EventBridge schedule's stand-in; 0 turns it off.",
  }),
  syncMaxGraphCalls: setting({
    runtime: ['lambda', 'local'],
    env: 'SYNC_MAX_GRAPH_CALLS',
    prop: 'syncMaxGraphCalls',
    context: 'syncMaxGraphCalls',
    rule: wholeNumber(1, 1_000_000),
    default: undefined,
    description:
      "A cap on Graph calls per Page per run; past it the run ends partial. Unset: the Lambda's time decides.",
  }),
  syncQueueUrl: setting({
    runtime: ['lambda'],
    env: 'SYNC_QUEUE_URL',
    rule: text(),
    default: undefined,
    description: 'The fan-out queue (set by the stack). Unset: syncs run in process.',
  }),
  publicBaseUrl: setting({
    runtime: ['lambda', 'local'],
    env: 'PUBLIC_BASE_URL',
    rule: url({
      transport: 'https-or-loopback-http',
      origin: false,
      expected: 'an absolute https URL, with its base path if any (http only to a loopback host)',
    }),
    default: undefined,
    description:
      "The API's public origin and base path, for paging.next (a custom domain). Unset: API Gateway's own domain and stage.",
  }),
  syncScheduleMinutes: setting({
    runtime: [],
    prop: 'syncSchedule',
    context: 'scheduleMinutes',
    rule: wholeNumber(1),
    default: 15,
    description:
      'Minutes between scheduled syncs (the prop also takes an EventBridge Schedule); stretch it once webhooks keep the index fresh.',
  }),
  syncConcurrency: setting({
    runtime: [],
    prop: 'syncConcurrency',
    context: 'syncConcurrency',
    rule: wholeNumber(2, 1000),
    default: 10,
    description: "Sync workers running at once (the SQS event source's maximum concurrency).",
  }),
  memorySize: setting({
    runtime: [],
    prop: 'memorySize',
    context: 'memorySize',
    rule: wholeNumber(128, 10_240),
    default: 512,
    description: 'MB per function; more memory also buys CPU.',
  }),
  authorization: setting({
    runtime: [],
    prop: 'authorization.type',
    context: 'authorization',
    rule: oneOf(['iam', 'jwt'] as const),
    default: 'iam' as const,
    description: 'How callers authenticate: iam (SigV4) or jwt (a JWT authorizer).',
  }),
  jwtIssuer: setting({
    runtime: [],
    prop: 'authorization.issuer',
    context: 'jwtIssuer',
    rule: url({
      transport: 'https',
      origin: false,
      expected: 'the https URL of the JWT issuer (its "iss")',
    }),
    default: undefined,
    description: 'With jwt: the issuer URL (https).',
  }),
  jwtAudience: setting({
    runtime: [],
    prop: 'authorization.audience',
    context: 'jwtAudience',
    rule: textList('audience (the "aud" or "client_id")'),
    default: undefined,
    description: 'With jwt: the audiences, one of which a token must name.',
  }),
  jwtPageIdsClaim: setting({
    runtime: ['lambda'],
    env: 'JWT_PAGE_IDS_CLAIM',
    prop: 'jwtPageIdsClaim',
    context: 'jwtPageIdsClaim',
    // A claim name as identity providers write them (`page_ids`, `custom:page_ids`, a URL-like name).
    rule: text({
      pattern: /^[A-Za-z0-9_:./-]{1,256}$/,
      expected: 'a JWT claim name (1 to 256 of A-Z a-z 0-9 _ : . / -), e.g. "page_ids"',
    }),
    default: undefined,
    description:
      'With jwt: the claim listing the Page ids a caller may read (others are 403 forbidden; GET /pages lists only those; no claim: none). Unset: every Page.',
  }),
  removalPolicy: setting({
    runtime: [],
    prop: 'removalPolicy',
    context: 'removalPolicy',
    rule: oneOf(
      ['retain', 'destroy'] as const,
      'RETAIN or DESTROY (DynamoDB tables have no snapshot on delete)',
    ),
    default: 'retain' as const,
    description: 'What cdk destroy does to the table and the log groups.',
  }),
  jwtReadScopes: setting({
    runtime: [],
    prop: 'authorization.readScopes',
    context: 'jwtReadScopes',
    rule: textList('scope'),
    default: ['page-conversations/read'] as readonly string[],
    description: 'With jwt: a token needs one of these scopes for the GET routes.',
  }),
  jwtSyncScopes: setting({
    runtime: [],
    prop: 'authorization.syncScopes',
    context: 'jwtSyncScopes',
    rule: textList('scope'),
    default: ['page-conversations/sync'] as readonly string[],
    description: 'With jwt: a token needs one of these scopes for POST /pages/{pageId}/sync.',
  }),
  deletionProtection: setting({
    runtime: [],
    prop: 'deletionProtection',
    context: 'deletionProtection',
    rule: yesNo(),
    default: true,
    description:
      'DynamoDB deletion protection on the table; turn it off before destroying the stack with it.',
  }),
  encryptionKeyArn: setting({
    runtime: [],
    prop: 'encryptionKey',
    context: 'encryptionKeyArn',
    rule: text({ pattern: /^arn:[^:]+:kms:/, expected: 'the ARN of a KMS key' }),
    default: undefined,
    description:
      'A customer-managed KMS key for the table, the queues and the log groups. Unset: AWS-owned keys.',
  }),
  logRetentionDays: setting({
    runtime: [],
    prop: 'logRetention',
    context: 'logRetentionDays',
    // The periods CloudWatch Logs offers; "never expire" is left out on purpose (personal data).
    rule: wholeNumberIn([
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]),
    default: 30,
    description: 'Days the function logs and the API access logs are kept.',
  }),
  apiReservedConcurrency: setting({
    runtime: [],
    prop: 'apiReservedConcurrency',
    context: 'apiReservedConcurrency',
    rule: wholeNumber(1, 10_000),
    default: undefined,
    description:
      "Reserved concurrency of the API function: caps its share of the account's Lambda concurrency.",
  }),
  stackName: setting({
    runtime: [],
    context: 'stackName',
    rule: text(),
    default: 'PageConversations',
    description: 'The CloudFormation stack name.',
  }),
  alarmTopicArn: setting({
    runtime: [],
    context: 'alarmTopicArn',
    rule: text({ pattern: /^arn:[^:]+:sns:/, expected: 'the ARN of an SNS topic' }),
    default: undefined,
    description: 'An existing SNS topic for alarm notifications. Unset: no notifications.',
  }),
  webhooks: setting({
    runtime: [],
    prop: 'webhooks',
    context: 'webhooks',
    rule: yesNo(),
    default: true,
    description:
      'Meta Webhooks: their two public routes, the receiver, the refresh worker and queues, and the webhook secret. false leaves all of them out.',
  }),
  tracing: setting({
    runtime: [],
    prop: 'tracing',
    context: 'tracing',
    rule: yesNo(),
    default: false,
    description:
      "Lambda active tracing (X-Ray): Lambda's own segments only, no SDK in the bundles. X-Ray bills per trace.",
  }),
});

/** Where the CDK app fills in a value that the construct requires. */
export const CONTEXT_DEFAULTS = Object.freeze({ tokenSecretPrefix: 'page-conversations/page-' });

/** Checks one value against a setting's rule; the caller words the failure with the name it knows. */
export function checkSetting<T>(declared: Setting<T>, input: SettingInput): Checked<T> {
  return declared.rule.check(input);
}
