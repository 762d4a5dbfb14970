import { readFileSync } from 'node:fs';
import type { Schedule } from 'aws-cdk-lib/aws-events';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Setting, SettingValue } from '#lib/config/setting.js';
import type { SettingInput } from '#lib/config/setting-rules.js';
import { SETTINGS } from '#lib/config/settings.js';
import {
  type PageConversationsProps,
  resolveProps,
  type SettingOfProp,
} from '../../cdk/page-conversations.js';

/**
 * The props interface is written by hand (its JSDoc says more than a table row, and some props take
 * CDK types lib/config cannot import); these tests hold it to the settings table, so that neither can
 * change without the other: the names, the types, which props are required, the documented defaults.
 */

const valid: PageConversationsProps = { tokenSecretPrefix: 'page-conversations/page-' };
type Settings = typeof SETTINGS;
/** The top-level prop each setting names (`authorization.issuer` is a field of `authorization`). */
type TableProp = {
  [K in keyof Settings]: Settings[K] extends { readonly prop: `${infer Head}.${string}` }
    ? Head
    : Settings[K] extends { readonly prop: infer P extends string }
      ? P
      : never;
}[keyof Settings];
type Props = PageConversationsProps;
/** An enum's values as the literals they are (`RemovalPolicy` is 'retain' | 'destroy' | ...). */
type Literal<T> = T extends string ? `${T}` : T extends number ? number : T;
type ValueProp = Exclude<keyof Props, 'authorization'>;
/** For each prop: whether what its rule gives can be passed as the prop, and what the prop takes can be checked. */
type Agrees = {
  [P in ValueProp]: SettingOfProp<P> extends { readonly cdkResource: true }
    ? NonNullable<Props[P]> extends SettingInput
      ? 'a resource prop takes an object, not the name the context gives'
      : true
    : [SettingValue<SettingOfProp<P>>] extends [Literal<NonNullable<Props[P]>>]
      ? P extends 'syncSchedule'
        ? true
        : NonNullable<Props[P]> extends SettingInput
          ? true
          : 'the rule cannot check what the prop takes'
      : 'the prop cannot take what the rule gives';
};
/** Whether each prop is required exactly when its setting says so. */
type RequiredAgrees = {
  [P in ValueProp]: (SettingOfProp<P> extends { readonly propRequired: true } ? true : false) extends (
    object extends Pick<Props, P>
      ? false
      : true
  )
    ? true
    : 'required in one, optional in the other';
};

const PROP_SETTINGS = (Object.values(SETTINGS) as Setting<unknown>[]).filter(
  (setting): setting is Setting<unknown> & { prop: string } =>
    setting.prop !== undefined && !setting.prop.includes('.'),
);

/** Each prop's JSDoc as written in the interface: its text and its `@default`. */
function propDocs(): Map<string, { text: string; defaultTag: string | undefined }> {
  const path = new URL('../../cdk/page-conversations-props.ts', import.meta.url);
  const source = ts.createSourceFile('props.ts', readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, { text: string; defaultTag: string | undefined }>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'PageConversationsProps') return;
    for (const member of node.members) {
      const doc = ts.getJSDocCommentsAndTags(member).find(ts.isJSDoc);
      const tag = doc?.tags?.find((t) => t.tagName.text === 'default');
      docs.set(member.name?.getText() ?? '', {
        text: ts.getTextOfJSDocComment(doc?.comment) ?? '',
        defaultTag: tag === undefined ? undefined : (ts.getTextOfJSDocComment(tag.comment) ?? ''),
      });
    }
  });
  return docs;
}

describe('the props interface holds to the settings table', () => {
  it('has one prop per setting that names one, of a type its rule agrees with (checked by tsc)', () => {
    // Checked by tsc (npm run lint): expectTypeOf does nothing at run time.
    expectTypeOf<keyof Props>().toEqualTypeOf<TableProp>();
    expectTypeOf<Agrees>().toEqualTypeOf<{ [P in ValueProp]: true }>();
    expectTypeOf<RequiredAgrees>().toEqualTypeOf<{ [P in ValueProp]: true }>();
    expect(PROP_SETTINGS.length).toBeGreaterThan(15);
  });

  it.each(PROP_SETTINGS.map((setting) => [setting.prop, setting] as const))(
    '%s: its JSDoc says why and gives the default the table gives',
    (prop, setting) => {
      // Act
      const doc = propDocs().get(prop);

      // Assess
      expect(doc?.text.length, 'a JSDoc that says what the prop is for').toBeGreaterThan(40);
      if (setting.propRequired === true) {
        expect(doc?.text).toContain('Required');
        return;
      }
      expect(doc?.defaultTag, 'an @default tag').toBeDefined();
      const values = setting.default === undefined ? [] : [setting.default].flat();
      for (const value of values)
        expect(doc?.defaultTag?.toLowerCase()).toContain(String(value).toLowerCase());
    },
  );

  it.each(PROP_SETTINGS.filter((setting) => setting.default !== undefined).map((s) => [s.prop, s] as const))(
    '%s left out resolves to the default of its setting',
    (prop, setting) => {
      // Act
      const resolved = resolveProps(valid) as unknown as Record<string, unknown>;

      // Assess
      const value = resolved[prop];
      expect(prop === 'syncSchedule' ? `rate(${setting.default} minutes)` : value).toEqual(
        prop === 'syncSchedule' ? (value as Schedule).expressionString : setting.default,
      );
    },
  );
});
