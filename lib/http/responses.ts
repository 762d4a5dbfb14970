import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const JSON_HEADERS = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  // Conversations are personal data and cursors are single-use by nature: nothing here is cacheable.
  'cache-control': 'no-store',
});

/** Every answer of the API is JSON; this is the one place that says how. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}
