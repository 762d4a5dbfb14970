import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { PayloadTooLargeError } from '../domain/errors.js';
import { lambdaServing } from '../domain/routes.js';
import { errorResponse } from '../http/error-response.js';
import { MAX_DELIVERY_BYTES } from '../webhooks/delivery-limits.js';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/** API Gateway's integration limit, which the local runtime keeps too so that timeouts behave alike. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/** A Lambda context as the runtime passes it, for a function with API Gateway's time limit. */
export function lambdaContext(functionName: string, timeoutMs = INTEGRATION_TIMEOUT_MS): Context {
  const deadline = Date.now() + timeoutMs;
  const fail = () => {
    throw new Error('The local runtime does not support callback-style completion.');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/**
 * Builds the event API Gateway's HTTP API sends with payload format 2.0: lower-case headers, repeated
 * headers and query parameters joined with commas, the raw query string kept as sent. The body keeps
 * its exact bytes: text when they are UTF-8, else base64 with `isBase64Encoded`, as API Gateway
 * passes a binary body (a signature is over bytes, which decoding as UTF-8 would change).
 */
export function toHttpApiEvent(request: IncomingMessage, bytes: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-proto'] = 'http';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const method = request.method ?? 'GET';
  const now = new Date();
  const text = isUtf8(bytes);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(bytes.length === 0 ? {} : { body: text ? bytes.toString('utf8') : bytes.toString('base64') }),
    isBase64Encoded: !text,
  };
}

function send(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(result);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  response.writeHead(result.statusCode ?? 200, headers).end(body);
}

/** API Gateway's own limit on an HTTP API request body: 10 MB. */
export const API_GATEWAY_BODY_LIMIT_BYTES = 10_485_760;

const isWebhookPath = (path: string) => lambdaServing(path) === 'webhook-receiver';

/** The most a route's body may hold: the webhook receiver's own limit, API Gateway's elsewhere. */
const bodyLimitOf = (path: string) =>
  isWebhookPath(path) ? MAX_DELIVERY_BYTES : API_GATEWAY_BODY_LIMIT_BYTES;

/**
 * Reads a body up to `limit` bytes; undefined past it. Once past (or declared past by
 * `Content-Length`), nothing more is kept: the rest is read to its end and discarded, so that the
 * answer can be sent on a connection whose request is complete.
 */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number(request.headers['content-length'] ?? 0) > limit;
  for await (const chunk of request) {
    if (over) continue;
    size += (chunk as Buffer).length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
    } else chunks.push(chunk as Buffer);
  }
  return over ? undefined : Buffer.concat(chunks, size);
}

/**
 * The answer to a body over its limit, with `Connection: close`: the product's own `413
 * payload_too_large` on the webhook route, API Gateway's own answer elsewhere.
 */
function tooLarge(path: string): APIGatewayProxyResultV2 {
  if (isWebhookPath(path)) {
    const answer = errorResponse(
      new PayloadTooLargeError(`A webhook body may be at most ${MAX_DELIVERY_BYTES} bytes.`),
      new Date(),
    );
    return { ...answer, headers: { ...answer.headers, connection: 'close' } };
  }
  return {
    statusCode: 413,
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ message: 'Request Entity Too Large' }),
  };
}

export interface LocalApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves a Lambda HTTP API handler on localhost, the way API Gateway would invoke it. */
export async function startLocalApi(
  handler: HttpApiHandler,
  options: { port?: number; host?: string; functionName?: string } = {},
): Promise<LocalApi> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const limit = bodyLimitOf(path);
    readBody(request, limit)
      .then((bytes) =>
        bytes === undefined
          ? tooLarge(path)
          : handler(toHttpApiEvent(request, bytes), lambdaContext(options.functionName ?? 'api')),
      )
      .then((result) => send(response, result))
      .catch(() => {
        // API Gateway's own answer when the integration fails: the handler maps its errors itself.
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
        }
        response.end(JSON.stringify({ message: 'Internal Server Error' }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
