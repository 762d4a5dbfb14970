/** What the memory bench's parent and its child process (memory-child.ts) tell each other. */

export interface MemoryPlan {
  pages: Array<{ id: string; secret: string; personId: string; conversationId: string }>;
  tokenPrefix: string;
  webhookSecretId: string;
  webhookSecret: { app_secret: string; verify_token: string };
  personKeySecretId: string;
  /** Invocations of each operation measured, after `warm` unmeasured ones. */
  measured: number;
  warm: number;
}

export interface Invocation {
  cpuMs: number;
  wallMs: number;
  logBytes: number;
  reads: number;
  writes: number;
  writeUnits: number;
  graphCalls: number;
}

export const OPERATIONS = [
  'sync run',
  'API request',
  'webhook receive',
  'webhook refresh',
  'webhook refresh, nothing new',
] as const;
export type Operation = (typeof OPERATIONS)[number];
export const RESULT_PREFIX = 'MEMORY-BENCH ';

export interface ChildResult {
  results: Record<Operation, Invocation[]>;
  /** Each function's import, as a cold start makes it (CPU and wall, this machine). */
  imports: Record<string, { cpuMs: number; wallMs: number }>;
  /** Distinct metric series (namespace, name, dimensions) the EMF lines of every invocation named. */
  metricSeries: string[];
  peakRssBytes: number;
}
