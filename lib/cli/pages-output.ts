/** What `npm run pages` prints: a progress bar on standard error, tables on standard output. */

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
