import { fileURLToPath } from 'node:url';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Every function's runtime: Lambda's Node.js 22 (the bundles target it, and `bundleAwsSDK` needs no SDK from it). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;
/** Every function's architecture: Graviton, cheaper per GB-second than x86 for the same work. */
export const FUNCTION_ARCHITECTURE = Architecture.ARM_64;

/**
 * ESM output still meets CommonJS dependencies that call `require('node:...')`; without a real
 * `require` in module scope the bundle fails at import with "Dynamic require of ... is not supported".
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * How every function of this project is bundled: a minified ESM bundle for Node.js 22 with source maps
 * and the AWS SDK inside. One constant, so that `ProductFunction` (from source, in a checkout), the
 * bundles shipped in the package (`cdk/build-package.ts`, at `npm pack`) and the cold-start bench
 * (`test/bench/`) build exactly the same bundle.
 */
export const FUNCTION_BUNDLING = Object.freeze({
  format: OutputFormat.ESM,
  // ESM builds of dependencies first: they tree-shake, CommonJS builds do not.
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Mappings are enough for stack traces; embedding every source would double the archive.
  sourcesContent: false,
  // One pinned SDK version, tested with the code, instead of whatever the runtime ships today.
  bundleAwsSDK: true,
  esbuildArgs: {
    // Lambda gives a function its credentials in environment variables: the SDK's default chain
    // (profiles, SSO, IMDS...) is dead weight there, about 135 KB and 10 ms of cold start.
    '--alias:@aws-sdk/credential-provider-node': fileURLToPath(
      new URL('../lib/runtime/lambda-credentials.ts', import.meta.url),
    ),
  },
} satisfies BundlingOptions);
