import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** API Gateway's own domain in the events below: what `paging.next` is built from without PUBLIC_BASE_URL. */
export const API_DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';

/**
 * The event an HTTP API (payload format 2.0) hands Lambda for a GET, for tests that call a handler
 * directly rather than through the local adapter. `headers` replace the default Host header, and
 * `stage` the `$default` stage.
 */
export function apiGatewayEvent(
  path: string,
  options: { rawQueryString?: string; headers?: Record<string, string>; stage?: string } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.rawQueryString ?? '',
    headers: options.headers ?? { host: API_DOMAIN },
    requestContext: {
      accountId: '111122223333',
      apiId: 'abc123',
      domainName: API_DOMAIN,
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: options.stage ?? '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}
