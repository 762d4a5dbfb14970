import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '#lib/http/openapi.js';

const CONFIG = new URL('./redocly.yaml', import.meta.url).pathname;

/**
 * `npm run lint`'s check of the OpenAPI document: serializes the document the API serves to a temporary
 * file and lints it with Redocly's recommended rules (as `redocly.yaml` beside this file adjusts them),
 * failing on any error or warning. Offline: telemetry and the update notice are off.
 */
export function lintOpenApi(): { status: number; output: string } {
  const directory = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  try {
    const file = join(directory, 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    const run = spawnSync(
      process.execPath,
      [cli, 'lint', file, `--config=${CONFIG}`, '--max-problems=1000'],
      {
        cwd: directory,
        encoding: 'utf8',
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          NO_COLOR: '1',
        },
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    // Redocly exits 0 on warnings ("You have 2 warnings."); a warning is a finding here too.
    const clean = run.status === 0 && !/You have \d+ warnings?/.test(output);
    return { status: clean ? 0 : 1, output };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { status, output } = lintOpenApi();
  // Only the findings and the verdict: Redocly's banner about Node 20's end of life is noise here.
  process.stdout.write(output.replace(/^\s*[║╔╚].*\n/gm, ''));
  process.exitCode = status;
}
