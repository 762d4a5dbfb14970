import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DEFAULT_GRAPH_VERSION } from '#lib/config/config.js';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '#lib/domain/vocabulary.js';

/** How callers prove who they are. Every route, `/health` and `/openapi.json` included, requires it. */
export type ApiAuthorization =
  /** SigV4-signed requests from IAM principals allowed `execute-api:Invoke` on this API. */
  | { readonly type: 'iam' }
  /** A bearer JWT from `issuer` whose `aud` (or `client_id`) is one of `audience`. */
  | { readonly type: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

export interface PageConversationsProps {
  /**
   * The secret of Page P is named `<tokenSecretPrefix><P>` (a plain token, or JSON with
   * `access_token` and `app_secret`). The functions may read every secret under this prefix and no
   * other, so give it a prefix of its own, e.g. `page-conversations/page-`. Required.
   */
  readonly tokenSecretPrefix: string;
  /**
   * When the scheduled sync runs: an EventBridge schedule, or a number of minutes between runs
   * (at least 1). A quiet Page costs one Graph call per run and partition.
   * @default every 15 minutes
   */
  readonly syncSchedule?: Schedule | number;
  /**
   * The platforms the scheduled sync indexes; `updated_since` can serve only these.
   * @default ['messenger', 'instagram']
   */
  readonly syncPlatforms?: readonly Platform[];
  /**
   * The folders the scheduled sync indexes; `updated_since` can serve only these.
   * @default ['inbox', 'other']
   */
  readonly syncFolders?: readonly Folder[];
  /**
   * A cap on Graph calls per Page per run; past it the run ends `partial` and resumes next time.
   * Bounds what one Page can spend of the shared Graph quota.
   * @default no cap: the worker's 5-minute time limit decides
   */
  readonly syncMaxGraphCalls?: number;
  /**
   * How many sync workers run at once (the SQS event source's maximum concurrency, 2 to 1000).
   * Each works on one Page, so this bounds the Lambda concurrency and Graph load the sync takes.
   * @default 10 (a quiet round of 10,000 pages takes about 10 minutes, inside the 15-minute schedule)
   */
  readonly syncConcurrency?: number;
  /**
   * How callers of the HTTP API authenticate.
   * @default { type: 'iam' }: SigV4, no anonymous access
   */
  readonly authorization?: ApiAuthorization;
  /**
   * Memory of each function in MB (128 to 10240). More memory also buys CPU, which shortens JSON
   * parsing and TLS; 512 MB keeps cold starts short at a small cost.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the functions' logs and the API access logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the table and the log groups when the stack is deleted. The table holds sync
   * state that takes Graph calls to rebuild, so it is kept unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The Graph API version the functions call, e.g. `v24.0`. Set here, it is visible and changes
   * only with a deployment.
   * @default the version the code was written against (`DEFAULT_GRAPH_VERSION`)
   */
  readonly graphApiVersion?: string;
  /**
   * Another Graph origin (a test double or a proxy).
   * @default unset: https://graph.facebook.com
   */
  readonly graphApiBaseUrl?: string;
  /**
   * Where the alarms send their ALARM and OK notifications.
   * @default no actions: the alarms are visible in CloudWatch only
   */
  readonly alarmTopic?: ITopic;
}

/** Thrown at synth time for props that cannot work; the message names the prop and what it takes. */
export class PageConversationsPropsError extends Error {
  override readonly name = 'PageConversationsPropsError';
}

export const DEFAULT_SYNC_MINUTES = 15;
export const DEFAULT_SYNC_PLATFORMS: readonly Platform[] = ['messenger', 'instagram'];
export const DEFAULT_SYNC_FOLDERS: readonly Folder[] = ['inbox', 'other'];
export const DEFAULT_SYNC_CONCURRENCY = 10;
export const DEFAULT_MEMORY_SIZE = 512;

/** Characters Secrets Manager allows in a secret name. */
const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]+$/;
/** Leaves room for a Page id (up to 20 digits) within the 512-character secret name limit. */
const MAX_PREFIX_LENGTH = 480;

/** The props after validation, defaults filled in. */
export interface ResolvedProps {
  readonly tokenSecretPrefix: string;
  readonly schedule: Schedule;
  readonly platforms: readonly Platform[];
  readonly folders: readonly Folder[];
  readonly maxGraphCalls: number | undefined;
  readonly concurrency: number;
  readonly authorization: ApiAuthorization;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly graphApiVersion: string;
  readonly graphApiBaseUrl: string | undefined;
}

function fail(message: string): never {
  throw new PageConversationsPropsError(`PageConversations: ${message}`);
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be a whole number from ${min} to ${max}, not ${value}.`);
  }
  return value;
}

function subset<T extends string>(name: string, values: readonly string[], allowed: readonly T[]): T[] {
  const unknown = values.filter((value) => !(allowed as readonly string[]).includes(value));
  if (values.length === 0 || unknown.length > 0) {
    fail(`${name} takes one or more of ${allowed.join(', ')}; got [${values.join(', ')}].`);
  }
  return allowed.filter((value) => values.includes(value));
}

function schedule(value: Schedule | number | undefined): Schedule {
  if (value === undefined) return Schedule.rate(Duration.minutes(DEFAULT_SYNC_MINUTES));
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) {
      fail(`syncSchedule in minutes must be a whole number of at least 1, not ${value}.`);
    }
    return Schedule.rate(Duration.minutes(value));
  }
  const expression = value.expressionString;
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if ((rate && Number(rate[1]) >= 1) || /^cron\(.+\)$/.test(expression)) return value;
  fail(`syncSchedule must be a rate of at least 1 minute or a cron expression, not "${expression}".`);
}

function authorization(value: ApiAuthorization | undefined): ApiAuthorization {
  if (value === undefined || value.type === 'iam') return { type: 'iam' };
  if (value.type !== 'jwt') fail(`authorization.type must be "iam" or "jwt".`);
  let issuer: URL | undefined;
  try {
    issuer = new URL(value.issuer);
  } catch {
    issuer = undefined;
  }
  if (issuer?.protocol !== 'https:') {
    fail(`authorization.issuer must be the https URL of the JWT issuer (its "iss"), not "${value.issuer}".`);
  }
  if (value.audience.length === 0 || value.audience.some((audience) => audience.trim() === '')) {
    fail('authorization.audience must list at least one non-empty audience (the "aud" or "client_id").');
  }
  return { type: 'jwt', issuer: value.issuer, audience: [...value.audience] };
}

function baseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    fail(`graphApiBaseUrl must be an absolute http(s) URL, not "${value}".`);
  }
  return url.origin;
}

/** Checks every prop and fills in the defaults; throws `PageConversationsPropsError` naming the prop. */
export function resolveProps(props: PageConversationsProps): ResolvedProps {
  const prefix = props.tokenSecretPrefix;
  if (
    typeof prefix !== 'string' ||
    !SECRET_NAME_CHARACTERS.test(prefix) ||
    prefix.length > MAX_PREFIX_LENGTH
  ) {
    fail(
      `tokenSecretPrefix must be 1 to ${MAX_PREFIX_LENGTH} characters from A-Z a-z 0-9 / _ + = . @ - ` +
        `(a secret name's characters), e.g. "page-conversations/page-"; got "${String(prefix)}".`,
    );
  }
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (removalPolicy === RemovalPolicy.SNAPSHOT) {
    fail('removalPolicy must be RETAIN or DESTROY: DynamoDB tables have no snapshot on delete.');
  }
  const version = props.graphApiVersion ?? DEFAULT_GRAPH_VERSION;
  if (!/^v\d+\.\d+$/.test(version)) fail(`graphApiVersion must look like v24.0, not "${version}".`);
  return {
    tokenSecretPrefix: prefix,
    schedule: schedule(props.syncSchedule),
    platforms: subset('syncPlatforms', props.syncPlatforms ?? DEFAULT_SYNC_PLATFORMS, PLATFORMS),
    folders: subset('syncFolders', props.syncFolders ?? DEFAULT_SYNC_FOLDERS, FOLDERS),
    maxGraphCalls:
      props.syncMaxGraphCalls === undefined
        ? undefined
        : wholeNumber('syncMaxGraphCalls', props.syncMaxGraphCalls, 1, 1_000_000),
    concurrency: wholeNumber('syncConcurrency', props.syncConcurrency ?? DEFAULT_SYNC_CONCURRENCY, 2, 1000),
    authorization: authorization(props.authorization),
    memorySize: wholeNumber('memorySize', props.memorySize ?? DEFAULT_MEMORY_SIZE, 128, 10_240),
    logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    removalPolicy,
    graphApiVersion: version,
    graphApiBaseUrl: baseUrl(props.graphApiBaseUrl),
  };
}
