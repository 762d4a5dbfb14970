/**
 * What can go wrong on the wire: Graph's error envelope, as the emulator answers it, and the faults a
 * test queues to make Graph misbehave on purpose.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface GraphErrorFields {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
}

export type Fault = { pageId?: string; times?: number } & (
  | { kind: 'graph-error'; status: number; error: GraphErrorFields; headers?: Record<string, string> }
  | { kind: 'http'; status: number; body: string; contentType?: string }
  | { kind: 'malformed' }
  | { kind: 'hang' }
  | { kind: 'reset' }
);

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

/** Graph's fbtrace_id: eleven characters of base64url. */
export function traceId(): string {
  return randomBytes(9).toString('base64url').slice(0, 11);
}

function requestId(): string {
  return `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/** The headers Graph puts on every answer, errors included. */
export function graphHeaders(version: string, trace: string): Record<string, string> {
  return { 'x-fb-trace-id': trace, 'x-fb-request-id': requestId(), 'facebook-api-version': version };
}

export function writeAnswer(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string>,
  contentType = JSON_CONTENT_TYPE,
): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function errorBody(error: GraphErrorFields, trace: string): string {
  return JSON.stringify({ error: { ...error, fbtrace_id: trace } });
}

/** Graph's "(#100) ..." rejections of a parameter. */
export function paramError(message: string): GraphErrorFields {
  return { message, type: 'OAuthException', code: 100 };
}

/** Queued faults, taken in order by the first request each one matches. */
export class FaultQueue {
  private readonly queue: Array<{ fault: Fault; left: number }> = [];

  push(fault: Fault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  take(pageId: string | undefined): Fault | undefined {
    const index = this.queue.findIndex(({ fault }) => fault.pageId === undefined || fault.pageId === pageId);
    const entry = this.queue[index];
    if (entry === undefined) return undefined;
    entry.left--;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

/** A body cut off mid-way, as a proxy or a dropped connection leaves it. */
export const TRUNCATED_JSON = '{"data":[{"id":"t_10000000000001","updated_time":"2026-11-20T10:00:00+0000"},{"id":"t_1000';
