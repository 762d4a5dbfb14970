/**
 * The schedule function alone in a process, as Lambda runs it: `functions/sync-schedule.ts` imported
 * (configuration from the environment the parent gives: the table on dynalite, the queue on the SQS
 * stand-in), its handler invoked once. Prints one JSON line: how long the import and the invocation
 * took, and the process's memory (peak RSS from the kernel, peak heap sampled every 10 ms), so that
 * the round bench sees the schedule's own footprint, not the bench's.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';

const heap = { peak: 0 };
const sample = () => {
  heap.peak = Math.max(heap.peak, process.memoryUsage().heapUsed);
};
const sampler = setInterval(sample, 10);

const context = {
  functionName: 'PageConversations-SyncScheduleFunction-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:bench-schedule',
  memoryLimitInMB: '512',
  awsRequestId: 'bench-round',
  logGroupName: '/aws/lambda/bench-schedule',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

const importStarted = performance.now();
const { handler } = (await import('../../functions/sync-schedule.js')) as {
  handler: (event: ScheduledEvent, context: Context) => Promise<{ pages: number }>;
};
const importMs = performance.now() - importStarted;
sample();
const rssAfterImport = process.memoryUsage().rss;
const heapAfterImport = process.memoryUsage().heapUsed;
const cpu = process.cpuUsage();
const started = performance.now();
// The product's own log lines go to stdout: the result line is told apart by its prefix.
const result = await handler({} as ScheduledEvent, context);
const handlerMs = performance.now() - started;
const usedCpu = process.cpuUsage(cpu);
// Its CPU time apart from its wall time: at less than 1,769 MB Lambda gives less than a vCPU (bench memory).
const handlerCpuMs = (usedCpu.user + usedCpu.system) / 1000;
sample();
clearInterval(sampler);
process.stdout.write(
  `\nROUND-SCHEDULE ${JSON.stringify({
    pages: result.pages,
    importMs,
    handlerMs,
    handlerCpuMs,
    rssAfterImport,
    heapAfterImport,
    peakRss: process.resourceUsage().maxRSS * 1024,
    peakHeap: heap.peak,
  })}\n`,
);
process.exit(0);
