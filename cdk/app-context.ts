import { RemovalPolicy } from 'aws-cdk-lib';
import { CONTEXT_DEFAULTS, SETTINGS, type Setting } from '#lib/config/settings.js';
import type { ApiAuthorization } from './page-conversations.js';
import type { PageConversationsStackProps } from './page-conversations-stack.js';

/** What `cdk/app.ts` builds: the stack's name and props. */
export interface AppStack {
  readonly stackName: string;
  readonly props: PageConversationsStackProps;
}

/** Thrown for context values that cannot work; the message names the `-c` key to fix. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
}

/**
 * The stack the CDK app deploys, from its context (`-c key=value`, `cdk.json`'s `"context"`). Each
 * context key's rule is its setting's (lib/config/settings.ts), the one the construct's props and
 * Lambda's environment are checked with. A function of the context alone, so that tests check every
 * key without starting the CDK app in a process of its own.
 */
export function stackFromContext(tryGetContext: (key: string) => unknown): AppStack {
  /** A context value as a trimmed string; `-c key=value` always gives strings, cdk.json may not. */
  const text = (key: string): string | undefined => {
    const value = tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const string = Array.isArray(value) ? value.join(',') : String(value).trim();
    return string === '' ? undefined : string;
  };
  /** The context value of a setting by its rule, or undefined when not given. */
  const context = <T>(setting: Setting<T> & { readonly context: string }): T | undefined => {
    const value = text(setting.context);
    if (value === undefined) return undefined;
    const checked = setting.rule.check(value);
    if (!checked.ok) throw new ContextError(`-c ${setting.context}= ${checked.problem}.`);
    return checked.value;
  };

  const authorization = (): ApiAuthorization => {
    const type = context(SETTINGS.authorization) ?? SETTINGS.authorization.default;
    if (type === 'iam') {
      if (text(SETTINGS.jwtPageIdsClaim.context) !== undefined) {
        throw new ContextError('-c jwtPageIdsClaim= names a JWT claim: it needs -c authorization=jwt.');
      }
      return { type };
    }
    const issuer = context(SETTINGS.jwtIssuer);
    const audience = context(SETTINGS.jwtAudience);
    if (issuer === undefined || audience === undefined) {
      throw new ContextError(
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
  };

  const webhooks = context(SETTINGS.webhooks);
  const webhookSecretName = context(SETTINGS.webhookSecretId);
  if (webhooks === false && webhookSecretName !== undefined) {
    throw new ContextError(
      '-c webhooks=false leaves Meta Webhooks out: -c webhookSecretName= has nothing to do, drop it.',
    );
  }
  const encryptionKeyArn = context(SETTINGS.encryptionKeyArn);
  // A table's customer-managed key is set per region: the stack takes the key's account and region.
  const [, , , keyRegion, keyAccount] = encryptionKeyArn?.split(':') ?? [];

  return {
    stackName: context(SETTINGS.stackName) ?? SETTINGS.stackName.default,
    props: {
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
        jwtPageIdsClaim: context(SETTINGS.jwtPageIdsClaim),
        removalPolicy:
          context(SETTINGS.removalPolicy) === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        graphApiVersion: context(SETTINGS.graphApiVersion),
        graphApiBaseUrl: context(SETTINGS.graphApiBaseUrl),
        logRetention: context(SETTINGS.logRetentionDays),
        deletionProtection: context(SETTINGS.deletionProtection),
        apiReservedConcurrency: context(SETTINGS.apiReservedConcurrency),
        tracing: context(SETTINGS.tracing),
        webhooks,
      },
      encryptionKeyArn,
      alarmTopicArn: context(SETTINGS.alarmTopicArn),
      eventBusName: context(SETTINGS.eventBusName),
      webhookSecretName,
    },
  };
}
