import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessRefreshQueue } from '#lib/webhooks/in-process-refresh-queue.js';
import { newRefreshRequest, type RefreshRequest } from '#lib/webhooks/refresh-request.js';
import { recordingLogger } from './support/harness.js';

/** The local refresh queue's rules, on fake timers: bounded, in order, and a failed run runs again. */

const requests = (count: number): RefreshRequest[] =>
  Array.from({ length: count }, (_, i) =>
    newRefreshRequest({ object: 'page', accountId: '1000000000000001', personId: String(2_000 + i) }, 0),
  );

/** A handler whose runs the test ends one by one. */
function heldHandler() {
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  return {
    started,
    finishOldest: () => finishers.shift()?.(),
    handler: (request: RefreshRequest) =>
      new Promise<void>((resolve) => {
        started.push(request.personId);
        finishers.push(resolve);
      }),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('InProcessRefreshQueue', () => {
  it('runs at most `concurrency` refreshes at once, in the order sent', async () => {
    // Prepare
    const held = heldHandler();
    const queue = new InProcessRefreshQueue(recordingLogger(), { concurrency: 3 }).process(held.handler);
    const sent = requests(7);
    // Act
    await queue.send(sent);
    await vi.advanceTimersByTimeAsync(0);
    const first = [...held.started];
    held.finishOldest();
    held.finishOldest();
    await vi.advanceTimersByTimeAsync(0);
    // Assess
    expect(first).toEqual(sent.slice(0, 3).map((r) => r.personId));
    expect(held.started).toEqual(sent.slice(0, 5).map((r) => r.personId));
  });

  it('a run that throws runs again after 1 s, 2 s, 4 s…, and is given up (logged) after maxAttempts', async () => {
    // Prepare
    const logger = recordingLogger();
    const runs: number[] = [];
    const queue = new InProcessRefreshQueue(logger, { maxAttempts: 4 }).process(async () => {
      runs.push(Date.now());
      throw new Error('DynamoDB did not answer');
    });
    const start = Date.now();
    // Act
    await queue.send(requests(1));
    await vi.advanceTimersByTimeAsync(60_000);
    // Assess
    expect(runs.map((at) => at - start)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(logger.lines.filter((line) => line.includes('runs again'))).toHaveLength(3);
    expect(logger.lines.filter((line) => line.includes('given up'))).toHaveLength(1);
  });

  it('a run that throws once is done on its second run, nothing logged as an error', async () => {
    // Prepare
    const logger = recordingLogger();
    let runs = 0;
    const done: string[] = [];
    const queue = new InProcessRefreshQueue(logger).process(async (request) => {
      runs += 1;
      if (runs === 1) throw new Error('DynamoDB did not answer');
      done.push(request.id);
    });
    const [request] = requests(1);
    // Act
    await queue.send(request ? [request] : []);
    await vi.advanceTimersByTimeAsync(1_000);
    // Assess
    expect(done).toEqual([request?.id]);
    expect(logger.lines.filter((line) => line.includes('"level":"ERROR"'))).toEqual([]);
  });

  it('close() drops what waits, retries included, and lets what runs finish', async () => {
    // Prepare
    const held = heldHandler();
    const queue = new InProcessRefreshQueue(recordingLogger(), { concurrency: 1 }).process(held.handler);
    await queue.send(requests(3));
    await vi.advanceTimersByTimeAsync(0);
    // Act
    queue.close();
    held.finishOldest();
    await vi.advanceTimersByTimeAsync(60_000);
    // Assess
    expect(held.started).toHaveLength(1);
  });
});
