import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FOLDERS, PLATFORMS } from '#lib/domain/vocabulary.js';
import type { ApiAuthorization } from './page-conversations.js';
import { PageConversationsStack } from './page-conversations-stack.js';

/**
 * The CDK app `cdk.json` runs. Everything is set with context, e.g.
 * `npx cdk deploy -c tokenSecretPrefix=page-conversations/page- -c scheduleMinutes=30`.
 */
const app = new App();

/** A context value as a trimmed string; `-c key=value` always gives strings, cdk.json may not. */
function text(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  const string = Array.isArray(value) ? value.join(',') : String(value).trim();
  return string === '' ? undefined : string;
}

function list(key: string): string[] | undefined {
  return text(key)
    ?.split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

function oneOf<T extends string>(key: string, allowed: readonly T[]): T[] | undefined {
  const values = list(key);
  if (values === undefined) return undefined;
  const known = allowed.filter((value) => values.includes(value));
  if (values.length === 0 || known.length !== new Set(values).size) {
    throw new Error(`-c ${key}= takes a comma list of ${allowed.join(', ')}; got "${text(key)}".`);
  }
  return known;
}

function wholeNumber(key: string): number | undefined {
  const value = text(key);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`-c ${key}= takes a whole number; got "${value}".`);
  return Number(value);
}

function authorization(): ApiAuthorization {
  const type = text('authorization') ?? 'iam';
  if (type === 'iam') return { type };
  if (type !== 'jwt') throw new Error(`-c authorization= takes "iam" or "jwt"; got "${type}".`);
  const issuer = text('jwtIssuer');
  const audience = list('jwtAudience');
  if (issuer === undefined || audience === undefined) {
    throw new Error(
      '-c authorization=jwt needs -c jwtIssuer=<https issuer URL> and -c jwtAudience=<aud1,aud2>.',
    );
  }
  return { type, issuer, audience };
}

function removalPolicy(): RemovalPolicy {
  const value = text('removalPolicy') ?? 'retain';
  if (value === 'retain') return RemovalPolicy.RETAIN;
  if (value === 'destroy') return RemovalPolicy.DESTROY;
  throw new Error(`-c removalPolicy= takes "retain" or "destroy"; got "${value}".`);
}

new PageConversationsStack(app, text('stackName') ?? 'PageConversations', {
  description: 'Messenger and Instagram conversations of Facebook Pages, served from your AWS account',
  pageConversations: {
    tokenSecretPrefix: text('tokenSecretPrefix') ?? 'page-conversations/page-',
    syncSchedule: wholeNumber('scheduleMinutes'),
    syncPlatforms: oneOf('platforms', PLATFORMS),
    syncFolders: oneOf('folders', FOLDERS),
    syncMaxGraphCalls: wholeNumber('syncMaxGraphCalls'),
    syncConcurrency: wholeNumber('syncConcurrency'),
    memorySize: wholeNumber('memorySize'),
    authorization: authorization(),
    removalPolicy: removalPolicy(),
    graphApiVersion: text('graphApiVersion'),
    graphApiBaseUrl: text('graphApiBaseUrl'),
  },
  alarmTopicArn: text('alarmTopicArn'),
});

// Every synth checks the AwsSolutions rules; an unacknowledged finding fails it. The exceptions, each
// with its reason, are in nag-suppressions.ts.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
