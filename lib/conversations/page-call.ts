import { KnownInvalidTokenError, PageTokenInvalidError, RateLimitedError } from '../domain/errors.js';
import { secretVersionOf, tokenHealthError } from '../domain/page.js';
import type { GraphUsage } from '../graph/usage.js';
import type { BackoffStore } from '../store/backoff-store.js';
import type { TokenHealthRecorder } from '../store/page-registry.js';
import { METRIC_NAMES } from '../telemetry/metric-names.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import type { PageCredentials, TokenSource } from '../tokens/token-source.js';

export interface PageCallDependencies {
  tokens: TokenSource;
  backoff: BackoffStore;
  now: () => Date;
  /** The Page registry, when there is one: told of each token rejection and success. */
  registry?: TokenHealthRecorder;
  /** Counts throttles and tokens marked invalid; nothing unless given. */
  metrics?: ProductMetrics;
}

/** Refuses to go on for a page Graph throttles, without calling Graph: calling would prolong the block. */
export async function refuseIfThrottled(
  backoff: BackoffStore,
  pageId: string,
  now: Date,
  metrics: ProductMetrics = NO_METRICS,
): Promise<void> {
  const until = await backoff.throttledUntil(pageId, now);
  if (until !== undefined) {
    metrics.count(METRIC_NAMES.throttles, 1, { Source: 'backoff' });
    throw new RateLimitedError(
      `Graph throttles this page until ${until.toISOString()}; no call is made before.`,
      until,
    );
  }
}

/**
 * One Graph call made as a page, the way both the API and the sync make it: a token Graph rejects is
 * read once more (the secret may have been rotated) and the call repeated only if it changed, since the
 * same token would fail the same way and spend quota; a throttle Graph names, in an error or in usage
 * headers at 100%, is recorded so that no container calls the page again before it ends.
 * Returns the answer and the credentials that obtained it.
 */
export async function callAsPage<T extends { usage: GraphUsage }>(
  deps: PageCallDependencies,
  pageId: string,
  credentials: PageCredentials,
  call: (credentials: PageCredentials) => Promise<T>,
): Promise<{ answer: T; credentials: PageCredentials }> {
  let used = credentials;
  let answer: T;
  try {
    try {
      answer = await call(used);
    } catch (error: unknown) {
      if (!(error instanceof PageTokenInvalidError)) throw error;
      const reloaded = await deps.tokens.reload(pageId);
      if (reloaded.accessToken === used.accessToken && reloaded.appSecret === used.appSecret) throw error;
      used = reloaded;
      answer = await call(used);
    }
  } catch (error: unknown) {
    const metrics = deps.metrics ?? NO_METRICS;
    if (error instanceof RateLimitedError) {
      metrics.count(METRIC_NAMES.throttles, 1, { Source: 'graph' });
      await deps.backoff.record(pageId, error.retryAt, deps.now());
    }
    if (error instanceof PageTokenInvalidError) {
      // A token source's refusal of a token recorded invalid before is no new marking.
      if (!(error instanceof KnownInvalidTokenError)) metrics.count(METRIC_NAMES.tokensMarkedInvalid);
      await deps.registry?.markTokenInvalid(pageId, tokenHealthError(error), secretVersionOf(used));
    }
    throw error;
  }
  await deps.registry?.markTokenValid(pageId);
  const { maxPercent, regainAccessMinutes } = answer.usage;
  if (maxPercent >= 100 && regainAccessMinutes > 0) {
    // Graph answered, but says the next calls will be refused: stop before it has to.
    deps.metrics?.count(METRIC_NAMES.throttles, 1, { Source: 'usage' });
    const now = deps.now();
    await deps.backoff.record(pageId, new Date(now.getTime() + regainAccessMinutes * 60_000), now);
  }
  return { answer, credentials: used };
}
