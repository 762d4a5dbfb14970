import type { APIGatewayProxyEventV2 } from 'aws-lambda';

// A host as API Gateway names its own domain (a name or an address, and a port locally).
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/;

/**
 * The base of the links this API gives (`paging.next`, a data-deletion status URL): `PUBLIC_BASE_URL`
 * when set (a custom domain, perhaps with a base path), else API Gateway's own domain and stage. Never the `Host` or `x-forwarded-proto` headers, which a
 * caller writes: a link built from them could point anywhere. API Gateway serves https only; a
 * loopback domain is the local runtime, which serves http.
 */
export function selfBaseUrl(event: APIGatewayProxyEventV2, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl !== undefined) return publicBaseUrl.replace(/\/+$/, '');
  const { domainName, stage } = event.requestContext;
  // Not a host name: no origin at all rather than one that may be wrong; the path still works.
  if (!HOST.test(domainName)) return '';
  const scheme = LOOPBACK.test(domainName) ? 'http' : 'https';
  return `${scheme}://${domainName}${stage && stage !== '$default' ? `/${encodeURIComponent(stage)}` : ''}`;
}
