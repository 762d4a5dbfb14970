import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the stand-in, exactly as it goes on the wire. */
export interface HostileAnswer {
  status: number;
  headers?: Record<string, string>;
  /** A string or an object (sent as JSON). */
  body: string | object;
}

export interface HostileRequest {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

/**
 * A Graph stand-in over HTTP that lies: it answers whatever a test tells it to, shapes Graph never
 * uses included (redirects, envelopes without errors, huge strings, tokens in odd places), so that the
 * product meets hostile input through its real HTTP client, not through a mock.
 */
export interface HostileGraph {
  url: string;
  requests: HostileRequest[];
  /** Every later request gets this answer (a function sees the request) until told otherwise. */
  answerWith(answer: HostileAnswer | ((request: HostileRequest) => HostileAnswer)): void;
  close(): Promise<void>;
}

function describe(req: IncomingMessage): HostileRequest {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  return { path: url.pathname, query: url.searchParams, authorization: req.headers.authorization };
}

export async function startHostileGraph(): Promise<HostileGraph> {
  const requests: HostileRequest[] = [];
  let answer: (request: HostileRequest) => HostileAnswer = () => ({ status: 200, body: { data: [] } });
  const server = createServer((req, res) => {
    const request = describe(req);
    requests.push(request);
    const { status, headers = {}, body } = answer(request);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerWith(next) {
      answer = typeof next === 'function' ? next : () => next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
