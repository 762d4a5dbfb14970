import { expect } from 'vitest';

/** One CloudWatch EMF line, as Powertools prints it and CloudWatch reads it. */
export interface EmfLine {
  namespace: string;
  /** Dimension names of the line's one dimension set. */
  dimensionNames: string[];
  /** The line's dimension values, by name. */
  dimensions: Record<string, string>;
  /** Metric values, by name. */
  metrics: Record<string, number>;
  units: Record<string, string>;
  raw: Record<string, unknown>;
}

/**
 * The EMF lines among printed output, checked against the format CloudWatch expects: `_aws` with a
 * timestamp and one `CloudWatchMetrics` directive; each dimension a string and each metric a number at
 * the root. Other lines (log lines) are left out.
 */
export function readEmfLines(printed: string): EmfLine[] {
  const lines: EmfLine[] = [];
  for (const text of printed.split('\n')) {
    if (!text.startsWith('{')) continue;
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (!('_aws' in raw)) continue;
    const aws = raw._aws as {
      Timestamp: unknown;
      CloudWatchMetrics: Array<{
        Namespace: string;
        Dimensions: string[][];
        Metrics: Array<{ Name: string; Unit: string }>;
      }>;
    };
    expect(typeof aws.Timestamp).toBe('number');
    expect(aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = aws.CloudWatchMetrics;
    if (directive === undefined) throw new Error('no CloudWatchMetrics directive');
    expect(directive.Dimensions).toHaveLength(1);
    const dimensionNames = directive.Dimensions[0] ?? [];
    const dimensions: Record<string, string> = {};
    for (const name of dimensionNames) {
      expect(typeof raw[name]).toBe('string');
      dimensions[name] = raw[name] as string;
    }
    const metrics: Record<string, number> = {};
    const units: Record<string, string> = {};
    for (const { Name, Unit } of directive.Metrics) {
      expect(typeof raw[Name]).toBe('number');
      metrics[Name] = raw[Name] as number;
      units[Name] = Unit;
    }
    lines.push({ namespace: directive.Namespace, dimensionNames, dimensions, metrics, units, raw });
  }
  return lines;
}

/** The sum of one metric over the lines whose dimensions include `dimensions`. */
export function emfTotal(lines: EmfLine[], name: string, dimensions: Record<string, string> = {}): number {
  return lines
    .filter((line) => Object.entries(dimensions).every(([key, value]) => line.dimensions[key] === value))
    .reduce((sum, line) => sum + (line.metrics[name] ?? 0), 0);
}

/** Captures what the process prints on stdout and stderr (where Powertools writes) until `stop`. */
export function captureOutput(): { text: () => string; stop: () => void } {
  const chunks: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const record = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = record as typeof process.stdout.write;
  process.stderr.write = record as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    stop: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}
