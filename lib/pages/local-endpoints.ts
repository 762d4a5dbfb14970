import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where a running `npm start` can be reached, for `npm run pages` locally: its embedded DynamoDB
 * listens on a loopback port inside that process, so the local runtime writes this file when it starts
 * and removes it when it stops.
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

/** Written by the local runtime at start (`.local/` is ignored by git). */
export async function writeLocalEndpoints(
  endpoints: LocalEndpoints,
  path = LOCAL_ENDPOINTS_FILE,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

export async function removeLocalEndpoints(path = LOCAL_ENDPOINTS_FILE): Promise<void> {
  await rm(path, { force: true });
}

/** The running local runtime's endpoints; undefined when none runs (no file, or its process is gone). */
export async function readLocalEndpoints(path = LOCAL_ENDPOINTS_FILE): Promise<LocalEndpoints | undefined> {
  let endpoints: LocalEndpoints;
  try {
    endpoints = JSON.parse(await readFile(path, 'utf8')) as LocalEndpoints;
  } catch {
    return undefined;
  }
  try {
    process.kill(endpoints.pid, 0);
  } catch {
    return undefined;
  }
  return endpoints;
}
