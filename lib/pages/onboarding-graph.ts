import { UpstreamError } from '../domain/errors.js';
import { classifyGraphError, readGraphError } from '../graph/graph-errors.js';
import { parseUsageHeaders } from '../graph/usage.js';

/** One Page of `GET /me/accounts`, as far as onboarding reads it. */
export interface ManagedPage {
  id: string;
  name: string | undefined;
  accessToken: string | undefined;
  tasks: string[];
  instagramAccountId: string | undefined;
}

/** What `GET /debug_token` says a user token may do: each permission, and for which Pages when granular. */
export interface TokenGrants {
  isValid: boolean;
  scopes: string[];
  /** Permission -> Page ids it was granted for; absent when granted for every Page. */
  targets: Map<string, Set<string>>;
}

export interface OnboardingGraphOptions {
  baseUrl: string;
  version: string;
  timeoutMs?: number;
}

const ACCOUNTS_PAGE_SIZE = 100;

/**
 * The few Graph calls that onboarding makes, for the operator's commands (never on the Lambda path):
 * tokens go in the Authorization header, URLs are built here (Graph's `paging.next` is never followed,
 * only its `after` cursor), and errors become the product's errors by Graph's own code.
 */
export class OnboardingGraph {
  constructor(private readonly options: OnboardingGraphOptions) {}

  /** `GET /oauth/access_token?grant_type=fb_exchange_token`: a long-lived user token for a short one. */
  async exchangeUserToken(userToken: string, app: { id: string; secret: string }): Promise<string> {
    const body = await this.call('GET', '/oauth/access_token', undefined, {
      grant_type: 'fb_exchange_token',
      client_id: app.id,
      client_secret: app.secret,
      fb_exchange_token: userToken,
    });
    const token = (body as { access_token?: unknown }).access_token;
    if (typeof token !== 'string')
      throw new UpstreamError('Graph exchanged the token without an access_token.');
    return token;
  }

  /** Every Page the user manages: every page of `GET /me/accounts`, walked by its `after` cursor. */
  async *managedPages(userToken: string): AsyncGenerator<ManagedPage[]> {
    let after: string | undefined;
    do {
      const body = (await this.call('GET', '/me/accounts', userToken, {
        fields: 'id,name,access_token,tasks,instagram_business_account',
        limit: String(ACCOUNTS_PAGE_SIZE),
        ...(after === undefined ? {} : { after }),
      })) as { data?: unknown[]; paging?: { next?: unknown; cursors?: { after?: unknown } } };
      yield (body.data ?? []).flatMap((item) => readManagedPage(item) ?? []);
      const cursor = body.paging?.cursors?.after;
      after = typeof body.paging?.next === 'string' && typeof cursor === 'string' ? cursor : undefined;
    } while (after !== undefined);
  }

  /** `GET /debug_token` of the user token, asked with the app token when known, else with itself. */
  async grants(userToken: string, app?: { id: string; secret: string }): Promise<TokenGrants> {
    const asker = app === undefined ? userToken : `${app.id}|${app.secret}`;
    const body = (await this.call('GET', '/debug_token', asker, { input_token: userToken })) as {
      data?: { is_valid?: unknown; scopes?: unknown; granular_scopes?: unknown };
    };
    const data = body.data ?? {};
    const scopes = Array.isArray(data.scopes)
      ? data.scopes.filter((s): s is string => typeof s === 'string')
      : [];
    const targets = new Map<string, Set<string>>();
    for (const grant of Array.isArray(data.granular_scopes) ? data.granular_scopes : []) {
      const { scope, target_ids: ids } = grant as { scope?: unknown; target_ids?: unknown };
      if (typeof scope === 'string' && Array.isArray(ids)) {
        targets.set(scope, new Set(ids.filter((id): id is string => typeof id === 'string')));
      }
    }
    return { isValid: data.is_valid === true, scopes, targets };
  }

  /** `GET /{page-id}?fields=name,instagram_business_account` with the Page's token: a check of the token. */
  async pageProfile(
    pageId: string,
    pageToken: string,
  ): Promise<{ name: string | undefined; instagramAccountId: string | undefined }> {
    const body = (await this.call('GET', `/${encodeURIComponent(pageId)}`, pageToken, {
      fields: 'name,instagram_business_account',
    })) as { name?: unknown; instagram_business_account?: { id?: unknown } };
    const ig = body.instagram_business_account?.id;
    return {
      name: typeof body.name === 'string' ? body.name : undefined,
      instagramAccountId: typeof ig === 'string' ? ig : undefined,
    };
  }

  /** `POST /{page-id}/subscribed_apps`: the Page sends the app's webhooks. */
  async subscribeApp(pageId: string, pageToken: string, fields: readonly string[]): Promise<void> {
    await this.call('POST', `/${encodeURIComponent(pageId)}/subscribed_apps`, pageToken, {
      subscribed_fields: fields.join(','),
    });
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    token: string | undefined,
    query: Record<string, string>,
  ): Promise<unknown> {
    const url = `${this.options.baseUrl}/${this.options.version}${path}?${new URLSearchParams(query).toString()}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000),
      });
      text = await response.text();
    } catch (error: unknown) {
      throw new UpstreamError('The connection to Graph failed.', { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause: unknown) {
      throw new UpstreamError(`Graph answered HTTP ${response.status} with a body that is not JSON.`, {
        cause,
      });
    }
    const error = readGraphError(json);
    if (error !== undefined || !response.ok) {
      const secrets = [token, query.client_secret, query.fb_exchange_token].filter((s): s is string => !!s);
      const redact = (text: string) =>
        secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
      throw classifyGraphError(
        error ?? {},
        parseUsageHeaders(Object.fromEntries(response.headers)),
        new Date(),
        redact,
      );
    }
    return json;
  }
}

function readManagedPage(item: unknown): ManagedPage | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  if (typeof record.id !== 'string' || !/^\d+$/.test(record.id)) return undefined;
  const ig = (record.instagram_business_account as { id?: unknown } | undefined)?.id;
  return {
    id: record.id,
    name: typeof record.name === 'string' ? record.name : undefined,
    accessToken: typeof record.access_token === 'string' ? record.access_token : undefined,
    tasks: Array.isArray(record.tasks) ? record.tasks.filter((t): t is string => typeof t === 'string') : [],
    instagramAccountId: typeof ig === 'string' ? ig : undefined,
  };
}
