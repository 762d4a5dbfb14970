/**
 * The emulator's user tokens and how long each lasts, as Meta's do: a login dialog's (or Graph API
 * Explorer's) token is short-lived (an hour), `fb_exchange_token` gives a long-lived one (60 days), and a
 * system user's never expires. A Page token lasts as long as the user token it was listed with when that
 * one is short-lived, and for ever when it is long-lived: the emulator keeps the lifetime of each Page's
 * token as its last listing gave it (the token string stays the same, so it keeps working for the
 * conversations edge).
 */
import { randomBytes } from 'node:crypto';
import { GraphRejection } from './graph-emulator-rules.js';

/** The emulated Meta app: `connect` exchanges tokens with these, as with a real app's id and secret. */
export const EMULATOR_APP = Object.freeze({ id: '900000000000001', secret: 'emulator-app-secret' });
export const APP_TOKEN = `${EMULATOR_APP.id}|${EMULATOR_APP.secret}`;

export type TokenLifetime = 'short' | 'long' | 'never';

export const SHORT_LIVED_SECONDS = 60 * 60;
export const LONG_LIVED_SECONDS = 60 * 24 * 60 * 60;

export interface UserTokenEntry {
  userId: string;
  lifetime: TokenLifetime;
  /** Epoch ms; undefined: never. */
  expiresAt: number | undefined;
}

/** What `debug_token` is asked about, as the accounts emulator found it. */
export type DebugSubject =
  | { kind: 'app' }
  | { kind: 'page'; pageId: string; expiresAt: number | undefined }
  | {
      kind: 'user';
      userId: string;
      entry: UserTokenEntry;
      granted: Array<{ scope: string; target_ids: string[] }>;
    }
  | { kind: 'unknown' };

const DATA_ACCESS_SECONDS = 90 * 86_400;

export class TokenLedger {
  private readonly users = new Map<string, UserTokenEntry>();
  /** Page id -> when its token expires (epoch ms); absent: never. */
  private readonly pageExpiry = new Map<string, number>();

  constructor(private readonly now: () => Date) {}

  /** A new user token of this lifetime (or the given one, for the demo's printed token). */
  issue(userId: string, lifetime: TokenLifetime, token?: string): string {
    const seconds = lifetime === 'short' ? SHORT_LIVED_SECONDS : lifetime === 'long' ? LONG_LIVED_SECONDS : 0;
    const issued = token ?? `EMULATOR-USER-TOKEN-${userId}-${lifetime}-${randomBytes(6).toString('hex')}`;
    this.users.set(issued, {
      userId,
      lifetime,
      expiresAt: seconds === 0 ? undefined : this.now().getTime() + seconds * 1000,
    });
    return issued;
  }

  /** The user token's entry, expired or not; undefined for a token that is not a user token. */
  user(token: string | undefined): UserTokenEntry | undefined {
    return token === undefined ? undefined : this.users.get(token);
  }

  expired(entry: UserTokenEntry): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= this.now().getTime();
  }

  /** A Page token listed with this user token: it lasts as long as a short-lived one, else for ever. */
  handOut(pageId: string, via: UserTokenEntry): void {
    if (via.lifetime === 'short' && via.expiresAt !== undefined) this.pageExpiry.set(pageId, via.expiresAt);
    else this.pageExpiry.delete(pageId);
  }

  pageTokenExpiresAt(pageId: string): number | undefined {
    return this.pageExpiry.get(pageId);
  }

  /** `GET /oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token`. */
  exchange(search: URLSearchParams): unknown {
    if (search.get('grant_type') !== 'fb_exchange_token') {
      throw new GraphRejection({ message: 'Unsupported grant_type', type: 'OAuthException', code: 100 });
    }
    if (search.get('client_id') !== EMULATOR_APP.id || search.get('client_secret') !== EMULATOR_APP.secret) {
      throw new GraphRejection({
        message: 'Error validating client secret.',
        type: 'OAuthException',
        code: 1,
        error_subcode: 463,
      });
    }
    const given = this.user(search.get('fb_exchange_token') ?? undefined);
    if (given === undefined) throw invalidToken();
    if (this.expired(given)) throw expiredToken(given);
    const token = this.issue(given.userId, 'long');
    return { access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS };
  }

  /** `GET /debug_token`'s answer, in Graph's shape: an invalid token is an answer (`is_valid: false`), not an error. */
  debug(subject: DebugSubject, pageScopes: readonly string[]): unknown {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const common = { app_id: EMULATOR_APP.id, application: 'Emulated app', issued_at: nowSeconds };
    const dataAccess = nowSeconds + DATA_ACCESS_SECONDS;
    switch (subject.kind) {
      case 'app':
        return { data: { ...common, type: 'APP', is_valid: true, expires_at: 0, scopes: [] } };
      case 'page':
        return {
          data: {
            ...common,
            type: 'PAGE',
            profile_id: subject.pageId,
            expires_at: TokenLedger.seconds(subject.expiresAt),
            data_access_expires_at: dataAccess,
            is_valid: true,
            scopes: [...pageScopes],
          },
        };
      case 'unknown':
        return {
          data: { error: { code: 190, message: invalidToken().error.message }, is_valid: false, scopes: [] },
        };
      case 'user': {
        if (this.expired(subject.entry)) {
          const { message, code, error_subcode } = expiredToken(subject.entry).error;
          const error = { code, subcode: error_subcode, message };
          return { data: { ...common, type: 'USER', error, is_valid: false, scopes: [] } };
        }
        return {
          data: {
            ...common,
            type: 'USER',
            data_access_expires_at: dataAccess,
            expires_at: TokenLedger.seconds(subject.entry.expiresAt),
            is_valid: true,
            scopes: subject.granted.map((g) => g.scope),
            granular_scopes: subject.granted,
            user_id: subject.userId,
          },
        };
      }
    }
  }

  /** Seconds since the epoch as Graph writes them; 0 for never. */
  static seconds(epochMs: number | undefined): number {
    return epochMs === undefined ? 0 : Math.floor(epochMs / 1000);
  }
}

export function invalidToken(): GraphRejection {
  const message = 'Invalid OAuth access token - Cannot parse access token';
  return new GraphRejection({ message, type: 'OAuthException', code: 190 });
}

export function expiredToken(entry: UserTokenEntry): GraphRejection {
  const when = new Date(entry.expiresAt ?? 0).toUTCString();
  return new GraphRejection({
    message: `Error validating access token: Session has expired on ${when}.`,
    type: 'OAuthException',
    code: 190,
    error_subcode: 463,
  });
}
