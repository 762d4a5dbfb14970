import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError } from '../domain/errors.js';
import { comparePageIds } from '../domain/page.js';
import { isPageId } from '../domain/vocabulary.js';

/**
 * Which Pages a caller may read. IAM callers, and JWT callers while no Page claim is configured, may
 * read every Page (IAM scopes by route ARN instead, in the caller's policy). With `JWT_PAGE_IDS_CLAIM`
 * set, a JWT caller may read the Pages its claim lists and no other; without the claim, none.
 */
export type PageAccess =
  | { readonly kind: 'every-page' }
  /** Ascending, without duplicates: `GET /pages` walks them in the listing's order. */
  | { readonly kind: 'listed'; readonly pageIds: readonly string[] };

const EVERY_PAGE: PageAccess = Object.freeze({ kind: 'every-page' });

/** A claim's value as API Gateway hands it over (payload format 2.0 types it this way). */
type ClaimValue = string | number | boolean | readonly unknown[] | undefined;

/**
 * The Page ids a claim lists. API Gateway flattens an array claim into one string, `[1001 1003]`; an
 * identity provider that cannot emit arrays may send `1001`, `1001,1003` or `1001 1003`; a claim may also
 * arrive as an array. An entry that is not a Page id in its one form (digits, no leading zero) grants
 * nothing: a number an identity provider wrote as JSON number may come through as `1.001e+15`, and must
 * not be read as another id. The claim's size is bounded by the token's, which API Gateway bounds.
 */
export function parsePageIdsClaim(value: ClaimValue): string[] {
  let entries: unknown[];
  if (Array.isArray(value)) entries = [...value];
  else if (typeof value === 'string') {
    const inner = value.trim().replace(/^\[(.*)\]$/s, '$1');
    entries = inner.split(/[\s,]+/).map((entry) => entry.replace(/^"(.*)"$/, '$1'));
  } else entries = [];
  const ids = new Set(
    entries.filter((entry): entry is string => typeof entry === 'string' && isPageId(entry)),
  );
  return [...ids].sort(comparePageIds);
}

/** The JWT authorizer's claims of a request, or undefined when no JWT authorized it (IAM, local). */
function jwtClaims(event: APIGatewayProxyEventV2): Record<string, ClaimValue> | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: unknown } } } | undefined;
  const jwt = context?.authorizer?.jwt;
  if (jwt === undefined || jwt === null || typeof jwt !== 'object') return undefined;
  const claims = jwt.claims;
  return typeof claims === 'object' && claims !== null ? (claims as Record<string, ClaimValue>) : {};
}

/** What this request may read, from its JWT's Page claim when `claimName` is set. */
export function pageAccessOf(event: APIGatewayProxyEventV2, claimName: string | undefined): PageAccess {
  if (claimName === undefined) return EVERY_PAGE;
  const claims = jwtClaims(event);
  if (claims === undefined) return EVERY_PAGE;
  // Own properties only: a claim named `constructor` must not read Object.prototype's.
  const value = Object.hasOwn(claims, claimName) ? claims[claimName] : undefined;
  return { kind: 'listed', pageIds: parsePageIdsClaim(value) };
}

/** Throws `403 forbidden` unless the caller may read this Page. */
export function requirePageAccess(access: PageAccess, pageId: string): void {
  if (access.kind === 'every-page' || access.pageIds.includes(pageId)) return;
  throw new ForbiddenError("This caller's token does not list this Page among those it may read.");
}
