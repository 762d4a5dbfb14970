import type { Setting } from '#lib/config/setting.js';
import { SETTINGS } from '#lib/config/settings.js';
import type { ApiAuthorization, PageConversationsProps } from './page-conversations.js';
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

type ContextSetting = Setting<unknown> & { readonly context: string };
const CONTEXT_SETTINGS = (Object.values(SETTINGS) as Setting<unknown>[]).filter(
  (setting): setting is ContextSetting => setting.context !== undefined,
);

/**
 * The stack the CDK app deploys, from its context (`-c key=value`, `cdk.json`'s `"context"`). The map is
 * the settings table's (lib/config/settings.ts): each context key is checked by its setting's rule and
 * becomes the prop the setting names; a resource's key (a key, bus, secret or topic by ARN or name)
 * becomes the stack prop of the same name, which imports it. A key added to the table needs no edit
 * here. A function of the context alone, so that tests check every key without starting the CDK app in
 * a process of its own.
 */
export function stackFromContext(tryGetContext: (key: string) => unknown): AppStack {
  /** A context value as a trimmed string; `-c key=value` always gives strings, cdk.json may not. */
  const text = (key: string): string | undefined => {
    const value = tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const string = Array.isArray(value) ? value.join(',') : String(value).trim();
    return string === '' ? undefined : string;
  };
  /**
   * The context value of a setting by its rule; left out, what the app fills in (a required prop; the
   * default of a setting only the app reads, like the stack name), else undefined: the construct's default.
   */
  const context = <T>(setting: Setting<T> & { readonly context: string }): T | undefined => {
    const value = text(setting.context);
    if (value === undefined)
      return setting.contextDefault ?? (setting.prop === undefined ? setting.default : undefined);
    const checked = setting.rule.check(value);
    if (!checked.ok) throw new ContextError(`-c ${setting.context}= ${checked.problem}.`);
    return checked.value;
  };

  const product: Record<string, unknown> = {};
  const stack: Record<string, unknown> = {};
  const jwt: Record<string, unknown> = {};
  for (const setting of CONTEXT_SETTINGS) {
    const value = context(setting);
    const [prop, field] = setting.prop?.split('.') ?? [];
    if (prop === undefined || setting.cdkResource === true) stack[setting.context] = value;
    else if (field !== undefined) jwt[field] = value;
    else product[prop] = value;
  }

  const authorization = (): ApiAuthorization => {
    if (jwt.type !== 'jwt') {
      if (product.jwtPageIdsClaim !== undefined) {
        throw new ContextError('-c jwtPageIdsClaim= names a JWT claim: it needs -c authorization=jwt.');
      }
      return { type: 'iam' };
    }
    const { issuer, audience, readScopes, syncScopes, eraseScopes } = jwt as Partial<
      Extract<ApiAuthorization, { type: 'jwt' }>
    >;
    if (issuer === undefined || audience === undefined) {
      throw new ContextError(
        '-c authorization=jwt needs -c jwtIssuer=<https issuer URL> and -c jwtAudience=<aud1,aud2>.',
      );
    }
    return { type: 'jwt', issuer, audience, readScopes, syncScopes, eraseScopes };
  };

  if (product.webhooks === false && stack.webhookSecretName !== undefined) {
    throw new ContextError(
      '-c webhooks=false leaves Meta Webhooks out: -c webhookSecretName= has nothing to do, drop it.',
    );
  }
  const { stackName, encryptionKeyArn, ...resources } = stack;
  // A table's customer-managed key is set per region: the stack takes the key's account and region.
  const [, , , keyRegion, keyAccount] = (encryptionKeyArn as string | undefined)?.split(':') ?? [];

  return {
    stackName: stackName as string,
    props: {
      ...(keyRegion && keyAccount ? { env: { account: keyAccount, region: keyRegion } } : {}),
      description: 'Messenger and Instagram conversations of Facebook Pages, served from your AWS account',
      // Each value passed its setting's rule: the props' own types (RemovalPolicy's and RetentionDays'
      // values are the rules' words and numbers); the type test of the props holds names and types to it.
      pageConversations: {
        ...(product as Omit<PageConversationsProps, 'authorization'>),
        authorization: authorization(),
      },
      encryptionKeyArn: encryptionKeyArn as string | undefined,
      ...(resources as Pick<
        PageConversationsStackProps,
        'alarmTopicArn' | 'eventBusName' | 'webhookSecretName'
      >),
    },
  };
}
