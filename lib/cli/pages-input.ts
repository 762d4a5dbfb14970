/**
 * What `npm run pages` reads besides its flags: tokens and the app secret from files or standard input,
 * never from the command line (shell history and the process list keep arguments), each registered for
 * scrubbing as soon as it is read.
 */
import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '../domain/errors.js';
import type { GraphApp } from '../graph/graph-accounts.js';
import { registerSecret } from '../telemetry/redaction.js';

/** The parsed command-line flags. */
export type Flags = Record<string, string | boolean | undefined>;

/** A secret from its file, or from standard input when it is piped; registered so no message prints it. */
export async function readSecretInput(path: string | undefined, what: string, flag: string): Promise<string> {
  const text = await readInput(path, what, flag);
  registerSecret(text);
  return text;
}

async function readInput(path: string | undefined, what: string, flag: string): Promise<string> {
  if (path !== undefined) {
    const text = (await readFile(path, 'utf8')).trim();
    if (text === '') throw new ConfigurationError(`${path} holds no ${what}.`);
    return text;
  }
  if (process.stdin.isTTY)
    throw new ConfigurationError(`Give the ${what} in a file (${flag} PATH) or on standard input.`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') throw new ConfigurationError(`Standard input held no ${what}.`);
  return text;
}

/** The app, when `--app-id` is given: its secret from `--app-secret-file`, or standard input if the token is in a file. */
export async function readApp(flags: Flags): Promise<GraphApp | undefined> {
  const id = flags['app-id'] as string | undefined;
  const secretFile = flags['app-secret-file'] as string | undefined;
  if (id === undefined) {
    if (secretFile !== undefined) throw new ConfigurationError('--app-secret-file needs --app-id.');
    return undefined;
  }
  if (!/^\d{1,32}$/.test(id)) throw new ConfigurationError('--app-id takes the app id (digits).');
  if (secretFile === undefined && flags['token-file'] === undefined) {
    throw new ConfigurationError(
      'Standard input can carry the token or the app secret, not both: give one in a file (--token-file or --app-secret-file).',
    );
  }
  return { id, secret: await readSecretInput(secretFile, 'app secret', '--app-secret-file') };
}

export function secretsChoice(flags: Flags): 'shared' | 'per-page' | undefined {
  if (flags.shared === true && flags['secret-per-page'] === true)
    throw new ConfigurationError('--shared and --secret-per-page contradict each other: give one.');
  return flags.shared === true ? 'shared' : flags['secret-per-page'] === true ? 'per-page' : undefined;
}
