import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import {
  ApiRedirectError,
  ApiResponseTooLargeError,
  ClientConfigurationError,
  createPageConversationsClient,
} from '#lib/client/index.js';

/**
 * The typed client against servers that are not the API: one that redirects elsewhere, one that sends a
 * body without end. Real HTTP servers on loopback; what they received or managed to send is the proof.
 */

// AWS's own documentation example keys: not a secret, not real-looking.
const SIGV4 = {
  type: 'sigv4',
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
} as const;
const MiB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: (request: { headers: IncomingHttpHeaders }, response: ServerResponse) => void) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A second host that records every request it gets, and answers as the API would. */
async function recordingHost() {
  const received: IncomingHttpHeaders[] = [];
  const url = await serve((request, response) => {
    received.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  return { url, received };
}

/**
 * A server that sends `totalBytes` of body, as fast as the client reads it, and counts what it managed
 * to write before the client went away. `declare` sends a Content-Length; else the body is chunked.
 */
async function streamingHost(totalBytes: number, declare: boolean) {
  let written = 0;
  let finished!: (bytes: number) => void;
  const done = new Promise<number>((resolve) => {
    finished = resolve;
  });
  const url = await serve((_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      ...(declare ? { 'content-length': String(totalBytes) } : {}),
    });
    response.on('close', () => finished(written));
    const pump = () => {
      while (written < totalBytes && !response.destroyed) {
        written += CHUNK.length;
        if (!response.write(CHUNK)) return void response.once('drain', pump);
      }
      if (written >= totalBytes) response.end();
    };
    pump();
  });
  return { url, done };
}

describe('a redirect', () => {
  test.each([301, 302, 303, 307, 308])(
    'answered %i is an error naming it, and the signed request never reaches the other host',
    async (status) => {
      // Prepare
      const elsewhere = await recordingHost();
      const baseUrl = await serve((_request, response) => {
        response.writeHead(status, { location: `${elsewhere.url}/health?from=redirect` }).end();
      });
      const client = createPageConversationsClient({ baseUrl, auth: SIGV4 });
      // Act
      const error = await client.health().catch((caught: unknown) => caught);
      // Assess
      expect(error).toBeInstanceOf(ApiRedirectError);
      expect(error).toMatchObject({ status, location: elsewhere.url });
      expect((error as Error).message).toContain(`answered ${status}`);
      expect(elsewhere.received).toEqual([]);
    },
  );

  test('with a JWT, the token never reaches the other host either', async () => {
    // Prepare
    const elsewhere = await recordingHost();
    const baseUrl = await serve((_request, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/pages` }).end();
    });
    const client = createPageConversationsClient({
      baseUrl,
      auth: { type: 'jwt', token: 'header.payload.sig' },
    });
    // Act
    const error = await client.listPages().catch((caught: unknown) => caught);
    // Assess
    expect(error).toBeInstanceOf(ApiRedirectError);
    expect(elsewhere.received).toEqual([]);
  });
});

describe('an answer over the size cap', () => {
  test('a 50 MB body without a length stops the client at the default 10 MiB cap, unread beyond', async () => {
    // Prepare
    const host = await streamingHost(50 * MiB, false);
    const client = createPageConversationsClient({ baseUrl: host.url, auth: { type: 'none' } });
    // Act
    const error = await client.health().catch((caught: unknown) => caught);
    const written = await host.done;
    // Assess: the server could not send it all (what it wrote beyond the cap sat in socket buffers).
    expect(error).toBeInstanceOf(ApiResponseTooLargeError);
    expect(error).toMatchObject({ status: 200, maxBytes: 10 * MiB });
    expect(written).toBeLessThan(50 * MiB);
  });

  test('a smaller cap is an option, and the error says it', async () => {
    // Prepare
    const host = await streamingHost(50 * MiB, false);
    const client = createPageConversationsClient({
      baseUrl: host.url,
      auth: { type: 'none' },
      maxResponseBytes: MiB,
    });
    // Act
    const error = await client.health().catch((caught: unknown) => caught);
    const written = await host.done;
    // Assess
    expect(error).toBeInstanceOf(ApiResponseTooLargeError);
    expect((error as Error).message).toContain(`larger than ${MiB} bytes`);
    expect(written).toBeLessThan(50 * MiB);
  });

  test('a declared Content-Length over the cap is refused before reading the body', async () => {
    // Prepare
    const host = await streamingHost(50 * MiB, true);
    const client = createPageConversationsClient({
      baseUrl: host.url,
      auth: { type: 'none' },
      maxResponseBytes: MiB,
    });
    // Act
    const error = await client.health().catch((caught: unknown) => caught);
    const written = await host.done;
    // Assess
    expect(error).toBeInstanceOf(ApiResponseTooLargeError);
    expect(written).toBeLessThan(50 * MiB);
  });

  test('an answer of exactly the cap is read', async () => {
    // Prepare
    const body = JSON.stringify({ status: 'ok', pad: 'x'.repeat(1000) });
    const baseUrl = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const client = createPageConversationsClient({
      baseUrl,
      auth: { type: 'none' },
      maxResponseBytes: Buffer.byteLength(body),
    });
    // Act
    const answer = await client.health();
    // Assess
    expect(answer).toMatchObject({ status: 'ok' });
  });

  test.each([0, -1, 1.5, Number.NaN])('maxResponseBytes %s is refused when the client is built', (value) => {
    expect(() =>
      createPageConversationsClient({
        baseUrl: 'http://127.0.0.1:1',
        auth: { type: 'none' },
        maxResponseBytes: value,
      }),
    ).toThrow(ClientConfigurationError);
  });
});
