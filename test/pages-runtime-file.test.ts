import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  claimLocalEndpoints,
  type LocalEndpoints,
  readLocalEndpoints,
  removeLocalEndpoints,
} from '#lib/pages/local-endpoints.js';

const endpoints = (pid: number): LocalEndpoints => ({
  apiUrl: 'http://127.0.0.1:1',
  dynamodbEndpoint: 'http://127.0.0.1:2',
  tableName: 'table',
  graphBaseUrl: 'http://127.0.0.1:3',
  graphVersion: 'v24.0',
  pageTokensFile: 'tokens.json',
  pid,
});

/** A process that runs until it is told to stop: the other runtime, as far as the file is concerned. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return {
    pid: child.pid as number,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const fileIn = async () => join(await mkdtemp(join(tmpdir(), 'runtime-file-')), '.local', 'runtime.json');

describe('.local/runtime.json is owned by the process that wrote it', () => {
  test('a second runtime leaves a running one’s file alone, and removing is only for the owner', async () => {
    // Prepare: the file of another running runtime
    const path = await fileIn();
    const other = otherProcess();
    try {
      expect(await claimLocalEndpoints(endpoints(other.pid), path)).toEqual({ owned: true });
      // Act: this process starts a runtime, then stops it
      const claim = await claimLocalEndpoints(endpoints(process.pid), path);
      await removeLocalEndpoints(path);
      // Assess
      expect(claim).toEqual({ owned: false, ownerPid: other.pid });
      expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: other.pid });
      expect((await readLocalEndpoints(path))?.pid).toBe(other.pid);
    } finally {
      await other.stop();
    }
  });

  test('the file of a runtime that has gone is taken over, and removed by its new owner when it stops', async () => {
    const path = await fileIn();
    const gone = otherProcess();
    expect(await claimLocalEndpoints(endpoints(gone.pid), path)).toEqual({ owned: true });
    await gone.stop();
    expect(await readLocalEndpoints(path)).toBeUndefined();
    expect(await claimLocalEndpoints(endpoints(process.pid), path)).toEqual({ owned: true });
    expect((await readLocalEndpoints(path))?.pid).toBe(process.pid);
    await removeLocalEndpoints(path);
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
