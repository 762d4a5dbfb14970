import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '#lib/telemetry/logger.js';
import { registerSecret } from '#lib/telemetry/redaction.js';

/** The Lambda logger: the function's service name, and an Error logged whole but scrubbed. */

function capture(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const written: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  // Powertools writes errors to stderr and the rest to stdout.
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

const previous = process.env.POWERTOOLS_SERVICE_NAME;
afterEach(() => {
  if (previous === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
  else process.env.POWERTOOLS_SERVICE_NAME = previous;
});

describe('createLogger', () => {
  it.each([
    [
      'the service name CDK sets per function',
      'page-conversations-sync-worker',
      undefined,
      'page-conversations-sync-worker',
    ],
    ['a name the caller gives', 'page-conversations-api', 'leak-test', 'leak-test'],
    ['the product name when nothing is set', undefined, undefined, 'page-conversations'],
  ])('logs under %s', (_, env, given, expected) => {
    if (env === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
    else process.env.POWERTOOLS_SERVICE_NAME = env;
    const output = capture();
    try {
      createLogger(given).info('hello');
    } finally {
      output.restore();
    }
    expect(output.lines()[0]?.service).toBe(expected);
  });

  it('logs an Error with its name, message and stack, every loaded secret scrubbed from each', () => {
    const token = 'EAAloggertesttoken000000000000000000';
    registerSecret(token);
    const output = capture();
    try {
      createLogger().error('sync run crashed', new TypeError(`bad answer for ${token}`));
    } finally {
      output.restore();
    }
    const line = output.lines()[0] as { error: { name: string; message: string; stack: string } };
    expect(line.error.name).toBe('TypeError');
    expect(line.error.message).toBe('bad answer for [redacted]');
    expect(line.error.stack).toContain('TypeError');
    expect(JSON.stringify(line)).not.toContain(token);
  });
});
