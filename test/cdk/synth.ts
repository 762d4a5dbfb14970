import { readFileSync } from 'node:fs';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { routesOf } from '#lib/domain/routes.js';
import type { MetaWebhooks } from '../../cdk/meta-webhooks.js';
import type { PageConversations, PageConversationsProps } from '../../cdk/page-conversations.js';
import { PageConversationsStack } from '../../cdk/page-conversations-stack.js';

/** Shared by the template tests of each part: synthesis without esbuild and readers of the template. */

export type Json = ReturnType<Template['toJSON']>;

/** The feature flags `cdk deploy` runs with, so the template under test is the one deployed. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as Json
).context as Record<string, unknown>;

export const PREFIX = 'page-conversations/page-';

/** The two public routes Meta calls; every other route requires the API's authorization. */
/** The public routes, the receiver's (Meta's webhooks and its data-deletion callback), from the route table. */
export const WEBHOOK_ROUTE_KEYS: readonly string[] = routesOf('webhook-receiver').map(
  (route) => `${route.method} ${route.path}`,
);

export interface Synthesized {
  readonly stack: Stack;
  readonly product: PageConversations;
  readonly template: Template;
}

/** Synthesizes the stack without running esbuild (`aws:cdk:bundling-stacks: []`): seconds, not tens. */
export function synth(props: Partial<PageConversationsProps> = {}): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new PageConversationsStack(app, 'Test', {
    pageConversations: { tokenSecretPrefix: PREFIX, ...props },
  });
  return { stack, product: stack.pageConversations, template: Template.fromStack(stack) };
}

export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  if (!CfnResource.isCfnResource(resource))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}

export function resource(template: Template, id: string): Json {
  const found = (template.toJSON().Resources as Record<string, Json>)[id];
  if (found === undefined) throw new Error(`no resource ${id} in the template`);
  return found;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: unknown;
}

/** Every statement granted to a role, actions sorted, so that equality is about content, not order. */
export function statementsOf(template: Template, roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  const statements = Object.values(policies).flatMap(
    (policy) => (policy as Json).Properties.PolicyDocument.Statement as Json[],
  );
  return normalize(statements);
}

export function normalize(statements: readonly Json[]): Statement[] {
  return statements
    .map((statement) => ({
      Effect: statement.Effect as string,
      Action: ([] as string[]).concat(statement.Action).sort(),
      Resource: ([] as unknown[]).concat(statement.Resource),
      Condition: statement.Condition,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

export const secretArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:secret:${PREFIX}*`,
    ],
  ],
};
export const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** The condition that limits a DynamoDB statement to partition keys starting with `prefixes` (`PAGES`: that key). */
export const leadingKeys = (...prefixes: string[]) => ({
  'ForAllValues:StringLike': {
    'dynamodb:LeadingKeys': prefixes.map((prefix) => (prefix.endsWith('#') ? `${prefix}*` : prefix)),
  },
});

/** The ARN of one global index of the table with logical id `tableId`. */
export const indexArnOf = (tableId: string, indexName: string) => ({
  'Fn::Join': ['', [arnOf(tableId), `/index/${indexName}`]],
});

/** The construct's Meta Webhooks, which a test of them needs to exist (the default, `webhooks: true`). */
export function webhooksOf(product: PageConversations): MetaWebhooks {
  if (product.webhooks === undefined) throw new Error('this PageConversations has no webhooks');
  return product.webhooks;
}

/** The construct's dashboard, which a test of it needs to exist (the default, `dashboard: true`). */
export function dashboardOf(product: PageConversations): NonNullable<PageConversations['dashboard']> {
  if (product.dashboard === undefined) throw new Error('this PageConversations has no dashboard');
  return product.dashboard;
}

const synthesized = new Map<string, Synthesized>();

/**
 * `synth(props)` once per test file and props (compared as JSON, so plain values only): the tests of a
 * file that read the same template share one synthesis, the slow part of these tests.
 */
export function synthOnce(props: Partial<PageConversationsProps> = {}): Synthesized {
  const key = JSON.stringify(props);
  let found = synthesized.get(key);
  if (found === undefined) {
    found = synth(props);
    synthesized.set(key, found);
  }
  return found;
}
