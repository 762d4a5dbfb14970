/**
 * dynalite in a child process, for the benches that push tens of thousands of DynamoDB calls: the
 * same server lib/local/embedded-dynamodb.ts starts in process, on the machine's other core, so that
 * the product's own work is not queued behind the server's on one event loop.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { ROOT } from './bundles.js';

const PATIENT_TIMEOUTS = Object.freeze({ connectionTimeout: 30_000, requestTimeout: 60_000, maxAttempts: 2 });

const SERVER = `import dynalite from 'dynalite';
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));`;

export async function startDynaliteProcess(): Promise<EmbeddedDynamo> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    cwd: ROOT,
    // stdin stays open: when this process dies, its end tells the child to go too.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`dynalite exited (${code}) before listening`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Tens of thousands of calls at a concurrency of hundreds, on a shared 2-core machine: a connect can
  // wait seconds for the other process's event loop. That is load, not an outage, and a call the
  // product gave up on would count its retry twice.
  const client = createDynamoClient({ endpoint, timeouts: PATIENT_TIMEOUTS });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
