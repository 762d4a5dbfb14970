import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { applyUpdate } from './update-expression.js';

type Item = Record<string, AttributeValue>;

const TABLE = 'update-expression';
const KEY: Item = { pk: { S: 'CONV#1#messenger' }, sk: { S: 't_1' } };

interface Case {
  rule: string;
  base: Item;
  expression: string;
  names?: Record<string, string>;
  values?: Item;
}

// Each case is what the bench's meter must predict: the item DynamoDB holds after the update.
const CASES: Case[] = [
  {
    rule: 'SET of plain values, by name and by placeholder',
    base: { ut: { S: 'a' } },
    expression: 'SET ut = :u, #d = :d',
    names: { '#d': 'doc' },
    values: { ':u': { S: 'b' }, ':d': { S: '{}' } },
  },
  {
    rule: 'if_not_exists keeps a value that exists',
    base: { rev: { N: '4' } },
    expression: 'SET #rev = if_not_exists(#rev, :zero) + :one',
    names: { '#rev': 'rev' },
    values: { ':zero': { N: '0' }, ':one': { N: '1' } },
  },
  {
    rule: 'if_not_exists takes the fallback when the attribute is absent',
    base: {},
    expression: 'SET #rev = if_not_exists(#rev, :zero) + :one',
    names: { '#rev': 'rev' },
    values: { ':zero': { N: '0' }, ':one': { N: '1' } },
  },
  {
    rule: 'nested if_not_exists reads the item before the update',
    base: { ut: { S: 'old' } },
    expression: 'SET #ut = :ut, #prev = if_not_exists(#prev, if_not_exists(#ut, :none))',
    names: { '#ut': 'ut', '#prev': 'prev' },
    values: { ':ut': { S: 'new' }, ':none': { S: 'none' } },
  },
  {
    rule: 'REMOVE drops attributes, absent ones too',
    base: { a: { S: 'x' }, b: { S: 'y' } },
    expression: 'REMOVE #a, c',
    names: { '#a': 'a' },
  },
  {
    rule: 'ADD to a number, and to an absent one',
    base: { n: { N: '2' } },
    expression: 'ADD #n :d, m :d',
    names: { '#n': 'n' },
    values: { ':d': { N: '-3' } },
  },
  {
    rule: 'SET and REMOVE in one expression',
    base: { a: { S: 'x' } },
    expression: 'SET b = :b REMOVE a',
    values: { ':b': { S: 'y' } },
  },
];

describe('the bench meter’s model of UpdateItem', () => {
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await ensureTable(dynamo.client, TABLE);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it.each(CASES)(
    '$rule: the item after is the one DynamoDB holds',
    async ({ base, expression, names, values }) => {
      // Prepare
      await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...KEY, ...base } }));
      // Act
      const modelled = applyUpdate({ ...KEY, ...base }, expression, names, values);
      await dynamo.client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: KEY,
          UpdateExpression: expression,
          ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
          ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
        }),
      );
      // Assess
      const stored = await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
      expect(modelled).toEqual(stored.Item);
    },
  );

  it.each([
    ['a nested path', 'SET a.b = :v'],
    ['a list function', 'SET a = list_append(a, :v)'],
    ['DELETE from a set', 'DELETE s :v'],
  ])('returns nothing for %s, which it does not model', (_name, expression) => {
    // Act
    const modelled = applyUpdate({ ...KEY }, expression, {}, { ':v': { S: 'x' } });
    // Assess
    expect(modelled).toBeUndefined();
  });
});
