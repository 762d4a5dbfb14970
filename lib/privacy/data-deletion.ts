import { randomBytes } from 'node:crypto';
import { unusableAppSecret } from '../config/settings-webhooks.js';
import { InvalidRequestError, InvalidSignatureError, RouteNotFoundError } from '../domain/errors.js';
import { routePath } from '../domain/routes.js';
import type { DataDeletionAnswer, DataDeletionStatus } from '../domain/shapes/privacy.js';
import type { DeletionStatus, ErasureStore } from '../store/erasure-store.js';
import type { Logger } from '../telemetry/logger.js';
import { METRIC_NAMES } from '../telemetry/metric-names.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import { type ErasureDependencies, eraseFromPage } from './erasure.js';
import { CONFIRMATION_CODE_PATTERN, type PrivacyJobQueue } from './jobs.js';
import { personTag } from './person-hash.js';
import { MAX_SIGNED_REQUEST_CHARS, verifySignedRequest } from './signed-request.js';

/**
 * Meta's Data Deletion Request Callback (`POST /meta/data-deletion`, public) and its status page
 * (`GET /meta/data-deletion/{code}`, public). The receiver verifies the `signed_request`, records the
 * request by a random confirmation code (its status and times only, never the id) and queues the
 * erasure; the erasure function erases the id as given on every registered Page and marks the request
 * completed. Meta sends the id it knows the person by for this app (app-scoped), while conversations
 * hold Page- and Instagram-scoped ids: the erasure reaches only conversations where the two coincide.
 */

/** The app secret, from the webhook secret (`WebhookSecretSource`). */
export interface AppSecretSource {
  get(): Promise<{ appSecret: string }>;
}

export interface DataDeletionDependencies {
  secrets: AppSecretSource;
  requests: Pick<ErasureStore, 'createDeletionRequest' | 'deletionStatus'>;
  jobs: PrivacyJobQueue;
  logger: Logger;
  now: () => Date;
  metrics?: ProductMetrics | undefined;
}

const CODE = new RegExp(CONFIRMATION_CODE_PATTERN);
/** 16 random bytes as hex: 32 characters of `[0-9a-f]`, within the contract's `[A-Za-z0-9]{16,64}`. */
const newCode = (): string => randomBytes(16).toString('hex');

/** The status page's path for a code, under the API's base URL. */
export const deletionStatusPath = (code: string): string => routePath('getDataDeletionStatus', { code });

/**
 * Accepts one callback: `body` is the form as sent (`signed_request=...`). Refuses every request while
 * the app secret is not set (as the webhook receiver does, and counted with it); `baseUrl` is the API's
 * public origin (`PUBLIC_BASE_URL`, else its own).
 */
export async function requestDataDeletion(
  deps: DataDeletionDependencies,
  body: string,
  baseUrl: string,
): Promise<DataDeletionAnswer> {
  const metrics = deps.metrics ?? NO_METRICS;
  const signedRequest = readSignedRequest(body);
  const { appSecret } = await deps.secrets.get();
  const problem = unusableAppSecret(appSecret);
  if (problem !== undefined) {
    metrics.count(METRIC_NAMES.webhookRefused, 1, { Reason: 'secret_not_set' });
    deps.logger.warn('data-deletion request refused: the app secret is not set', {
      reason: 'secret_not_set',
      app_secret: problem,
    });
    throw new InvalidSignatureError();
  }
  const now = deps.now();
  let verified: ReturnType<typeof verifySignedRequest>;
  try {
    verified = verifySignedRequest(signedRequest, appSecret, now);
  } catch (error: unknown) {
    if (error instanceof InvalidSignatureError)
      metrics.count(METRIC_NAMES.webhookRefused, 1, { Reason: 'invalid_signature' });
    throw error;
  }
  const code = newCode();
  await deps.requests.createDeletionRequest(code, now);
  await deps.jobs.send({ kind: 'data-deletion', code, personId: verified.userId });
  deps.logger.info('data-deletion request received', { confirmation_code: code });
  return { url: `${baseUrl.replace(/\/+$/, '')}${deletionStatusPath(code)}`, confirmation_code: code };
}

/** The one form field; a body without it (or with it twice) is `400 invalid_request`. */
function readSignedRequest(body: string): string {
  const form = new URLSearchParams(body.length > MAX_SIGNED_REQUEST_CHARS * 2 ? '' : body);
  const values = form.getAll('signed_request');
  const value = values[0]?.trim();
  if (values.length !== 1 || value === undefined || value === '' || value.length > MAX_SIGNED_REQUEST_CHARS) {
    throw new InvalidRequestError(
      'signed_request',
      'The body must be a form (application/x-www-form-urlencoded) with one signed_request.',
    );
  }
  return value;
}

/** The status page's answer; `not_found` (404) for a code that is not one, unknown or expired. */
export async function dataDeletionStatus(
  deps: Pick<DataDeletionDependencies, 'requests' | 'now'>,
  code: string,
): Promise<DataDeletionStatus> {
  const status: DeletionStatus | undefined = CODE.test(code)
    ? await deps.requests.deletionStatus(code, deps.now())
    : undefined;
  if (status === undefined)
    throw new RouteNotFoundError('No data-deletion request has this confirmation code.');
  return {
    confirmation_code: code,
    status: status.status,
    requested_at: status.requestedAt,
    completed_at: status.completedAt,
    conversations_removed: status.conversationsRemoved,
  };
}

export interface DeletionWorkDependencies extends ErasureDependencies {
  registry: ErasureDependencies['registry'] & { listPageIds(): Promise<string[]> };
  requests: Pick<ErasureStore, 'completeDeletionRequest'>;
}

/** Pages erased at once by one request: a few, so that the table's other work is not crowded out. */
const PAGE_CONCURRENCY = 8;

/**
 * The erasure of a callback's id on every registered Page, then the request marked completed. Safe to
 * run again (a queue's redelivery): each Page's erasure is, and the count is of what this run removed
 * plus what an earlier, interrupted run did not report (it is not kept: a rerun reports only its own).
 */
export async function runDataDeletion(
  deps: DeletionWorkDependencies,
  job: { code: string; personId: string },
): Promise<number> {
  const pageIds = await deps.registry.listPageIds();
  let removed = 0;
  let next = 0;
  const lane = async () => {
    for (let pageId = pageIds[next++]; pageId !== undefined; pageId = pageIds[next++]) {
      const result = await eraseFromPage(deps, pageId, job.personId);
      removed += result.conversationsRemoved;
      if (result.conversationsRemoved > 0) {
        deps.logger.info('person erased', {
          page_id: pageId,
          person: personTag(result.personHash),
          conversations_removed: result.conversationsRemoved,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGE_CONCURRENCY, pageIds.length) }, lane));
  await deps.requests.completeDeletionRequest(job.code, deps.now(), removed);
  deps.logger.info('data-deletion request completed', {
    confirmation_code: job.code,
    pages: pageIds.length,
    conversations_removed: removed,
  });
  return removed;
}
