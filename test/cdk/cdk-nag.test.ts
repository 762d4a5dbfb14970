import { readFileSync } from 'node:fs';
import { App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { PageConversationsProps } from '../../cdk/page-conversations.js';
import {
  PageConversationsStack,
  type PageConversationsStackProps,
} from '../../cdk/page-conversations-stack.js';

const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

function stackWith(
  props: Partial<PageConversationsProps> = {},
  env?: Environment,
  stackProps: Partial<PageConversationsStackProps> = {},
): PageConversationsStack {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  return new PageConversationsStack(app, 'Nag', {
    env,
    pageConversations: { tokenSecretPrefix: 'page-conversations/page-', ...props },
    ...stackProps,
  });
}

/** One line per finding that no acknowledgment covers: rule and construct path. */
function findings(checks: AwsSolutionsChecks, stack: PageConversationsStack): string[] {
  return checks
    .validateScope(stack)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    )
    .sort();
}

describe('cdk-nag AwsSolutions checks', () => {
  it.each<[string, Partial<PageConversationsProps>, Environment | undefined]>([
    ['IAM authorization (the default)', {}, undefined],
    [
      'JWT authorization',
      { authorization: { type: 'jwt', issuer: 'https://a.example.com/', audience: ['a'] } },
      undefined,
    ],
    // The secret ARN then holds literal values instead of pseudo parameters: the finding id changes.
    ['a concrete account and region', {}, { account: '123456789012', region: 'eu-west-1' }],
    ['active tracing', { tracing: true }, undefined],
  ])('leave no unacknowledged finding with %s', (_, props, env) => {
    // Prepare
    const stack = stackWith(props, env);

    // Act
    const unacknowledged = findings(new AwsSolutionsChecks(), stack);

    // Assess
    expect(unacknowledged).toEqual([]);
  });

  it('leave no unacknowledged finding with a webhook secret and an event bus given by name', () => {
    // Prepare
    const stack = stackWith({}, undefined, {
      webhookSecretName: 'acme/meta-webhooks',
      eventBusName: 'acme-events',
    });

    // Act
    const unacknowledged = findings(new AwsSolutionsChecks(), stack);

    // Assess
    expect(unacknowledged).toEqual([]);
  });

  it('acknowledge exactly the runtime, the secret-prefix wildcard, the public webhook routes, the webhook secret rotation and the failure-destination queue, each where it arises', () => {
    // Prepare: a pack that ignores every acknowledgment shows what the acknowledgments hide.
    const checks = Object.assign(new AwsSolutionsChecks(), { isAcknowledged: () => false });
    const stack = stackWith();
    const product = 'Nag/PageConversations';
    const secretFinding =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:page-conversations/page-*]';

    // Act
    const hidden = findings(checks, stack);

    // Assess
    expect(hidden).toEqual(
      [
        `AwsSolutions-APIG4 at ${product}/Api/GET--webhooks--meta/Resource`,
        `AwsSolutions-APIG4 at ${product}/Api/POST--webhooks--meta/Resource`,
        `${secretFinding} at ${product}/Api/FunctionRole/DefaultPolicy/Resource`,
        `${secretFinding} at ${product}/SyncFanOut/WorkerFunctionRole/DefaultPolicy/Resource`,
        `${secretFinding} at ${product}/Webhooks/RefreshFunctionRole/DefaultPolicy/Resource`,
        `AwsSolutions-L1 at ${product}/Api/Function/Resource`,
        `AwsSolutions-L1 at ${product}/SyncFanOut/ScheduleFunction/Resource`,
        `AwsSolutions-L1 at ${product}/SyncFanOut/WorkerFunction/Resource`,
        `AwsSolutions-L1 at ${product}/Webhooks/ReceiverFunction/Resource`,
        `AwsSolutions-L1 at ${product}/Webhooks/RefreshFunction/Resource`,
        `AwsSolutions-SMG4 at ${product}/Webhooks/Secret/Resource`,
        `AwsSolutions-SQS3 at ${product}/SyncFanOut/ScheduleDeadLetterQueue/Resource`,
      ].sort(),
    );
  });
});
