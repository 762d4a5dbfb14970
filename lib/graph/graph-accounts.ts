/**
 * The Graph calls that onboarding makes (`npm run pages`, the local runtime's start-up checks), never on
 * the Lambda path: the user token's Pages, what a token is and until when it lasts, the exchange for a
 * long-lived user token, and (from `GraphSubscriptionsClient`) the Page's webhook subscription. They go
 * through `GraphClient`'s one transport (retries, the Graph error table, the size cap, `appsecret_proof` when the app secret is
 * known, scrubbing), and every answer is read here as input: ids checked, strings cut, lists bounded.
 * Tokens read from an answer are registered as secrets at once, so no later error or log can print one.
 */

import { PageTokenInvalidError, UpstreamError } from '../domain/errors.js';
import { asRecord } from '../domain/json-record.js';
import { isPageId } from '../domain/vocabulary.js';
import { redactSecrets, registerSecret } from '../telemetry/redaction.js';
import { GraphSubscriptionsClient } from './graph-subscriptions.js';

/** The app's id and secret: with them, tokens are exchanged, debugged with the app token and proved. */
export interface GraphApp {
  id: string;
  secret: string;
}

/** One Page of `GET /me/accounts`, as far as onboarding reads it. */
export interface ManagedPage {
  id: string;
  name: string | undefined;
  accessToken: string | undefined;
  tasks: string[];
  instagramAccountId: string | undefined;
}

/** What `GET /debug_token` says of a token. */
export interface TokenInfo {
  isValid: boolean;
  /** Graph's `type`: `USER`, `PAGE`, `APP` (a system user's token is a `USER` token); undefined if absent. */
  type: string | undefined;
  /** Undefined when the token does not expire (Graph's `expires_at: 0`). */
  expiresAt: Date | undefined;
  /** The Page a `PAGE` token is for (`profile_id`). */
  profileId: string | undefined;
  scopes: string[];
  /** Permission -> Page ids it was granted for; absent when granted for every Page. */
  targets: Map<string, Set<string>>;
  /** Why Graph says the token is not valid, when it says so. */
  problem: string | undefined;
}

/** Who asks `debug_token`: the app token, or the token itself (a user's or a Page's), for the error's words. */
export interface TokenAsker {
  caller: { accessToken: string; appSecret?: string };
  kind: 'app' | 'user' | 'page';
}

/** A user token and when it stops working (undefined: Graph gave no end). */
export interface UserToken {
  accessToken: string;
  expiresAt: Date | undefined;
}

/** Pages per `GET /me/accounts` request: Graph's maximum. */
const ACCOUNTS_BATCH = 100;
/** A user managing more Pages than this is a fault of the answer (a cursor that never ends), not an agency. */
export const MAX_MANAGED_PAGES = 200_000;
const MAX_TEXT = 1_000;
const MAX_LIST = 1_000;
const INSTAGRAM_ID = /^\d{1,32}$/;
// Tokens are long runs of URL-safe characters; anything else (spaces, quotes, kilobytes) is not one.
const TOKEN = /^[\w|.~-]{8,4096}$/;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? redactSecrets(value).slice(0, MAX_TEXT) : undefined;
const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value
        .slice(0, MAX_LIST)
        .filter((item): item is string => typeof item === 'string' && item.length <= 100)
    : [];

/** A token taken from an answer: registered for scrubbing before anything can quote it. */
function tokenOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !TOKEN.test(value)) return undefined;
  registerSecret(value);
  return value;
}

/** Graph's Unix seconds; 0 (or nothing) means never. */
function expiryOf(value: unknown): Date | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
    ? new Date(value * 1000)
    : undefined;
}

/**
 * The classifier words a token rejection for the calls the API makes, with a Page's token; these are
 * made with a user's or the app's, and the operator must know which one Graph refused.
 */
function rejectedAs(error: unknown, kind: 'user' | 'app'): unknown {
  if (!(error instanceof PageTokenInvalidError)) return error;
  const detail = error.message.replace(/^Graph rejected the page's access token: /, '');
  const graph = error.graph === undefined ? {} : { graph: error.graph };
  return new PageTokenInvalidError(`Graph rejected the ${kind} access token: ${detail}`, {
    ...graph,
    cause: error,
  });
}

/** `GraphClient` with the onboarding calls; built by the operator's commands and the local runtime only. */
export class GraphAccountsClient extends GraphSubscriptionsClient {
  /**
   * `GET /oauth/access_token?grant_type=fb_exchange_token`: a long-lived user token (about 60 days) for a
   * short-lived one; the Page tokens listed with it do not expire. Graph documents the exchange with
   * the secret and the token in the query: both are registered for scrubbing first, and the client
   * never logs a URL.
   */
  async exchangeUserToken(userToken: string, app: GraphApp): Promise<UserToken> {
    registerSecret(userToken);
    registerSecret(app.secret);
    const query = new URLSearchParams({
      grant_type: 'fb_exchange_token',
      client_id: app.id,
      client_secret: app.secret,
      fb_exchange_token: userToken,
    });
    const { json } = await this.send('GET', undefined, '/oauth/access_token', query).catch(
      (error: unknown) => {
        throw rejectedAs(error, 'user');
      },
    );
    const body = asRecord(json);
    const accessToken = tokenOf(body.access_token);
    if (accessToken === undefined)
      throw new UpstreamError('Graph exchanged the token without an access_token.');
    const seconds = body.expires_in;
    const expiresAt =
      typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0
        ? new Date(this.now().getTime() + seconds * 1000)
        : undefined;
    return { accessToken, expiresAt };
  }

  /**
   * Every Page the user manages: every batch of `GET /me/accounts`, walked by its `after` cursor (Graph's
   * `paging.next` URL is never followed: it would carry the token in a URL we did not build).
   */
  async *managedPages(user: { accessToken: string; appSecret?: string }): AsyncGenerator<ManagedPage[]> {
    let after: string | undefined;
    const seen = new Set<string>();
    let count = 0;
    do {
      const query = new URLSearchParams({
        fields: 'id,name,access_token,tasks,instagram_business_account',
        limit: String(ACCOUNTS_BATCH),
      });
      if (after !== undefined) query.set('after', after);
      const answer = await this.send('GET', user, '/me/accounts', query).catch((error: unknown) => {
        throw rejectedAs(error, 'user');
      });
      const body = asRecord(answer.json);
      const batch = (Array.isArray(body.data) ? body.data : []).flatMap(
        (item) => readManagedPage(item) ?? [],
      );
      count += batch.length;
      yield batch;
      const paging = asRecord(body.paging);
      const cursor = asRecord(paging.cursors).after;
      after = typeof paging.next === 'string' && typeof cursor === 'string' ? cursor : undefined;
      if (after !== undefined && (seen.has(after) || count > MAX_MANAGED_PAGES)) {
        throw new UpstreamError(
          `Graph's /me/accounts did not end (a repeated cursor, or over ${MAX_MANAGED_PAGES} Pages).`,
        );
      }
      if (after !== undefined) seen.add(after);
    } while (after !== undefined);
  }

  /**
   * `GET /debug_token` of `inputToken`, asked as `asker`: the app token (`{app-id}|{app-secret}`) when the
   * app is known, as Graph documents; else the token itself. An invalid token is an answer, not an error.
   */
  async debugToken(inputToken: string, asker: TokenAsker): Promise<TokenInfo> {
    registerSecret(inputToken);
    const query = new URLSearchParams({ input_token: inputToken });
    const answer = await this.send('GET', asker.caller, '/debug_token', query).catch((error: unknown) => {
      throw asker.kind === 'page' ? error : rejectedAs(error, asker.kind);
    });
    const data = asRecord(asRecord(answer.json).data);
    const targets = new Map<string, Set<string>>();
    const granular = Array.isArray(data.granular_scopes) ? data.granular_scopes.slice(0, MAX_LIST) : [];
    for (const grant of granular) {
      const { scope, target_ids: ids } = asRecord(grant);
      if (typeof scope === 'string' && Array.isArray(ids)) {
        targets.set(scope, new Set(ids.filter((id): id is string => typeof id === 'string' && isPageId(id))));
      }
    }
    const profileId = data.profile_id;
    return {
      isValid: data.is_valid === true,
      type: typeof data.type === 'string' && /^[A-Z_]{1,32}$/.test(data.type) ? data.type : undefined,
      expiresAt: expiryOf(data.expires_at),
      profileId: typeof profileId === 'string' && isPageId(profileId) ? profileId : undefined,
      scopes: strings(data.scopes),
      targets,
      problem: text(asRecord(data.error).message),
    };
  }
}

function readManagedPage(item: unknown): ManagedPage | undefined {
  const page = asRecord(item);
  if (typeof page.id !== 'string' || !isPageId(page.id)) return undefined;
  const instagram = asRecord(page.instagram_business_account).id;
  return {
    id: page.id,
    name: text(page.name),
    accessToken: tokenOf(page.access_token),
    tasks: strings(page.tasks).slice(0, 20),
    instagramAccountId: typeof instagram === 'string' && INSTAGRAM_ID.test(instagram) ? instagram : undefined,
  };
}
