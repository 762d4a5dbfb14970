/** What `npm run pages` prints: a progress bar on standard error, tables on standard output. */
import type { ConnectAction, ConnectReport, ConnectRow } from '../pages/connect.js';
import type { AddResult } from '../pages/manage-pages.js';
import { LASTING_TOKENS_ADVICE, MIN_TOKEN_DAYS } from '../pages/token-check.js';
import { SHARED_SECRETS_ABOVE_PAGES } from '../tokens/shared-secret.js';

/** A one-line progress bar, redrawn in place; only on a terminal, so logs and pipes stay clean. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  let last = '';
  return {
    update(done: number, total: number, what: string): void {
      if (!stream.isTTY || total === 0) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const line = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${what}`;
      if (line === last) return;
      last = line;
      stream.write(`\r${line.padEnd(70)}`);
    },
    done(): void {
      if (stream.isTTY && last !== '') stream.write(`\r${' '.repeat(70)}\r`);
    },
  };
}

/** A plain text table; `undefined` cells print as '-'. */
export function table(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = rows.map((row) =>
    row.map((cell) => (cell === undefined || cell === '' ? '-' : String(cell))),
  );
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** When a Page token expires, as the table shows it: a date, `never`, `?` (not checked) or `-` (not looked at). */
function expiryCell(row: ConnectRow): string | undefined {
  if (row.action === 'skipped') return undefined;
  if (row.tokenExpiresAt !== undefined) return `${row.tokenExpiresAt.toISOString().slice(0, 16)}Z`;
  return row.missing.some((note) => note.startsWith('expiry not checked')) ? '?' : 'never';
}

/** `connect`'s table: one row per Page that `/me/accounts` listed, with what was done and why. */
export function connectTable(rows: readonly ConnectRow[]): string {
  return table(
    ['page', 'name', 'instagram', 'action', 'token expires', 'stored in', 'first sync', 'notes'],
    rows.map((r) => [
      r.pageId,
      r.name,
      r.instagramAccountId,
      r.action,
      expiryCell(r),
      r.storedIn,
      r.firstSync,
      r.missing.join('; '),
    ]),
  );
}

/** `connect`'s closing lines: the counts, where tokens went, the first syncs, and what to do about refusals. */
export function connectSummary(
  report: ConnectReport,
  /** `secrets`: tokens go to Secrets Manager (AWS), not the local runtime's file. */
  options: { dryRun: boolean; secrets: boolean },
): string {
  const { dryRun } = options;
  const count = (action: ConnectAction) => report.rows.filter((r) => r.action === action).length;
  const lines: string[] = [];
  if (report.exchanged !== undefined) {
    const until = report.exchanged.expiresAt?.toISOString().slice(0, 10) ?? 'no end given';
    lines.push(
      `The user token was exchanged for a long-lived one (until ${until}); Page tokens listed with it do not expire.`,
    );
  }
  const counts = dryRun
    ? `${count('would register')} would be registered, ${count('would update')} updated, ${count('unchanged')} unchanged`
    : `${count('registered')} registered, ${count('updated')} updated, ${count('unchanged')} unchanged`;
  lines.push(
    `${dryRun ? 'Dry run, nothing written. ' : ''}${report.rows.length} Pages: ${counts}, ${count('skipped')} skipped, ${count('refused')} refused.`,
  );
  const stored = report.rows.filter((r) => r.storedIn !== undefined).length;
  if (stored > 0 && options.secrets) {
    lines.push(
      report.shared
        ? `Tokens ${dryRun ? 'would go' : 'went'} into shared secrets (more than ${SHARED_SECRETS_ABOVE_PAGES} Pages, or --shared; --secret-per-page gives each its own).`
        : `Tokens ${dryRun ? 'would go' : 'went'} into one secret per Page (${SHARED_SECRETS_ABOVE_PAGES} Pages or fewer, or --secret-per-page).`,
    );
  }
  const changed = count('registered') + count('updated');
  if (!dryRun && changed === 0 && count('refused') === 0) lines.push('Nothing changed.');
  if (report.syncsStarted + report.syncsFailed > 0) {
    lines.push(
      report.syncsFailed === 0
        ? `First syncs: ${report.syncsStarted} started.`
        : `First syncs: ${report.syncsStarted} started, ${report.syncsFailed} not started (see the table); the next scheduled sync indexes those Pages.`,
    );
  } else if (!dryRun && count('registered') > 0) {
    lines.push('New Pages: the next scheduled sync indexes them.');
  }
  const expiring = report.rows.filter(
    (r) => r.action === 'refused' && r.missing.some((m) => m.includes('expires')),
  );
  if (expiring.length > 0) {
    lines.push(
      `${expiring.length} Page tokens expire within ${MIN_TOKEN_DAYS} days and were not stored. ${LASTING_TOKENS_ADVICE}`,
    );
  }
  return lines.join('\n');
}

/** `add`'s one line: what happened to the Page and to its first sync, as checked. */
export function addLine(pageId: string, result: AddResult): string {
  const outcome = result.outcome === 'created' ? 'registered' : result.outcome;
  const sync =
    result.firstSync === undefined
      ? ''
      : result.firstSync.startsWith('not started')
        ? `; first sync ${result.firstSync}; the next scheduled sync indexes it`
        : `; first sync ${result.firstSync}`;
  return `Page ${pageId}: ${outcome}${sync}.${result.warning ? ` Warning: ${result.warning}.` : ''}`;
}
