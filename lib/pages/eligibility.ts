import type { ManagedPage, TokenInfo } from '../graph/graph-accounts.js';

/** What `GET /debug_token` says a user token may do: each permission, and for which Pages when granular. */
export type TokenGrants = Pick<TokenInfo, 'scopes' | 'targets'>;

/** What reading a Page's Messenger conversations needs: these permissions, and one of these tasks. */
export const MESSENGER_SCOPES = [
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
] as const;
export const MESSENGER_TASKS = ['MESSAGING', 'MODERATE'] as const;
/** And its Instagram account's conversations. */
export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_manage_messages'] as const;

export interface Eligibility {
  /** Whether the Page can be served at all: its Messenger conversations can be read. */
  eligible: boolean;
  /** What the user must still grant for this Page, in plain words; empty when nothing. */
  missing: string[];
  /** Whether its Instagram conversations can be read too (false when it has no Instagram account). */
  instagram: boolean;
}

function granted(grants: TokenGrants, scope: string, pageId: string): boolean {
  if (!grants.scopes.includes(scope)) return false;
  const targets = grants.targets.get(scope);
  // A permission without target ids was granted for every Page the user manages.
  return targets === undefined || targets.size === 0 || targets.has(pageId);
}

/** Whether the user token's grants and the Page's tasks let this product read the Page's conversations. */
export function eligibility(page: ManagedPage, grants: TokenGrants): Eligibility {
  const missing: string[] = [];
  const messengerScopes = MESSENGER_SCOPES.filter((scope) => !granted(grants, scope, page.id));
  if (messengerScopes.length > 0) missing.push(`permission ${messengerScopes.join(', ')}`);
  if (!page.tasks.some((task) => (MESSENGER_TASKS as readonly string[]).includes(task))) {
    missing.push(`task MESSAGING or MODERATE (has ${page.tasks.join(', ') || 'none'})`);
  }
  if (page.accessToken === undefined) missing.push('a Page access token in /me/accounts');
  const eligible = missing.length === 0;
  let instagram = false;
  if (page.instagramAccountId !== undefined) {
    const instagramScopes = INSTAGRAM_SCOPES.filter((scope) => !granted(grants, scope, page.id));
    instagram = instagramScopes.length === 0;
    if (!instagram) missing.push(`permission ${instagramScopes.join(', ')} (for its Instagram account)`);
  }
  return { eligible, missing, instagram };
}
