import { describe, expect, it } from 'vitest';
import type { ProductFunction } from '../cdk/product-function.js';
import { type Json, logicalId, resource, synthOnce, webhooksOf } from './cdk/synth.js';

/**
 * The stack's part of a person's data (cdk/person-data.ts), from the synthesized template: who may read
 * the person-hash key, the erasure route's authorization, and `RETENTION_DAYS` where it applies.
 */

function secretReaders(template: ReturnType<typeof synthOnce>['template'], secretId: string): string[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
  return policies
    .filter((policy) =>
      (policy.Properties.PolicyDocument.Statement as Json[]).some(
        (statement) =>
          ([] as string[]).concat(statement.Action).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(statement.Resource).includes(`"Ref":"${secretId}"`),
      ),
    )
    .flatMap((policy) => (policy.Properties.Roles as Json[]).map((role) => role.Ref as string))
    .sort();
}

const variables = (template: ReturnType<typeof synthOnce>['template'], fn: ProductFunction) =>
  resource(template, logicalId(fn)).Properties.Environment.Variables as Record<string, unknown>;

describe('a person’s data in the stack', () => {
  it('lets only the functions that hash ids read the person-hash key, a generated 64-character secret', () => {
    // Act
    const { template, product } = synthOnce();
    const secretId = logicalId(product.personData.keySecret);

    // Assess
    expect(resource(template, secretId).Properties.GenerateSecretString).toEqual({
      ExcludePunctuation: true,
      PasswordLength: 64,
    });
    expect(secretReaders(template, secretId)).toEqual(
      [product.erasureFunction, product.syncWorkerFunction, webhooksOf(product).refreshFunction]
        .map((fn) => logicalId(fn.role))
        .sort(),
    );
    expect(variables(template, product.apiFunction).PERSON_KEY_SECRET_ID).toBeUndefined();
    expect(variables(template, webhooksOf(product).receiverFunction).PERSON_KEY_SECRET_ID).toBeUndefined();
  });

  it('asks a JWT for the erase scope on the erasure route, its own scope and route', () => {
    // Act
    const { template } = synthOnce({
      authorization: {
        type: 'jwt',
        issuer: 'https://auth.example.com/',
        audience: ['a'],
        eraseScopes: ['dpo/erase'],
      },
    });

    // Assess
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[];
    const erase = routes.find((route) => route.Properties.RouteKey === 'POST /pages/{pageId}/erasures');
    expect(erase?.Properties.AuthorizationScopes).toEqual(['dpo/erase']);
    const read = routes.find((route) => route.Properties.RouteKey === 'GET /pages/{pageId}/conversations');
    expect(read?.Properties.AuthorizationScopes).not.toContain('dpo/erase');
  });

  it('sets RETENTION_DAYS on the functions that apply it when the prop is given, and nowhere without it', () => {
    // Act
    const withRetention = synthOnce({ retentionDays: 90 });
    const without = synthOnce();

    // Assess
    const { template, product } = withRetention;
    for (const fn of [
      product.apiFunction,
      product.syncWorkerFunction,
      webhooksOf(product).refreshFunction,
      product.erasureFunction,
    ])
      expect(variables(template, fn).RETENTION_DAYS).toBe('90');
    expect(variables(template, webhooksOf(product).receiverFunction).RETENTION_DAYS).toBeUndefined();
    const functions = Object.values(without.template.findResources('AWS::Lambda::Function')) as Json[];
    for (const fn of functions) expect(fn.Properties.Environment.Variables.RETENTION_DAYS).toBeUndefined();
  });

  it.each([0, 3651, 1.5])('refuses retentionDays %s', (days) => {
    expect(() => synthOnce({ retentionDays: days })).toThrow(
      /retentionDays must be a whole number from 1 to 3650/,
    );
  });
});
