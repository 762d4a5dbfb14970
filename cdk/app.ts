import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_DEFAULTS, SETTINGS, type Setting } from '#lib/config/settings.js';
import type { ApiAuthorization } from './page-conversations.js';
import { PageConversationsStack } from './page-conversations-stack.js';

/**
 * The CDK app `cdk.json` runs. Everything is set with context, e.g.
 * `npx cdk deploy -c tokenSecretPrefix=page-conversations/page- -c scheduleMinutes=30`.
 * Each context key's rule is its setting's (lib/config/settings.ts), the one the construct's props
 * and Lambda's environment are checked with.
 */
const app = new App();

/** A context value as a trimmed string; `-c key=value` always gives strings, cdk.json may not. */
function text(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  const string = Array.isArray(value) ? value.join(',') : String(value).trim();
  return string === '' ? undefined : string;
}

/** The context value of a setting by its rule, or undefined when not given. */
function context<T>(setting: Setting<T> & { readonly context: string }): T | undefined {
  const value = text(setting.context);
  if (value === undefined) return undefined;
  const checked = setting.rule.check(value);
  if (!checked.ok) throw new Error(`-c ${setting.context}= ${checked.problem}.`);
  return checked.value;
}

function authorization(): ApiAuthorization {
  const type = context(SETTINGS.authorization) ?? SETTINGS.authorization.default;
  if (type === 'iam') return { type };
  const issuer = context(SETTINGS.jwtIssuer);
  const audience = context(SETTINGS.jwtAudience);
  if (issuer === undefined || audience === undefined) {
    throw new Error(
      '-c authorization=jwt needs -c jwtIssuer=<https issuer URL> and -c jwtAudience=<aud1,aud2>.',
    );
  }
  return {
    type,
    issuer,
    audience,
    readScopes: context(SETTINGS.jwtReadScopes),
    syncScopes: context(SETTINGS.jwtSyncScopes),
  };
}

const encryptionKeyArn = context(SETTINGS.encryptionKeyArn);
// A table's customer-managed key is set per region: the stack takes the key's account and region.
const [, , , keyRegion, keyAccount] = encryptionKeyArn?.split(':') ?? [];

new PageConversationsStack(app, context(SETTINGS.stackName) ?? SETTINGS.stackName.default, {
  ...(keyRegion && keyAccount ? { env: { account: keyAccount, region: keyRegion } } : {}),
  description: 'Messenger and Instagram conversations of Facebook Pages, served from your AWS account',
  pageConversations: {
    tokenSecretPrefix: context(SETTINGS.tokenSecretPrefix) ?? CONTEXT_DEFAULTS.tokenSecretPrefix,
    syncSchedule: context(SETTINGS.syncScheduleMinutes),
    syncPlatforms: context(SETTINGS.syncPlatforms),
    syncFolders: context(SETTINGS.syncFolders),
    syncMaxGraphCalls: context(SETTINGS.syncMaxGraphCalls),
    syncConcurrency: context(SETTINGS.syncConcurrency),
    memorySize: context(SETTINGS.memorySize),
    authorization: authorization(),
    removalPolicy:
      context(SETTINGS.removalPolicy) === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    graphApiVersion: context(SETTINGS.graphApiVersion),
    graphApiBaseUrl: context(SETTINGS.graphApiBaseUrl),
    logRetention: context(SETTINGS.logRetentionDays),
    deletionProtection: context(SETTINGS.deletionProtection),
    apiReservedConcurrency: context(SETTINGS.apiReservedConcurrency),
    tracing: context(SETTINGS.tracing),
  },
  encryptionKeyArn,
  alarmTopicArn: context(SETTINGS.alarmTopicArn),
  eventBusName: context(SETTINGS.eventBusName),
  webhookSecretName: context(SETTINGS.webhookSecretId),
});

// Every synth checks the AwsSolutions rules; an unacknowledged finding fails it. The exceptions, each
// with its reason, are in nag-suppressions.ts.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
