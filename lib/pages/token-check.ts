/**
 * What onboarding checks of a token before it stores anything, with `GET /debug_token`: that it is the
 * kind the command takes (a user's for `connect`, a Page's for `add`), that Graph says it is valid, and
 * that a Page token lasts. A Page token listed with a short-lived user token (Graph API Explorer's lasts
 * about an hour) dies with it; one listed with a long-lived or a system user's token does not expire.
 */
import { ConfigurationError, PageTokenInvalidError, RateLimitedError } from '../domain/errors.js';
import type { GraphAccountsClient, GraphApp, TokenAsker, TokenInfo } from '../graph/graph-accounts.js';

/** A Page token that expires sooner than this is refused unless the operator allows it. */
export const MIN_TOKEN_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** How to get tokens that last: said wherever an expiring one is refused. */
export const LASTING_TOKENS_ADVICE =
  'Get tokens that last: give the app id and secret (--app-id ID --app-secret-file PATH, or the secret on ' +
  'standard input) and connect exchanges the user token for a long-lived one, whose Page tokens do not ' +
  'expire; or use a system user token (Business settings > Users > System users > Generate new token). ' +
  'To store it anyway: --allow-expiring-tokens.';

/** Who asks `debug_token`: the app token when the app is known (as Graph documents), else the token itself. */
export function debugAsker(token: string, kind: 'user' | 'page', app: GraphApp | undefined): TokenAsker {
  return app === undefined
    ? { caller: { accessToken: token }, kind }
    : { caller: { accessToken: `${app.id}|${app.secret}` }, kind: 'app' };
}

/** `connect` takes a user token: anything else is refused with what it is and what to use instead. */
export function requireUserToken(info: TokenInfo): void {
  if (info.type === 'PAGE') {
    throw new ConfigurationError(
      `This is a Page access token${info.profileId ? ` (of Page ${info.profileId})` : ''}; connect takes a ` +
        'user access token, of a person or system user who manages the Pages: it lists their Pages and ' +
        `stores each one's Page token. To add this one Page: npm run pages -- add ${info.profileId ?? '<pageId>'} --token-file PATH.`,
    );
  }
  if (info.type === 'APP') {
    throw new ConfigurationError(
      'This is an app access token; connect takes a user access token, of a person or system user who manages the Pages.',
    );
  }
  if (!info.isValid) {
    throw new PageTokenInvalidError(
      `Graph says the user access token is not valid${info.problem ? `: ${info.problem}` : ''}. Get a new one.`,
    );
  }
}

/** `add` takes the Page's own token: a user token, or another Page's, is refused with what to do. */
export function requirePageToken(info: TokenInfo, pageId: string): void {
  if (info.type === 'USER') {
    throw new ConfigurationError(
      "This is a user access token; add takes the Page's own access token. With a user token, run " +
        'npm run pages -- connect: it lists the Pages the user manages and stores each Page token.',
    );
  }
  if (info.type === 'PAGE' && info.profileId !== undefined && info.profileId !== pageId) {
    throw new ConfigurationError(
      `This is the Page access token of Page ${info.profileId}, not of Page ${pageId}.`,
    );
  }
  if (!info.isValid) {
    throw new PageTokenInvalidError(
      `Graph says the Page access token is not valid${info.problem ? `: ${info.problem}` : ''}.`,
    );
  }
}

/** Why this Page token should not be stored: it expires within `MIN_TOKEN_DAYS`; undefined when it lasts. */
export function expiryProblem(expiresAt: Date | undefined, now: Date): string | undefined {
  if (expiresAt === undefined || expiresAt.getTime() - now.getTime() >= MIN_TOKEN_DAYS * DAY_MS)
    return undefined;
  return `its Page token expires ${expiresAt.toISOString()} (${remaining(expiresAt.getTime() - now.getTime())})`;
}

function remaining(ms: number): string {
  if (ms <= 0) return 'already expired';
  const hours = ms / (60 * 60 * 1000);
  return hours < 48
    ? `in ${Math.max(1, Math.round(hours * 60))} minutes`
    : `in ${Math.round(hours / 24)} days`;
}

/** What checking a Page token found: when it expires, or why it cannot be stored, or why it was not checked. */
export interface PageTokenCheck {
  expiresAt: Date | undefined;
  /** Set: the token is not stored (not valid, or expiring and not allowed). */
  refusal: string | undefined;
  /** Set: the token is stored, and this is shown (Graph could not say, or it expires and that was allowed). */
  note: string | undefined;
}

/**
 * When Page tokens listed with this user token expire, by Meta's rule: with a short-lived user token they
 * expire with it; with a long-lived one (or a system user's) they do not expire. What a Page's check
 * falls back on when `debug_token` cannot answer for it.
 */
export function impliedPageTokenExpiry(user: TokenInfo, now: Date): Date | undefined {
  return expiryProblem(user.expiresAt, now) === undefined ? undefined : user.expiresAt;
}

export interface PageTokenCheckOptions {
  app: GraphApp | undefined;
  allowExpiring: boolean;
  now: Date;
  /** `impliedPageTokenExpiry` of the user token. */
  implied: Date | undefined;
  /** False once Graph throttled `debug_token`: the rest are judged by `implied` without asking. */
  ask: boolean;
}

/**
 * `debug_token` of one Page token, judged: invalid, or expiring within `MIN_TOKEN_DAYS` (unless allowed),
 * is a refusal. When Graph cannot answer (it throttles `debug_token` by the app's call count, which an
 * agency's thousands of Pages can reach), the expiry the user token implies is judged instead, and said.
 */
export async function checkPageToken(
  graph: GraphAccountsClient,
  token: string,
  options: PageTokenCheckOptions,
): Promise<PageTokenCheck & { throttled: boolean }> {
  const judge = (expiresAt: Date | undefined, source: string | undefined, throttled: boolean) => {
    const expiring = expiryProblem(expiresAt, options.now);
    const notes = [
      source,
      options.allowExpiring && expiring !== undefined ? `stored although ${expiring}` : undefined,
    ].filter((note): note is string => note !== undefined);
    return {
      expiresAt,
      refusal: options.allowExpiring ? undefined : expiring,
      note: notes.length > 0 ? notes.join('; ') : undefined,
      throttled,
    };
  };
  const inferred = 'expiry inferred from the user token';
  if (!options.ask) return judge(options.implied, `${inferred} (Graph throttled debug_token)`, true);
  let info: TokenInfo;
  try {
    info = await graph.debugToken(token, debugAsker(token, 'page', options.app));
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'Graph failed';
    return judge(
      options.implied,
      `${inferred} (debug_token failed: ${reason})`,
      error instanceof RateLimitedError,
    );
  }
  if (!info.isValid) {
    const refusal = `its Page token is not valid${info.problem ? `: ${info.problem}` : ''}`;
    return { expiresAt: info.expiresAt, refusal, note: undefined, throttled: false };
  }
  return judge(info.expiresAt, undefined, false);
}
