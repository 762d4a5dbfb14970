/**
 * The bench's one output: rows of measure | value | floor or peer | budget | verdict, and the small
 * statistics they are computed with. Budgets are reported, never asserted. Budgets on time are ratios
 * of two times taken in the same run (the machine's speed cancels out); absolute times are shown as
 * information, beside how long bare `node` takes to start on the machine that day.
 */
import { cpus } from 'node:os';

export type Verdict = 'ok' | 'MISSED' | 'info';

export interface Row {
  section: string;
  measure: string;
  value: string;
  reference: string;
  budget: string;
  verdict: Verdict;
}

export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  /** Markdown printed after the table: tables of another shape (the cost section's, by Page count). */
  readonly sections: string[] = [];
  /**
   * How long bare `node` takes here to start and import an empty module (median), measured at the
   * start of the run: how fast this machine is today, printed beside every absolute time.
   */
  bareNodeMs: number | undefined;

  bareNodeText(): string {
    return this.bareNodeMs === undefined
      ? 'bare node start not measured'
      : `bare node start ${ms(this.bareNodeMs)}`;
  }

  add(row: Row): void {
    this.rows.push(row);
    process.stderr.write(`  ${row.measure}: ${row.value} (${row.reference}) ${row.verdict}\n`);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  section(markdown: string): void {
    this.sections.push(markdown);
  }

  /** The markdown table, grouped by section with a bold separator row. */
  table(): string {
    const lines = ['| measure | value | floor or peer | budget | verdict |', '|---|---|---|---|---|'];
    let section = '';
    for (const row of this.rows) {
      if (row.section !== section) {
        section = row.section;
        lines.push(`| **${escapeCell(section)}** | | | | |`);
      }
      lines.push(
        `| ${[row.measure, row.value, row.reference, row.budget, row.verdict === 'MISSED' ? '**MISSED**' : row.verdict].map(escapeCell).join(' | ')} |`,
      );
    }
    return lines.join('\n');
  }
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

/** `ok` when `value <= limit`, else `MISSED`. */
export const within = (value: number, limit: number): Verdict => (value <= limit ? 'ok' : 'MISSED');

export function machine(): string {
  const cpu = cpus();
  return `Node ${process.version}, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${process.platform}/${process.arch}`;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
export const ratio = (value: number) => `${value.toFixed(2)}×`;
export const seconds = (valueMs: number) => `${(valueMs / 1000).toFixed(1)} s`;
export const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
export const count = (value: number) => value.toLocaleString('en-US');

/** Progress on stderr: stdout carries the table only. */
export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * Silences stdout (the product's JSON log lines) while the bench runs its code in process: the lines
 * are still formatted, as in Lambda, but not printed between the table's rows. Returns the undo.
 */
export function muteStdout(): () => void {
  const write = process.stdout.write;
  process.stdout.write = ((_chunk: unknown, ...rest: unknown[]) => {
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}
