import { App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, NIST80053R5Checks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { PageConversationsProps } from '../../cdk/page-conversations.js';
import {
  PageConversationsStack,
  type PageConversationsStackProps,
} from '../../cdk/page-conversations-stack.js';
import { CDK_JSON_CONTEXT, PREFIX } from './synth.js';

/**
 * The two cdk-nag packs every synth of the CDK app runs (cdk/app.ts): AwsSolutions, and NIST 800-53
 * rev 5. The packs read the construct tree, not the template, so no test here renders one.
 */
const PACKS: Record<string, () => NagPack> = {
  AwsSolutions: () => new AwsSolutionsChecks(),
  'NIST 800-53 rev 5': () => new NIST80053R5Checks(),
};

interface Config {
  readonly props?: Partial<PageConversationsProps>;
  readonly env?: Environment;
  readonly stack?: Partial<PageConversationsStackProps>;
}

const JWT = { type: 'jwt', issuer: 'https://a.example.com/', audience: ['a'] } as const;
const CONFIGS: Record<string, Config> = {
  'IAM authorization (the default)': {},
  'JWT authorization and a Page claim': { props: { authorization: JWT, jwtPageIdsClaim: 'page_ids' } },
  // The secret ARN then holds literal values instead of pseudo parameters: the finding id changes.
  'a concrete account and region': { env: { account: '123456789012', region: 'eu-west-1' } },
  'active tracing': { props: { tracing: true } },
  'webhooks left out': { props: { webhooks: false } },
  'a webhook secret and an event bus given by name': {
    stack: { webhookSecretName: 'acme/meta-webhooks', eventBusName: 'acme-events' },
  },
  'an alarm topic and reserved API concurrency': {
    props: { apiReservedConcurrency: 20 },
    stack: { alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms' },
  },
};

/** Each configuration's stack, built once for both packs. */
const stacks = new Map<string, PageConversationsStack>();
function stackOf(name: string): PageConversationsStack {
  let stack = stacks.get(name);
  if (stack === undefined) {
    const { props = {}, env, stack: stackProps = {} } = CONFIGS[name] as Config;
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    stack = new PageConversationsStack(app, 'Nag', {
      env,
      pageConversations: { tokenSecretPrefix: PREFIX, ...props },
      ...stackProps,
    });
    stacks.set(name, stack);
  }
  return stack;
}

/** One line per finding that no acknowledgment covers: rule and construct path. */
function findings(pack: NagPack, stack: PageConversationsStack): string[] {
  return pack
    .validateScope(stack)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    )
    .sort();
}

/** The findings that the acknowledgments hide: a pack that ignores every acknowledgment shows them. */
function acknowledged(pack: NagPack, stack: PageConversationsStack): string[] {
  return findings(Object.assign(pack, { isAcknowledged: () => false }), stack);
}

describe.each(Object.keys(PACKS))('cdk-nag %s checks', (packName) => {
  it.each(Object.keys(CONFIGS))('leave no unacknowledged finding with %s', (config) => {
    // Act
    const unacknowledged = findings((PACKS[packName] as () => NagPack)(), stackOf(config));

    // Assess
    expect(unacknowledged).toEqual([]);
  });
});

const product = 'Nag/PageConversations';
const functions = [
  'Api/Function',
  'SyncFanOut/ScheduleFunction',
  'SyncFanOut/WorkerFunction',
  'Webhooks/ReceiverFunction',
  'Webhooks/RefreshFunction',
  'PersonData/Function',
];
const alarms = [
  'Api5xx',
  'DeadLetters',
  'InvalidTokens',
  'PagesNotSubscribed',
  'RefreshBacklog',
  'SyncRunFailed',
  'WebhooksRefused',
];
const at = (rule: string, paths: readonly string[]) =>
  paths.map((path) => `${rule} at ${product}/${path}/Resource`);

describe('cdk-nag acknowledgments', () => {
  it('acknowledge exactly the runtime, the secret-prefix wildcard, the public webhook routes, the webhook secret rotation and the failure-destination queue, each where it arises', () => {
    // Prepare
    const secretFinding =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:page-conversations/page-*]';

    // Act
    const hidden = acknowledged(new AwsSolutionsChecks(), stackOf('IAM authorization (the default)'));

    // Assess
    expect(hidden).toEqual(
      [
        ...at('AwsSolutions-APIG4', [
          'Api/GET--webhooks--meta',
          'Api/POST--webhooks--meta',
          'Api/POST--meta--data-deletion',
          'Api/GET--meta--data-deletion--{code}',
        ]),
        ...at(secretFinding, [
          'Api/FunctionRole/DefaultPolicy',
          'SyncFanOut/WorkerFunctionRole/DefaultPolicy',
          'Webhooks/RefreshFunctionRole/DefaultPolicy',
        ]),
        ...at('AwsSolutions-L1', functions),
        ...at('AwsSolutions-SMG4', ['Webhooks/Secret', 'PersonData/PersonKey']),
        ...at('AwsSolutions-SQS3', ['SyncFanOut/ScheduleDeadLetterQueue']),
      ].sort(),
    );
  });

  // The NIST 800-53 rev 5 findings of the default stack and their dispositions (the README lists them):
  // acknowledged with a reason in cdk/nag-suppressions.ts, or removed by a prop.
  it('acknowledge exactly the NIST 800-53 rev 5 findings the README lists for the default stack', () => {
    // Act
    const hidden = acknowledged(new NIST80053R5Checks(), stackOf('IAM authorization (the default)'));

    // Assess
    expect(hidden).toEqual(
      [
        ...at('NIST.800.53.R5-LambdaInsideVPC', functions),
        ...at('NIST.800.53.R5-LambdaDLQ', functions),
        ...at(
          'NIST.800.53.R5-IAMNoInlinePolicy',
          functions.map((fn) => `${fn}Role/DefaultPolicy`),
        ),
        ...at('NIST.800.53.R5-SecretsManagerRotationEnabled', ['Webhooks/Secret', 'PersonData/PersonKey']),
        // Removed by props: apiReservedConcurrency (the API; the others are bounded otherwise),
        // encryptionKey (log groups, the webhook secret), alarmTopic (the alarms).
        ...at('NIST.800.53.R5-LambdaConcurrency', functions),
        ...at('NIST.800.53.R5-CloudWatchLogGroupEncrypted', [
          'Api/AccessLogs',
          ...functions.map((fn) => `${fn}LogGroup`),
        ]),
        ...at('NIST.800.53.R5-SecretsManagerUsingKMSKey', ['Webhooks/Secret', 'PersonData/PersonKey']),
        ...at(
          'NIST.800.53.R5-CloudWatchAlarmAction',
          alarms.map((alarm) => `Alarms/${alarm}Alarm`),
        ),
      ].sort(),
    );
  });

  it('acknowledge nothing that a prop has fixed: alarms with a topic, an API with reserved concurrency', () => {
    // Act
    const hidden = acknowledged(
      new NIST80053R5Checks(),
      stackOf('an alarm topic and reserved API concurrency'),
    );

    // Assess
    expect(hidden.filter((finding) => finding.includes('CloudWatchAlarmAction'))).toEqual([]);
    expect(hidden).not.toContain(`NIST.800.53.R5-LambdaConcurrency at ${product}/Api/Function/Resource`);
  });
});
