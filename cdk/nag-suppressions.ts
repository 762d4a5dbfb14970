import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ROUTES, routeLabel } from '#lib/domain/routes.js';

/** The routes without AWS authorization, as the reason names them. */
const publicRoutes = ROUTES.filter((route) => route.auth === 'public')
  .map((route) => routeLabel(route.handler))
  .join(', ');

/**
 * Why each cdk-nag finding (AwsSolutions, and NIST 800-53 rev 5) this product leaves in place is
 * acceptable. Kept in one file so a security reviewer reads every exception, and its reason, in one
 * place. A finding that a prop removes is acknowledged only while that prop is unset.
 */
export const NAG_REASONS = Object.freeze({
  nodejs22Runtime:
    'nodejs22.x is an LTS runtime in active Lambda support. The code is built and tested on Node 20 and 22 ' +
    '(middy 6, vitest 4 and the pinned SDK are validated there); moving to nodejs24.x is a tested change of ' +
    'its own, not a silent default.',
  secretPrefix:
    'Page tokens live in one secret per Page, named <prefix><pageId>, and Pages are added after deployment ' +
    'without redeploying. The wildcard is bounded by the dedicated name prefix in this account and region, ' +
    'and covers the 6-character suffix Secrets Manager appends to every secret ARN. Only GetSecretValue is ' +
    'granted on it.',
  xrayTracing:
    'With active tracing (the tracing prop, off by default) Lambda needs xray:PutTraceSegments and ' +
    'xray:PutTelemetryRecords, which take no resource-level permissions (Resource must be "*"). They write ' +
    'trace segments only and read nothing.',
  publicRoute:
    'Meta cannot sign requests with AWS credentials or present a JWT: the routes Meta calls ' +
    `(${publicRoutes}) are public by necessity. The function verifies Meta instead: the ` +
    'subscription handshake against the verify token, and every delivery by the X-Hub-Signature-256 HMAC ' +
    'of its exact bytes under the app secret, in constant time; an unsigned or wrongly signed request is a ' +
    '403 that records nothing. A route throttle bounds what anonymous callers can invoke.',
  webhookSecretRotation:
    "The app secret is issued by Meta and rotated in Meta's app dashboard; the verify token is only " +
    'compared during the subscription handshake and must equal what was entered there. A Lambda rotation ' +
    'could change neither at Meta, so the operator updates this secret when Meta rotates the app secret.',
  personKeyRotation:
    'The person-hash key keys every erasure record and person ref (HMAC-SHA256 of a person id): a new key ' +
    'would leave every erasure record unmatched, so erased history would be indexed again. It is random, ' +
    'made by the stack, read only by the functions that hash ids, and never logged.',
  namedSecret:
    'The webhook secret was given by name: its ARN ends in a 6-character suffix Secrets Manager chose, ' +
    'matched by "-??????" (six characters exactly, as CDK grants it). The wildcard covers that one secret; ' +
    'only GetSecretValue is granted on it.',
  destinationQueue:
    "This queue is itself the dead-letter target (the on-failure destination) of the schedule function's " +
    'asynchronous invocations; a dead-letter queue of a dead-letter queue would only move the same events ' +
    'again. It keeps them 14 days and has its own alarm.',
  lambdaOutsideVpc:
    'The functions call the Graph API on the internet and AWS services (DynamoDB, Secrets Manager, SQS, ' +
    'EventBridge) over TLS with SigV4, and hold no network-reachable resource of their own. In a VPC they ' +
    'would need a NAT gateway (about $32 a month per zone) or interface endpoints for each service, and gain ' +
    'no control over what they can reach that their IAM roles do not already give.',
  lambdaFailurePath:
    'A Lambda dead-letter queue applies to asynchronous invocations only. The API and the webhook receiver ' +
    'are invoked synchronously by API Gateway (the caller gets the error); the sync and refresh workers by ' +
    "SQS event source mappings, whose failed messages go to their queues' dead-letter queues; the schedule " +
    'function, the one invoked asynchronously, sends a failed event to its on-failure destination, a ' +
    'dead-letter queue with an alarm (the newer form of a Lambda DLQ).',
  lambdaConcurrency:
    "Each function's concurrency is bounded without a reservation: the workers by their SQS event sources' " +
    "maximum concurrency (syncConcurrency), the schedule by its one rule, the webhook receiver by its routes' " +
    "throttle, the API by the stage's throttle. Reserved concurrency is taken from the account's pool and " +
    'fails the deployment in accounts with a low limit; the API takes one with the apiReservedConcurrency prop.',
  inlineRolePolicy:
    "Each function has a role of its own whose one policy is written for it (CDK's default policy of the " +
    "role): a one-to-one policy whose lifecycle is the role's, which IAM recommends keeping inline. A " +
    'customer-managed policy would be attached to this one role only, and add a resource to manage.',
  logsWithoutCustomerKey:
    'CloudWatch Logs encrypts every log group at rest with its own keys. A customer-managed key is one prop ' +
    'away (encryptionKey, or -c encryptionKeyArn=): without it, no key is created or billed.',
  secretWithoutCustomerKey:
    'Secrets Manager encrypts the secret with the aws/secretsmanager key of the account. A customer-managed ' +
    'key is one prop away (encryptionKey, or -c encryptionKeyArn=).',
  alarmsWithoutTopic:
    'The alarms notify the SNS topic given as alarmTopic (-c alarmTopicArn=); without one they show in the ' +
    'CloudWatch console and the dashboard only, since the stack cannot know whom to notify.',
});

type CfnValue = string | number | boolean | null | undefined | CfnValue[] | { [key: string]: CfnValue };

/** Renders a resolved CloudFormation value the way cdk-nag names findings: `${X}` and `Ref`s as `<X>`. */
function flatten(value: CfnValue): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  const join = value['Fn::Join'];
  if (Array.isArray(join)) {
    const [delimiter, parts] = join;
    return Array.isArray(parts)
      ? parts.map(flatten).join(typeof delimiter === 'string' ? delimiter : '')
      : '';
  }
  const ref = value.Ref;
  if (typeof ref === 'string') return `<${ref}>`;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
  const sub = value['Fn::Sub'];
  if (sub !== undefined) return flatten(sub);
  return JSON.stringify(value);
}

/**
 * The id of the `AwsSolutions-IAM5` finding that a wildcard resource raises, e.g.
 * `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:...:secret:page-*]`. Computed from
 * the ARN itself so that the acknowledgment names exactly that resource, whatever the stack's
 * environment makes of the partition, region and account.
 */
export function iam5ResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource) as CfnValue)}]`;
}
