import { routeLabel } from '../domain/routes.js';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '../domain/vocabulary.js';
import type { Setting } from './setting.js';
import { setting } from './setting.js';
import {
  type Checked,
  graphVersion,
  oneOf,
  type SettingInput,
  someOf,
  text,
  url,
  wholeNumber,
} from './setting-rules.js';
import { PRIVACY_SETTINGS } from './settings-privacy.js';
import { STACK_SETTINGS } from './settings-stack.js';
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
 * Every setting of the product, declared once: its rule, its default, each name it goes by and the
 * Lambda functions that need it. Everything else is derived from this table: `Config` and
 * `loadConfig` (lib/config/config.ts), the Lambda start-up checks (`loadLambdaConfig`), the construct's
 * resolved props (cdk/resolve-props.ts; cdk/page-conversations-props.ts's interface a type test holds to this table),
 * the CDK app's context map (cdk/app-context.ts) and the README's tables (`settings-readme.ts`), so a
 * range, a pattern or a default cannot drift between them. The webhook and change-event settings are
 * declared in `settings-webhooks.ts`, the stack's own in `settings-stack.ts`, and spread in here.
 */
export const SETTINGS = Object.freeze({
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
    requiredBy: ['api', 'sync-worker', 'webhook-refresh'],
    prop: 'tokenSecretPrefix',
    propRequired: true,
    context: 'tokenSecretPrefix',
    contextDefault: 'page-conversations/page-',
    rule: text({
      pattern: TOKEN_PREFIX_PATTERN,
      maxLength: MAX_PREFIX_LENGTH,
      expected:
        `3 to ${MAX_PREFIX_LENGTH} characters from A-Z a-z 0-9 / _ + = . @ - (a secret name's characters) ` +
        `ending in "/", "-" or "_", so that it names this deployment's secrets only, e.g. "page-conversations/page-"`,
    }),
    // No default: a construct in someone's app names its own family of secrets; the CDK app fills one in.
    default: undefined,
    description: 'The secret of Page P is named `<prefix><P>`; the functions may read every secret under it.',
  }),
  tableName: setting({
    runtime: ['lambda', 'local'],
    env: 'TABLE_NAME',
    requiredBy: ['api', 'sync-schedule', 'sync-worker', 'webhook-refresh', 'webhook-receiver', 'erasure'],
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
  reconcileEveryHours: setting({
    runtime: ['lambda', 'local'],
    env: 'RECONCILE_EVERY_HOURS',
    prop: 'reconcileEveryHours',
    context: 'reconcileEveryHours',
    rule: wholeNumber(0, 8_760),
    default: 24,
    description: `How often each platform of a Page is reconciled (every covered folder listed whole, deletions and moves found); 0: only on ${routeLabel('startSync')}?full=true.`,
  }),
  tombstoneDays: setting({
    runtime: ['lambda', 'local'],
    env: 'TOMBSTONE_DAYS',
    prop: 'tombstoneDays',
    context: 'tombstoneDays',
    rule: wholeNumber(1, 3650),
    default: 30,
    description:
      'Days a removed conversation stays as a tombstone (ids and times), listed by updated_since with include_removed=true.',
  }),
  changesDays: setting({
    runtime: ['lambda', 'local'],
    env: 'CHANGES_DAYS',
    prop: 'changesDays',
    context: 'changesDays',
    rule: wholeNumber(1, 365),
    default: 7,
    description:
      'Days the changes feed keeps each write of the index; an older cursor is invalid_cursor (re-read from updated_since).',
  }),
  syncQueueUrl: setting({
    runtime: ['lambda'],
    env: 'SYNC_QUEUE_URL',
    // The API starts runs through it (POST /sync); without it a run would happen inside the API function.
    requiredBy: ['api', 'sync-schedule'],
    rule: text(),
    default: undefined,
    description: 'AWS: the fan-out queue (set by the stack). Locally, syncs run in process.',
  }),
  syncSpreadSeconds: setting({
    runtime: ['lambda'],
    env: 'SYNC_SPREAD_SECONDS',
    rule: wholeNumber(0, 900),
    default: 0,
    description:
      "AWS: seconds over which the schedule spreads a round's messages (set by the stack: the schedule's interval, at most SQS's 900).",
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
    description: `With jwt: the claim listing the Page ids a caller may read (others are 403 forbidden; ${routeLabel('listPages')} lists only those; no claim: none). Unset: every Page.`,
  }),
  logLevel: setting({
    runtime: ['local'],
    env: 'LOG_LEVEL',
    // Lambda's logger is Powertools', which reads its own levels: this one is the local runtime's only.
    rule: oneOf(['debug', 'info', 'warn', 'error', 'silent'] as const),
    default: 'info' as const,
    description: 'Local: how much `npm start` logs on stderr.',
  }),
  ...WEBHOOK_SETTINGS,
  ...PRIVACY_SETTINGS,
  ...STACK_SETTINGS,
});

/** Checks one value against a setting's rule; the caller words the failure with the name it knows. */
export function checkSetting<T>(declared: Setting<T>, input: SettingInput): Checked<T> {
  return declared.rule.check(input);
}
