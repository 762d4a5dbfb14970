import type { RemovalPolicy } from 'aws-cdk-lib';
import type { IEventBus, Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Folder, Platform } from '#lib/domain/vocabulary.js';

/** How callers prove who they are. Every route, `/health` and `/openapi.json` included, requires it. */
export type ApiAuthorization =
  /** SigV4-signed requests from IAM principals allowed `execute-api:Invoke` on this API. */
  | { readonly type: 'iam' }
  /**
   * A bearer JWT from `issuer` whose `aud` (or `client_id`) is one of `audience`, carrying one of
   * `readScopes` for the GET routes, one of `syncScopes` for `POST /pages/{pageId}/sync` and one of
   * `eraseScopes` for `POST /pages/{pageId}/erasures`.
   * Scopes ride in access tokens (Cognito: a resource server's custom scopes), not in ID tokens.
   * @default readScopes ['page-conversations/read'], syncScopes ['page-conversations/sync'], eraseScopes ['page-conversations/erase']
   */
  | {
      readonly type: 'jwt';
      readonly issuer: string;
      readonly audience: readonly string[];
      readonly readScopes?: readonly string[];
      readonly syncScopes?: readonly string[];
      readonly eraseScopes?: readonly string[];
    };

/** `ApiAuthorization` after validation: JWT scopes filled in. */
export type ResolvedAuthorization =
  | { readonly type: 'iam' }
  | {
      readonly type: 'jwt';
      readonly issuer: string;
      readonly audience: readonly string[];
      readonly readScopes: readonly string[];
      readonly syncScopes: readonly string[];
      readonly eraseScopes: readonly string[];
    };

export interface PageConversationsProps {
  /**
   * The secret of Page P is named `<tokenSecretPrefix><P>` (a plain token, or JSON with
   * `access_token` and `app_secret`). The functions may read every secret under this prefix and no
   * other, so give it a prefix of its own, e.g. `page-conversations/page-`. Required.
   */
  readonly tokenSecretPrefix: string;
  /**
   * When the scheduled sync runs: an EventBridge schedule, or a number of minutes between runs
   * (at least 1). A quiet Page costs one Graph call per run and partition. Once Meta Webhooks are set
   * up, they keep the index fresh within seconds and the schedule is only the reconciliation of what
   * webhooks miss: stretch it (e.g. 60 or 240 minutes) to cut the Graph calls of quiet Pages.
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
   * Days a conversation the index removed (deleted in the inbox, moved to a folder the sync does not
   * cover, erased) stays as a tombstone of ids and times, so that `updated_since` with
   * `include_removed=true` tells consumers it is gone (1 to 3650).
   * @default 30
   */
  readonly tombstoneDays?: number;
  /**
   * Days `GET /pages/{pageId}/changes` keeps each write of the index (1 to 365); a consumer whose
   * cursor is older re-reads from `updated_since`. Each write costs one more small item for this long.
   * @default 7
   */
  readonly changesDays?: number;
  /**
   * How often each platform of a Page is reconciled: every covered folder listed whole (about one
   * Graph call per 100 conversations) to find what Graph never reports, deletions and folder moves.
   * `0` reconciles only on `POST /pages/{pageId}/sync?full=true`.
   * @default 24
   */
  readonly reconcileEveryHours?: number;
  /**
   * Days a conversation may go without activity and stay indexed (1 to 3650): an older one is not
   * indexed, and one that ages past it leaves the index as a tombstone with reason `expired` (one
   * `Conversation Removed`) when the scheduled run's daily sweep or a read finds it.
   * @default none: kept as long as Graph lists it
   */
  readonly retentionDays?: number;
  /**
   * How many Pages the deployment is sized for (1 to 1,000,000): the defaults of `syncConcurrency` and
   * `webhookRateLimit`, and the webhook refresh workers, are computed from it. Nothing breaks past it:
   * rounds take longer (the "round did not finish" alarm says when) and webhook bursts wait.
   * @default 1000
   */
  readonly expectedPages?: number;
  /**
   * How many sync workers run at once (the SQS event source's maximum concurrency, 2 to 1000).
   * Each runs a batch of up to 10 Pages at once, so this bounds the Lambda concurrency and Graph load the
   * sync takes. Computed when left out: ⌈expectedPages × 1.436 s ÷ (interval in seconds × 0.5 × 10)⌉,
   * within 2 to 1000, where 1.436 s is a steady run's measured time with realistic Graph latency and a
   * round fills half its interval (a cron schedule counts as 15 minutes).
   * @default computed: 2 for 1,000 Pages every 15 minutes, 4 for 10,000, 32 for 100,000 (2 every 6 hours)
   */
  readonly syncConcurrency?: number;
  /**
   * Requests per second API Gateway lets through to `GET` and `POST /webhooks/meta` (1 to 2,500), with a
   * burst of twice that; a route's throttle cannot pass the account's (10,000 per second, a burst of
   * 5,000). Meta retries a throttled delivery, so a burst above it arrives late, not never.
   * @default computed from expectedPages: ⌈expectedPages × 60 deliveries a day ÷ 86,400 × 10 (the peak)⌉, at least 20
   */
  readonly webhookRateLimit?: number;
  /**
   * How callers of the HTTP API authenticate.
   * @default { type: 'iam' }: SigV4, no anonymous access
   */
  readonly authorization?: ApiAuthorization;
  /**
   * With JWT authorization: the name of a claim listing the Page ids a caller may read (`page_ids`,
   * `custom:page_ids`, ...). The API answers `403 forbidden` for any other Page, and `GET /pages` lists
   * only those; a token without the claim reads no Page. Its IAM counterpart is a policy per route ARN.
   * @default unset: a token with the read scope reads every Page
   */
  readonly jwtPageIdsClaim?: string;
  /**
   * Memory of each function in MB (128 to 10240; the schedule's at least 1,024). More memory also buys
   * CPU; 256 MB is the cheapest the bench measured for every function, since each mostly waits on Graph,
   * DynamoDB or SQS. Raise it if the API's cold starts (about 0.2 s of import CPU at one vCPU, about 7
   * times that at 256 MB) matter more than its cost.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long the functions' logs and the API access logs are kept; never "forever", since the logs
   * name callers and Pages.
   * @default RetentionDays.ONE_MONTH (30 days)
   */
  readonly logRetention?: RetentionDays;
  /**
   * A customer-managed KMS key for the table, both sync queues and every log group (the table holds
   * names, e-mail addresses and snippets). The functions get the key use their data needs. Its key
   * policy must let CloudWatch Logs (`logs.<region>.amazonaws.com`) use it; that is added here for a
   * key of this stack, and must be added where the key is managed for an imported one.
   * @default AWS-owned keys (DynamoDB, SQS-managed SSE, CloudWatch Logs' own encryption)
   */
  readonly encryptionKey?: IKey;
  /**
   * DynamoDB deletion protection: the table cannot be deleted, by CloudFormation or anyone, until it
   * is turned off. Turn it off (and deploy) before `cdk destroy` with `removalPolicy: DESTROY`.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Reserved concurrency of the API function: a ceiling on what callers can run at once, and a floor
   * that other functions in the account cannot take away.
   * @default none: the API shares the account's unreserved concurrency
   */
  readonly apiReservedConcurrency?: number;
  /**
   * What happens to the table and the log groups when the stack is deleted. The table holds sync
   * state that takes Graph calls to rebuild, so it is kept unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The Graph API version the functions call, e.g. `v24.0`. Set here, it is visible and changes
   * only with a deployment.
   * @default v24.0, the version the code was written against
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
  /**
   * The EventBridge bus that receives a `Conversation Changed` event for each change of the index
   * (`EventBus.fromEventBusName` / `fromEventBusArn` for an existing one, another account's included).
   * The sync and webhook-refresh workers may put events on it and nothing else.
   * @default a bus of this construct's own (`changeEventBus`)
   */
  readonly eventBus?: IEventBus;
  /**
   * The secret the Meta Webhooks receiver reads: JSON `{"app_secret": "...", "verify_token": "..."}`.
   * The receiver may read this one secret and nothing else of Secrets Manager.
   * @default a secret of this construct's own, with a generated `verify_token` and a placeholder
   * `app_secret` that you replace with your Meta app's secret (until then every delivery is refused)
   */
  readonly webhookSecret?: ISecret;
  /**
   * Meta Webhooks (near real time): the two public routes `GET` and `POST /webhooks/meta`, the
   * receiver, the refresh worker with its queue and dead-letter queue, the webhook secret, and their
   * alarms and dashboard lines. `false` leaves all of them out: no public route at all, and the
   * scheduled sync alone keeps the index fresh. Until the secret holds your Meta app's secret, the
   * receiver refuses every delivery.
   * @default true
   */
  readonly webhooks?: boolean;
  /**
   * With webhooks: a Page whose webhook subscription is gone (never made, or dropped by Meta after its
   * deliveries failed) is subscribed again at the sync's daily check (`POST /{page-id}/subscribed_apps`).
   * @default false: the Page is reported `not_subscribed` and counted by the alarm
   */
  readonly webhookAutoSubscribe?: boolean;
  /**
   * The CloudWatch dashboard of the deployment ($3 a month beyond an account's first three dashboards).
   * `false` leaves it out (and its `DashboardName` output); the alarms stay.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Lambda active tracing (AWS X-Ray) for every function: Lambda's own segments (initialization,
   * invocation), no tracing SDK in the bundles. X-Ray bills per trace recorded beyond its free tier.
   * @default false
   */
  readonly tracing?: boolean;
}
