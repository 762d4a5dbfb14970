import { routeLabel } from '../domain/routes.js';
import { setting } from './setting.js';
import { oneOf, text, textList, url, wholeNumber, wholeNumberIn, yesNo } from './setting-rules.js';
import {
  MAX_WEBHOOK_RATE,
  MAX_WORKERS,
  MEASURED_SYNC_RUN_SECONDS,
  MIN_WEBHOOK_RATE,
  MIN_WORKERS,
  SYNC_BATCH_SIZE,
  syncWorkersFor,
  TARGET_FILL,
  WEBHOOK_DELIVERIES_PER_PAGE_PER_DAY,
  WEBHOOK_PEAK_FACTOR,
} from './stack-sizing.js';

/**
 * The settings only the CDK construct and app read (no function reads them at run time): how the stack
 * is built. Declared like every other setting and spread into `SETTINGS`.
 */
export const STACK_SETTINGS = Object.freeze({
  syncScheduleMinutes: setting({
    runtime: [],
    prop: 'syncSchedule',
    context: 'scheduleMinutes',
    rule: wholeNumber(1),
    default: 15,
    description:
      'Minutes between scheduled syncs (the prop also takes an EventBridge Schedule); stretch it once webhooks keep the index fresh.',
  }),
  expectedPages: setting({
    runtime: [],
    prop: 'expectedPages',
    context: 'expectedPages',
    rule: wholeNumber(1, 1_000_000),
    default: 1000,
    description:
      'How many Pages the deployment is sized for: the defaults of syncConcurrency and webhookRateLimit, and the refresh workers, follow from it.',
  }),
  syncConcurrency: setting({
    runtime: [],
    prop: 'syncConcurrency',
    context: 'syncConcurrency',
    rule: wholeNumber(MIN_WORKERS, MAX_WORKERS),
    default: undefined,
    description:
      "Sync workers running at once (the SQS event source's maximum concurrency), each running a batch of up to " +
      `${SYNC_BATCH_SIZE} Pages at once. Unset: ⌈expectedPages × ${MEASURED_SYNC_RUN_SECONDS} s ÷ (the schedule's interval in seconds × ${TARGET_FILL} × ${SYNC_BATCH_SIZE})⌉, ` +
      `within ${MIN_WORKERS} to ${MAX_WORKERS} (a steady run's measured ${MEASURED_SYNC_RUN_SECONDS} s, rounds filling half ` +
      `their interval; a cron schedule counts as 15 minutes): ${syncWorkersFor(1_000, 900)} for 1,000 Pages every 15 minutes, ${syncWorkersFor(10_000, 900)} for 10,000, ${syncWorkersFor(100_000, 900)} for ` +
      `100,000 (${syncWorkersFor(100_000, 6 * 3600)} every 6 hours). The workers draw on the account's Lambda concurrency (1,000 per Region by ` +
      'default, less in a new account).',
  }),
  webhookRateLimit: setting({
    runtime: [],
    prop: 'webhookRateLimit',
    context: 'webhookRateLimit',
    rule: wholeNumber(1, MAX_WEBHOOK_RATE),
    default: undefined,
    description:
      "Requests per second API Gateway lets through to Meta's webhook routes, with a burst of twice that. Unset: " +
      `the peak of Meta's deliveries, ⌈expectedPages × ${WEBHOOK_DELIVERIES_PER_PAGE_PER_DAY} a day ÷ 86,400 × ${WEBHOOK_PEAK_FACTOR}⌉, ` +
      `at least ${MIN_WEBHOOK_RATE}: 20 up to 2,880 Pages, 70 for 10,000, 695 for 100,000. At most ${MAX_WEBHOOK_RATE} ` +
      "(the account's burst of 5,000); Meta retries a throttled delivery.",
  }),
  memorySize: setting({
    runtime: [],
    prop: 'memorySize',
    context: 'memorySize',
    rule: wholeNumber(128, 10_240),
    default: 256,
    description:
      "MB per function (the schedule's at least 1,024); more memory also buys CPU. 256 is the cheapest the bench measured for every function: each waits on Graph, DynamoDB or SQS most of its time. Raise it if cold starts of the API matter more than its cost (their import CPU, about 0.2 s at one vCPU, stretches about 7 times at 256 MB).",
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
    description: `With jwt: a token needs one of these scopes for ${routeLabel('startSync')}.`,
  }),
  jwtEraseScopes: setting({
    runtime: [],
    prop: 'authorization.eraseScopes',
    context: 'jwtEraseScopes',
    rule: textList('scope'),
    default: ['page-conversations/erase'] as readonly string[],
    description: `With jwt: a token needs one of these scopes for ${routeLabel('erasePerson')}.`,
  }),
  removalPolicy: setting({
    runtime: [],
    prop: 'removalPolicy',
    context: 'removalPolicy',
    // The values are `RemovalPolicy`'s own ('retain', 'destroy'): the prop's enum passes the rule as it is.
    rule: oneOf(
      ['retain', 'destroy'] as const,
      'RETAIN or DESTROY (DynamoDB tables have no snapshot on delete)',
    ),
    default: 'retain' as const,
    description: 'What cdk destroy does to the table and the log groups.',
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
    cdkResource: true,
    context: 'encryptionKeyArn',
    rule: text({ pattern: /^arn:[^:]+:kms:/, expected: 'the ARN of a KMS key' }),
    default: undefined,
    description:
      'A customer-managed KMS key for the table, the queues, the bus, the webhook secret and the log groups. Unset: AWS-owned keys.',
  }),
  logRetentionDays: setting({
    runtime: [],
    prop: 'logRetention',
    context: 'logRetentionDays',
    // The periods CloudWatch Logs offers (`RetentionDays`' values); "never expire" is left out on purpose
    // (personal data).
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
    prop: 'alarmTopic',
    cdkResource: true,
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
  dashboard: setting({
    runtime: [],
    prop: 'dashboard',
    context: 'dashboard',
    rule: yesNo(),
    default: true,
    description:
      "The CloudWatch dashboard ($3 a month beyond an account's first three); false leaves it out, the alarms stay.",
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
