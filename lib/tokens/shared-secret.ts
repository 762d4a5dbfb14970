import type { PageCredentials } from './token-source.js';

/**
 * Shared secrets: one JSON secret holds many Pages' tokens, in the format of `PAGE_TOKENS_FILE`
 * (`{"<pageId>": {"access_token", "app_secret"}}`), named `<prefix>shared-0001`, `-0002`, ... so that the
 * functions' read permission on `<prefix>*` covers them too.
 */

/** Secrets Manager's limit on a secret's value. */
export const SECRET_VALUE_MAX_BYTES = 65_536;
/** Room left in each shared secret, so a Page whose token grows on refresh still fits where it is. */
export const SHARED_SECRET_FILL_BYTES = 60_000;

/**
 * `npm run pages -- connect` stores tokens in shared secrets by default when it stores more than this many
 * Pages: a secret costs $0.40 a month, so ten Pages cost $4 a month in secrets of their own and $0.40 in
 * one shared secret. `--secret-per-page` keeps one secret per Page whatever the count.
 */
export const SHARED_SECRETS_ABOVE_PAGES = 10;

/** Whether new Pages' tokens go into shared secrets: as forced, else by how many Pages are stored. */
export function useSharedSecrets(pages: number, forced: 'shared' | 'per-page' | undefined): boolean {
  return forced === undefined ? pages > SHARED_SECRETS_ABOVE_PAGES : forced === 'shared';
}

/**
 * The credentials to store for a Page: a new token given without an app secret keeps the one stored with
 * the Page's old token (the secret is the app's, not the token's), so that re-connecting without the app
 * secret does not turn off `appsecret_proof` for a Page whose app requires it.
 */
export function keepAppSecret(
  before: PageCredentials | undefined,
  incoming: PageCredentials,
): PageCredentials {
  return incoming.appSecret === undefined && before?.appSecret !== undefined
    ? { accessToken: incoming.accessToken, appSecret: before.appSecret }
    : incoming;
}

export function sharedSecretName(prefix: string, number: number): string {
  return `${prefix}shared-${String(number).padStart(4, '0')}`;
}

export function isSharedSecretName(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}shared-`) && /^\d{4,}$/.test(name.slice(prefix.length + 'shared-'.length));
}

/** The secret's value for these tokens, keys in id order so that equal content is equal text. */
export function serializeSharedSecret(tokens: ReadonlyMap<string, PageCredentials>): string {
  const entries = [...tokens.entries()].sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1));
  return JSON.stringify(
    Object.fromEntries(
      entries.map(([pageId, credentials]) => [
        pageId,
        credentials.appSecret === undefined
          ? { access_token: credentials.accessToken }
          : { access_token: credentials.accessToken, app_secret: credentials.appSecret },
      ]),
    ),
  );
}

export function sameCredentials(a: PageCredentials | undefined, b: PageCredentials | undefined): boolean {
  return a !== undefined && b !== undefined && a.accessToken === b.accessToken && a.appSecret === b.appSecret;
}

/** Whether a value fits a shared secret under the fill limit. */
export function fitsSharedSecret(value: string): boolean {
  return Buffer.byteLength(value) <= SHARED_SECRET_FILL_BYTES;
}
