import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dynalite, the Graph emulator and CDK synthesis are real servers and real work: give them room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // In CI a JSON report too, from which .ci/run prints the plain "N passed, N failed" line.
    ...(process.env.CI
      ? { reporters: ['default', 'json'], outputFile: { json: '.vitest-results.json' } }
      : {}),
    env: {
      // The lock file pins SDK releases that support Node 20; their notice about later ones is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // CDK checks every synthesized template against CloudFormation's rules (a WASM engine): 7 to 13 s
      // a synth on a loaded 2-core machine, and the template tests synthesize dozens of times. It runs
      // once, where `cdk synth` runs it: test/cdk/app.test.ts runs cdk/app.ts with it back on.
      CDK_VALIDATION: 'false',
    },
  },
});
