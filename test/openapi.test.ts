import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openApiDocument } from '#lib/http/openapi.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import { pathOf } from './support/truth.js';

const PAGE = DEMO_PAGE_IDS[0];

/** Validates a real answer against the response schema the document gives for its route and status. */
function validatorFor(document: typeof openApiDocument) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ ...document, $id: 'openapi' });
  return (template: string, method: string, status: number, body: unknown) => {
    const operation = (
      document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
    )[template]?.[method];
    expect(operation, `${method} ${template} is documented`).toBeDefined();
    expect(operation?.responses[String(status)], `${method} ${template} documents ${status}`).toBeDefined();
    const pointer = `openapi#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    if (validate === undefined) return;
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  };
}

describe('the OpenAPI document is true to what the API answers', () => {
  let harness: Harness;
  const check = validatorFor(openApiDocument);
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test('GET /openapi.json serves the document itself', async () => {
    const { status, body } = await harness.call('/openapi.json');
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
  });

  test('GET /health', async () => {
    const { status, body } = await harness.call('/health');
    check('/health', 'get', status, body);
  });

  test('conversations: a first page, a next page and each documented error', async () => {
    const template = '/pages/{pageId}/conversations';
    const first = await harness.call(`/pages/${PAGE}/conversations?limit=3`);
    check(template, 'get', first.status, first.body);
    const next = await harness.call(pathOf((first.body as { paging: { next: string } }).paging.next));
    check(template, 'get', next.status, next.body);
    const scenarios: Array<[string, () => void]> = [
      [`/pages/${PAGE}/conversations?limit=0`, () => undefined],
      [`/pages/${PAGE}/conversations?after=${'A'.repeat(22)}a`, () => undefined],
      ['/pages/12345/conversations', () => undefined],
      [
        `/pages/${PAGE}/conversations?folder=spam`,
        () =>
          harness.emulator.inject({
            kind: 'graph-error',
            status: 400,
            error: { message: 'x', type: 'OAuthException', code: 200 },
          }),
      ],
      [
        `/pages/${PAGE}/conversations?folder=spam`,
        () =>
          harness.emulator.inject({
            kind: 'graph-error',
            status: 400,
            error: { message: 'x', type: 'OAuthException', code: 190 },
          }),
      ],
      [
        `/pages/${PAGE}/conversations?folder=spam`,
        () =>
          harness.emulator.inject({
            kind: 'graph-error',
            status: 400,
            error: { message: 'x', type: 'OAuthException', code: 613 },
          }),
      ],
      // Last: a hang may outlive the answer's retries and must not meet another scenario.
      [`/pages/${DEMO_PAGE_IDS[1]}/conversations`, () => harness.emulator.inject({ kind: 'hang', times: 5 })],
    ];
    const statuses = new Set<number>();
    for (const [path, prepare] of scenarios) {
      prepare();
      const answer = await harness.call(path);
      statuses.add(answer.status);
      check(template, 'get', answer.status, answer.body);
    }
    expect([...statuses].sort()).toEqual([400, 403, 404, 429, 502, 504]);
  });
});
