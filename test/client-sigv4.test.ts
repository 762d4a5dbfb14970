import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ClientConfigurationError, createPageConversationsClient, regionOfUrl } from '#lib/client/index.js';

/**
 * The client signs with the AWS SDK's signer; these tests check what reaches the wire against an
 * independent Signature Version 4 computation (AWS's published algorithm, written out below and itself
 * checked against AWS's test-suite vector), with a fixed clock and documentation-example credentials.
 */

// AWS's own documentation example keys: not a secret, not real-looking.
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SIGNING_TIME = new Date('2026-11-20T10:00:00Z');

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The signature a request must carry, recomputed from the request as received (AWS SigV4, step by step). */
function expectedSignature(
  request: RecordedRequest,
  signedHeaders: string[],
  scope: { date: string; region: string; service: string },
  secretAccessKey: string,
): string {
  const url = new URL(request.url, 'http://placeholder');
  const canonicalQuery = [...url.searchParams]
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .sort()
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? sha256Hex(''));
  const canonicalRequest = [
    request.method,
    url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    String(request.headers['x-amz-date']),
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, scope.date), scope.region), scope.service),
    'aws4_request',
  );
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=(?<keyId>[^/]+)\/(?<date>\d{8})\/(?<region>[a-z0-9-]+)\/(?<service>[a-z-]+)\/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$/;

describe('the independent SigV4 computation used below', () => {
  test("reproduces AWS's test-suite vector get-vanilla", () => {
    // Prepare: aws-sig-v4-test-suite/get-vanilla.
    const request = {
      method: 'GET',
      url: '/',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
    };
    // Act
    const signature = expectedSignature(
      request,
      ['host', 'x-amz-date'],
      { date: '20150830', region: 'us-east-1', service: 'service' },
      CREDENTIALS.secretAccessKey,
    );
    // Assess
    expect(signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});

describe('requests signed by the client', () => {
  const recorded: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    recorded.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"status":"ok"}');
  });
  let baseUrl: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  function lastRequest(): RecordedRequest {
    const request = recorded.at(-1);
    if (request === undefined) throw new Error('no request recorded');
    return request;
  }

  test('a GET with a query carries an execute-api SigV4 Authorization that verifies', async () => {
    // Prepare
    const client = createPageConversationsClient({
      baseUrl,
      auth: { type: 'sigv4', region: 'eu-west-1', credentials: CREDENTIALS, now: () => SIGNING_TIME },
    });
    // Act
    await client.listConversations('123', { platform: 'instagram', limit: 5, fields: 'id,updated_time' });
    // Assess
    const request = lastRequest();
    expect(request.url).toBe(
      '/prod/pages/123/conversations?platform=instagram&limit=5&fields=id%2Cupdated_time',
    );
    expect(request.headers['x-amz-date']).toBe('20261120T100000Z');
    const match = AUTHORIZATION.exec(String(request.headers.authorization));
    expect(match?.groups).toMatchObject({
      keyId: 'AKIDEXAMPLE',
      date: '20261120',
      region: 'eu-west-1',
      service: 'execute-api',
    });
    const signed = (match?.groups?.signed ?? '').split(';');
    expect(signed).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
    expect(match?.groups?.signature).toBe(
      expectedSignature(
        request,
        signed,
        { date: '20261120', region: 'eu-west-1', service: 'execute-api' },
        CREDENTIALS.secretAccessKey,
      ),
    );
  });

  test('a session token is sent as x-amz-security-token and covered by the signature', async () => {
    // Prepare: credentials from a provider, as the default chain gives them.
    const client = createPageConversationsClient({
      baseUrl,
      auth: {
        type: 'sigv4',
        region: 'eu-west-1',
        credentials: async () => ({ ...CREDENTIALS, sessionToken: 'example-session-token' }),
        now: () => SIGNING_TIME,
      },
    });
    // Act
    await client.startSync('123');
    // Assess
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.headers['x-amz-security-token']).toBe('example-session-token');
    const match = AUTHORIZATION.exec(String(request.headers.authorization));
    const signed = (match?.groups?.signed ?? '').split(';');
    expect(signed).toContain('x-amz-security-token');
    expect(match?.groups?.signature).toBe(
      expectedSignature(
        request,
        signed,
        { date: '20261120', region: 'eu-west-1', service: 'execute-api' },
        CREDENTIALS.secretAccessKey,
      ),
    );
  });

  test('a signature made for another time does not verify (the check can fail)', async () => {
    // Prepare
    const client = createPageConversationsClient({
      baseUrl,
      auth: { type: 'sigv4', region: 'eu-west-1', credentials: CREDENTIALS, now: () => SIGNING_TIME },
    });
    await client.health();
    const request = lastRequest();
    const signed = (AUTHORIZATION.exec(String(request.headers.authorization))?.groups?.signed ?? '').split(
      ';',
    );
    // Act
    const forged = { ...request, headers: { ...request.headers, 'x-amz-date': '20261120T100001Z' } };
    // Assess
    expect(AUTHORIZATION.exec(String(request.headers.authorization))?.groups?.signature).not.toBe(
      expectedSignature(
        forged,
        signed,
        { date: '20261120', region: 'eu-west-1', service: 'execute-api' },
        CREDENTIALS.secretAccessKey,
      ),
    );
  });

  test.each([
    ['a fixed token', 'header.payload.signature'],
    ['a function returning one', async () => 'header.payload.signature'],
  ])('a JWT from %s is sent as a bearer token', async (_label, token) => {
    // Prepare
    const client = createPageConversationsClient({ baseUrl, auth: { type: 'jwt', token } });
    // Act
    await client.health();
    // Assess
    expect(lastRequest().headers.authorization).toBe('Bearer header.payload.signature');
  });

  test('without auth, no Authorization header is sent', async () => {
    const client = createPageConversationsClient({ baseUrl, auth: { type: 'none' } });
    await client.health();
    expect(lastRequest().headers.authorization).toBeUndefined();
  });
});

describe('the signing region', () => {
  test.each([
    ['https://abc123defg.execute-api.eu-west-1.amazonaws.com/', 'eu-west-1'],
    ['https://abc123defg.execute-api.us-gov-west-1.amazonaws.com/prod', 'us-gov-west-1'],
    ['https://abc123defg.execute-api.cn-north-1.amazonaws.com.cn/', 'cn-north-1'],
    ['https://api.example.com/conversations', undefined],
    ['http://127.0.0.1:3000/', undefined],
  ])('of %s is %s', (url, region) => {
    expect(regionOfUrl(new URL(url))).toBe(region);
  });

  test('a custom domain without a region option or AWS_REGION is refused when the client is built', () => {
    // Prepare
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    try {
      // Act / Assess
      expect(() =>
        createPageConversationsClient({
          baseUrl: 'https://api.example.com/',
          auth: { type: 'sigv4', credentials: CREDENTIALS },
        }),
      ).toThrow(ClientConfigurationError);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
