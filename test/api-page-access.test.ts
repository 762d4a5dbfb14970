import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '#lib/http/api-handler.js';
import { parsePageIdsClaim } from '#lib/http/page-access.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * With `JWT_PAGE_IDS_CLAIM` set, a JWT caller reads the Pages its claim lists and no other: through the
 * real handler, over dynalite and the Graph emulator, with API Gateway's own event shape
 * (`requestContext.authorizer.jwt.claims`, an array claim flattened to "[1001 1003]").
 */

const CLAIM = 'page_ids';
// Five registered Pages; the caller may read the first and the fourth.
const PAGES = [
  '4300000000000001',
  '4300000000000002',
  '4300000000000003',
  '4300000000000004',
  '4300000000000005',
];
const [MINE, OTHER, , ALSO_MINE] = PAGES as [string, string, string, string, string];
const UNREGISTERED = '4399999999999999';

type Authorizer =
  | { jwt: { claims: Record<string, string>; scopes: string[] } }
  | { iam: Record<string, string> };

const jwt = (claims: Record<string, string>): Authorizer => ({
  jwt: {
    claims: { sub: 'caller-1', iss: 'https://issuer.example', ...claims },
    scopes: ['page-conversations/read'],
  },
});
const IAM: Authorizer = {
  iam: {
    accessKey: 'AKIAEXAMPLE',
    accountId: '111122223333',
    userArn: 'arn:aws:iam::111122223333:user/reader',
  },
};
const LISTED = jwt({ [CLAIM]: `[${MINE} ${ALSO_MINE}]` });

/** The event API Gateway hands the API's Lambda behind a route with an authorizer. */
function event(
  method: string,
  path: string,
  authorizer: Authorizer,
  rawQueryString = '',
): APIGatewayProxyEventV2 {
  const base = apiGatewayEvent(path, { rawQueryString });
  return {
    ...base,
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method }, authorizer },
  } as APIGatewayProxyEventV2;
}

/** Counts the DynamoDB calls a client makes, by command, to show what a filtered listing reads. */
function countingClient(endpoint: string): { client: DynamoDBClient; calls: Map<string, number> } {
  const client = createDynamoClient({ endpoint });
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.set(String(context.commandName), (calls.get(String(context.commandName)) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, calls };
}

describe('the JWT Page claim, as API Gateway hands it over', () => {
  it.each([
    ['an array claim, flattened by API Gateway', '[1001 1003]', ['1001', '1003']],
    ['one id', '1001', ['1001']],
    ['a comma list', '1003,1001', ['1001', '1003']],
    ['a space list', '1001 1003', ['1001', '1003']],
    ['a JSON array in a string', '["1001","1003"]', ['1001', '1003']],
    ['numeric order, not text order', '[20 100 3]', ['3', '20', '100']],
    ['duplicates once', '[1001 1001]', ['1001']],
    ['an empty array', '[]', []],
    ['an empty string', '', []],
    ['a leading zero grants nothing (not Page 1001)', '[01001 1003]', ['1003']],
    ['a number written as a float grants nothing', '[1.001e+15]', []],
    ['words grant nothing', '[all *]', []],
  ])('%s: %j', (_, claim, expected) => {
    expect(parsePageIdsClaim(claim)).toEqual(expected);
  });

  it('takes an array claim too, and nothing from a value of another type', () => {
    expect(parsePageIdsClaim(['1003', '1001', 7])).toEqual(['1001', '1003']);
    expect(parsePageIdsClaim(1001)).toEqual([]);
    expect(parsePageIdsClaim(true)).toEqual([]);
    expect(parsePageIdsClaim(undefined)).toEqual([]);
  });
});

describe('with JWT_PAGE_IDS_CLAIM set', () => {
  let harness: Harness;
  let handler: ReturnType<typeof createApiHandler>;
  let counted: ReturnType<typeof countingClient>;
  const call = async (authorizer: Authorizer, method: string, path: string, query = '') => {
    const answer = await handler(event(method, path, authorizer, query), lambdaContext('api'));
    return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
  };
  const codeOf = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
  const idsOf = (body: Record<string, unknown>) =>
    (body.data as Array<{ page_id: string }>).map((p) => p.page_id);

  beforeAll(async () => {
    harness = await startHarness({
      emulator: { pages: PAGES.map((id) => seedPage(id, { perPartition: 2 })) },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox', JWT_PAGE_IDS_CLAIM: CLAIM },
      registered: true,
    });
    counted = countingClient(harness.dynamo.endpoint);
    const api = harness.services.api;
    // The registry of GET /pages reads through a counting client: what a filtered listing costs.
    const registry = new PageRegistry({ client: counted.client, tableName: harness.tableName });
    handler = createApiHandler({ ...api, pages: { ...api.pages, registry } });
  });
  afterAll(async () => {
    counted.client.destroy();
    await harness.close();
  });

  it('reads the setting into the handler', () => {
    expect(harness.services.api.pageIdsClaim).toBe(CLAIM);
  });

  // Every route of one Page, for a Page the claim does not list, registered or not.
  const ROUTES: Array<[string, string, string]> = [
    ['GET', '/pages/{pageId}', ''],
    ['GET', '/pages/{pageId}/conversations', ''],
    ['GET', '/pages/{pageId}/conversations', 'updated_since=2026-01-01T00:00:00Z'],
    ['GET', '/pages/{pageId}/sync', ''],
    ['POST', '/pages/{pageId}/sync', ''],
  ];

  it.each(ROUTES)(
    '%s %s?%s of a Page the claim does not list is 403 forbidden',
    async (method, template, query) => {
      const path = (pageId: string) => template.replace('{pageId}', pageId);
      const unlisted = await call(LISTED, method, path(OTHER), query);
      const unregistered = await call(LISTED, method, path(UNREGISTERED), query);
      const listed = await call(LISTED, method, path(MINE), query);
      expect([unlisted.status, codeOf(unlisted.body)]).toEqual([403, 'forbidden']);
      // Not 404: a caller learns nothing of the Pages it may not read, not even whether they exist.
      expect([unregistered.status, codeOf(unregistered.body)]).toEqual([403, 'forbidden']);
      expect(listed.status).toBeLessThan(300);
    },
  );

  it('a token without the claim reads no Page: 403 on a Page, an empty GET /pages', async () => {
    const noClaim = jwt({});
    const page = await call(noClaim, 'GET', `/pages/${MINE}`);
    const list = await call(noClaim, 'GET', '/pages');
    expect([page.status, codeOf(page.body)]).toEqual([403, 'forbidden']);
    expect([list.status, idsOf(list.body)]).toEqual([200, []]);
  });

  it('GET /pages lists only the listed, registered Pages, by pages of `limit`, reading only their items', async () => {
    // Prepare: the claim also lists a Page that is not registered; it is simply not there.
    const claim = jwt({ [CLAIM]: `[${ALSO_MINE} ${UNREGISTERED} ${MINE}]` });
    counted.calls.clear();
    // Act: forwards one at a time, then back.
    const first = await call(claim, 'GET', '/pages', 'limit=1');
    const reads = new Map(counted.calls);
    const after = (first.body.paging as { cursors: { after: string } }).cursors.after;
    const second = await call(claim, 'GET', '/pages', `limit=1&after=${encodeURIComponent(after)}`);
    const secondPaging = second.body.paging as { next?: string; cursors: { before: string } };
    const back = await call(
      claim,
      'GET',
      '/pages',
      `limit=1&before=${encodeURIComponent(secondPaging.cursors.before)}`,
    );
    const whole = await call(claim, 'GET', '/pages', 'limit=10');
    // Assess
    expect(idsOf(first.body)).toEqual([MINE]);
    expect(idsOf(second.body)).toEqual([ALSO_MINE]);
    expect(secondPaging.next).toBeUndefined();
    expect(idsOf(back.body)).toEqual([MINE]);
    expect(idsOf(whole.body)).toEqual([MINE, ALSO_MINE]);
    // The first answer read the items of the first two listed ids (one more than the limit says
    // whether there is more): each Page's registry item and its run summary (kept in the Page's own
    // partition so that no key takes a round's writes), never a Query over the registry of every Page.
    expect(reads.get('QueryCommand')).toBeUndefined();
    expect(reads.get('GetItemCommand')).toBe(4);
  });

  it('an IAM caller is not filtered: every Page, listed or not', async () => {
    const list = await call(IAM, 'GET', '/pages', 'limit=10');
    const page = await call(IAM, 'GET', `/pages/${OTHER}`);
    expect(idsOf(list.body)).toEqual(PAGES);
    expect(page.status).toBe(200);
  });
});

describe('without JWT_PAGE_IDS_CLAIM', () => {
  it('a JWT caller reads every Page, whatever its claims', async () => {
    const harness = await startHarness({
      emulator: { pages: PAGES.slice(0, 2).map((id) => seedPage(id, { perPartition: 1 })) },
      registered: true,
    });
    try {
      const handler = createApiHandler(harness.services.api);
      const answer = await handler(event('GET', `/pages/${OTHER}`, LISTED), lambdaContext('api'));
      expect(answer.statusCode).toBe(200);
    } finally {
      await harness.close();
    }
  });
});
