import type { Dispatcher } from 'undici';
import request from 'undici/lib/api/api-request.js';
import Pool from 'undici/lib/dispatcher/pool.js';

/** The part of a keep-alive HTTP pool that the Graph client uses: one request, one answer. */
export interface HttpPool {
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

export interface HttpPoolOptions {
  connectTimeoutMs: number;
  /** Sockets kept open per origin; Lambda serves one request at a time, the sync a few. */
  connections?: number;
}

/**
 * One keep-alive pool for one origin. Built once per container: a TLS handshake to Graph costs more
 * than most of a warm request.
 */
export function createHttpPool(origin: string, options: HttpPoolOptions): HttpPool {
  const pool = new Pool(origin, {
    connections: options.connections ?? 8,
    connect: { timeout: options.connectTimeoutMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
  });
  return {
    request: (requestOptions) => request.call(pool, requestOptions),
    close: () => pool.close(),
  };
}
