/**
 * The one price table the bench's cost model reads: AWS list prices in us-east-1 (USD), on-demand,
 * without free tiers (a deployment shares them with the rest of its account) and without Savings Plans.
 *
 * Honesty about where these come from: the machine the bench runs on has no internet, so none of these
 * was fetched live. Each is the list price as AWS publishes it on the page named in `source`, as known on
 * the day in `read` (2026-12-06), and where a stored copy of that page was at hand it agreed (KMS: $1 a
 * key-month, $0.03 per 10,000 requests, requests to AWS managed keys billed; Lambda: the Arm and x86
 * first-tier GB-second prices; Secrets Manager: $0.40 and $0.05). Before a finance team signs a figure,
 * re-read the pages and change the numbers here: nothing else holds a price.
 */

export interface Price {
  /** Dollars for `per` units. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  /** The AWS pricing page that states it. */
  readonly source: string;
  /** When it was read; "as published, read 2026-12", not fetched live (see above). */
  readonly read: string;
  readonly note?: string;
}

const READ = '2026-12-06';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';

const price = (usd: number, per: number, unit: string, source: string, note?: string): Price => ({
  usd,
  per,
  unit,
  source,
  read: READ,
  ...(note === undefined ? {} : { note }),
});

export const PRICES = {
  lambdaArmGbSecond: price(0.0000133334, 1, 'GB-second, arm64', LAMBDA, 'first 7.5 billion GB-s a month'),
  lambdaX86GbSecond: price(0.0000166667, 1, 'GB-second, x86_64', LAMBDA, 'first 6 billion GB-s a month'),
  lambdaRequests: price(0.2, 1_000_000, 'requests', LAMBDA),
  dynamoWriteUnits: price(
    0.625,
    1_000_000,
    'write request units, on-demand',
    DYNAMODB,
    'Standard table class',
  ),
  dynamoReadUnits: price(0.125, 1_000_000, 'read request units, on-demand', DYNAMODB, 'Standard table class'),
  dynamoStorage: price(0.25, 1, 'GB-month stored', DYNAMODB, 'first 25 GB free per account, not counted'),
  secretMonths: price(0.4, 1, 'secret-month', SECRETS, 'prorated by the hour'),
  secretsApiCalls: price(0.05, 10_000, 'API calls', SECRETS),
  kmsKeyMonths: price(
    1,
    1,
    'customer managed key-month',
    KMS,
    'AWS managed keys (aws/secretsmanager) have none',
  ),
  kmsRequests: price(
    0.03,
    10_000,
    'symmetric requests',
    KMS,
    'requests to AWS managed keys are billed too: each GetSecretValue makes Secrets Manager call Decrypt',
  ),
  alarmMetricMonths: price(
    0.1,
    1,
    'standard-resolution alarm metric-month',
    CLOUDWATCH,
    'each metric in a math alarm',
  ),
  customMetricMonths: price(
    0.3,
    1,
    'custom metric-month',
    CLOUDWATCH,
    'first 10,000 metrics; a dimension set is a metric',
  ),
  dashboardMonths: price(3, 1, 'dashboard-month', CLOUDWATCH, "beyond the account's first three"),
  logsIngested: price(0.5, 1, 'GB ingested, Standard log class', CLOUDWATCH),
  logsStored: price(0.03, 1, 'GB-month archived', CLOUDWATCH),
  putMetricDataRequests: price(
    0.01,
    1_000,
    'PutMetricData requests',
    CLOUDWATCH,
    'not used: metrics are EMF log lines',
  ),
  sqsRequests: price(0.4, 1_000_000, 'standard queue requests', SQS, 'each 64 KB chunk of a request is one'),
  customEvents: price(1, 1_000_000, 'custom events put', EVENTBRIDGE, 'each 64 KB chunk of an entry is one'),
  schedulerInvocations: price(
    1,
    1_000_000,
    'EventBridge Scheduler invocations',
    EVENTBRIDGE,
    "not used: the stack's schedule is an EventBridge rule, whose scheduled events are not billed",
  ),
  httpApiRequests: price(
    1,
    1_000_000,
    'HTTP API requests',
    API_GATEWAY,
    'first 300 million a month; 512 KB increments',
  ),
} as const satisfies Record<string, Price>;

export type PriceTable = { readonly [K in keyof typeof PRICES]: Price };

/** What `quantity` units cost at `entry`. */
export const costOf = (entry: Price, quantity: number): number => (quantity / entry.per) * entry.usd;
