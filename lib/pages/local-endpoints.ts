import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where a running `npm start` can be reached, for `npm run pages` locally: its embedded DynamoDB
 * listens on a loopback port inside that process, so the local runtime writes this file when it starts
 * and removes it when it stops, if it is still its own (`claimLocalEndpoints`).
 */
export interface LocalEndpoints {
  apiUrl: string;
  dynamodbEndpoint: string;
  tableName: string;
  graphBaseUrl: string;
  graphVersion: string;
  /** Where local Page tokens live; the runtime re-reads it when it changes. */
  pageTokensFile: string;
  pid: number;
}

export const LOCAL_ENDPOINTS_FILE = join('.local', 'runtime.json');

/** Whether the process that wrote the file still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it runs, as another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

async function readEndpoints(path: string): Promise<LocalEndpoints | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LocalEndpoints>;
    return typeof value.pid === 'number' && typeof value.apiUrl === 'string'
      ? (value as LocalEndpoints)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Written by the local runtime at start (`.local/` is ignored by git), and owned by the process that
 * wrote it (its `pid`): a second runtime (another port, or a test's) leaves a running one's file alone and
 * says which process owns it; the file of a process that has gone is taken over. Atomic: the file is
 * linked into place only if none is there, so two runtimes starting at once cannot both think it theirs.
 */
export async function claimLocalEndpoints(
  endpoints: LocalEndpoints,
  path = LOCAL_ENDPOINTS_FILE,
): Promise<{ owned: true } | { owned: false; ownerPid: number }> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(temporary, path);
        return { owned: true };
      } catch (error: unknown) {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      }
      const current = await readEndpoints(path);
      if (current !== undefined && current.pid !== process.pid && running(current.pid)) {
        return { owned: false, ownerPid: current.pid };
      }
      // Left by a process that has gone (or unreadable): replaced, then linked again.
      await rm(path, { force: true });
    }
    throw new Error(`${path} keeps reappearing: another local runtime is starting; try again.`);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Removes the file only if this process wrote it: never a running runtime's. */
export async function removeLocalEndpoints(path = LOCAL_ENDPOINTS_FILE): Promise<void> {
  if ((await readEndpoints(path))?.pid === process.pid) await rm(path, { force: true });
}

/** The running local runtime's endpoints; undefined when none runs (no file, or its process is gone). */
export async function readLocalEndpoints(path = LOCAL_ENDPOINTS_FILE): Promise<LocalEndpoints | undefined> {
  const endpoints = await readEndpoints(path);
  return endpoints !== undefined && running(endpoints.pid) ? endpoints : undefined;
}
