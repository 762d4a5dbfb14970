/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * `cdk/bundling-options.ts`). Lambda always hands a function its role's credentials in environment
 * variables, so the default chain's other links (profiles, SSO, web identity, IMDS, ECS) are dead code
 * there: about 135 KB of bundle and 10 ms of cold start. Tests and the local runtime never see this
 * file; they keep the whole chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
