import { loadConfig } from '../config/config.js';
import { startLocalRuntime } from './local-runtime.js';

/** `npm start`: the local runtime until SIGINT or SIGTERM. */

// The lock file pins SDK releases that support Node 20; the SDK's notice about later releases is noise
// on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const config = loadConfig();
const runtime = await startLocalRuntime(config);
const firstPage = runtime.emulator?.pages.keys().next().value ?? '<pageId>';
process.stdout.write(
  [
    '',
    `Page conversations API listening on ${runtime.url}${config.demo ? ' (demo: embedded Graph emulator and DynamoDB)' : ''}`,
    `Graph: ${runtime.config.graph.baseUrl}/${runtime.config.graph.version}`,
    '',
    'Try:',
    `  curl '${runtime.url}/pages/${firstPage}/conversations?limit=5'`,
    `  curl '${runtime.url}/pages/${firstPage}/conversations?platform=instagram&folder=inbox'`,
    `  curl '${runtime.url}/pages/${firstPage}/sync'`,
    `  curl '${runtime.url}/pages/${firstPage}/conversations?updated_since=${new Date(Date.now() - 7 * 86_400_000).toISOString()}'`,
    `  curl '${runtime.url}/openapi.json'`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: shutting down\n`);
  runtime.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
