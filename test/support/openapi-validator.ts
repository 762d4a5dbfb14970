import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { type OpenApiDocument, openApiDocument } from '#lib/http/openapi.js';

/** One answer of the API, however it was obtained (over HTTP, or from a handler directly). */
export interface Answer {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

/** From `fetch`'s answer (the harness's `call`). */
export const fetched = (answer: { status: number; headers: Headers; text: string }): Answer => ({
  status: answer.status,
  header: (name) => answer.headers.get(name) ?? undefined,
  text: answer.text,
});

/** From a Lambda handler's result. */
export const handled = (result: {
  statusCode: number;
  headers?: Record<string, unknown> | undefined;
  body: string;
}): Answer => ({
  status: result.statusCode,
  header: (name) => {
    const entry = Object.entries(result.headers ?? {}).find(
      ([key]) => key.toLowerCase() === name.toLowerCase(),
    );
    return entry === undefined ? undefined : String(entry[1]);
  },
  text: result.body,
});

// RFC 3339 as OpenAPI's `date-time` means it: a colon in the offset, so Graph's `+0000` is not one.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Ajv over the whole document, so that every `$ref` in it resolves; formats checked, not ignored. */
function documentAjv(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: false });
  ajv.addFormat('date-time', RFC_3339);
  ajv.addFormat('uri-reference', /^\S+$/);
  ajv.addSchema({ ...structuredClone(document), $id: 'openapi' });
  return ajv;
}

type Operation = { responses: Record<string, { $ref?: string; headers?: object; content?: object }> };

/**
 * Checks an answer against the document: the status is documented for that operation, every required
 * header is present, the content type is documented, and the body validates against its schema (with
 * the formats checked, `date-time` strictly).
 */
export function answerChecker(document: OpenApiDocument = openApiDocument()) {
  const ajv = documentAjv(document);
  const pointerSegment = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

  return (template: string, method: string, answer: Answer) => {
    const operation = (document.paths as unknown as Record<string, Record<string, Operation>>)[template]?.[
      method
    ];
    expect(operation, `${method} ${template} is documented`).toBeDefined();
    let pointer = `#/paths/${pointerSegment(template)}/${method}/responses/${answer.status}`;
    let response = operation?.responses[String(answer.status)];
    expect(response, `${method} ${template} documents ${answer.status}: ${answer.text}`).toBeDefined();
    if (response?.$ref !== undefined) {
      pointer = response.$ref;
      const name = response.$ref.split('/').at(-1) as keyof typeof document.components.responses;
      response = document.components.responses[name] as typeof response;
    }
    for (const [name, header] of Object.entries(response?.headers ?? {})) {
      const resolved = (header as { $ref?: string }).$ref
        ? document.components.headers[
            (header as { $ref: string }).$ref.split('/').at(-1) as keyof typeof document.components.headers
          ]
        : header;
      if ((resolved as { required?: boolean }).required)
        expect(answer.header(name), `${name} on ${answer.status}`).toBeDefined();
    }
    const contentType = (answer.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const content = (response?.content ?? {}) as Record<string, unknown>;
    expect(Object.keys(content), `${answer.status} is documented as ${contentType}`).toContain(contentType);
    const body = contentType === 'application/json' ? JSON.parse(answer.text) : answer.text;
    const validate = ajv.getSchema(`openapi${pointer}/content/${pointerSegment(contentType)}/schema`);
    expect(validate, `a schema for ${pointer}`).toBeDefined();
    expect(validate?.(body), JSON.stringify(validate?.errors)).toBe(true);
    return body as unknown;
  };
}

/**
 * Validates a value against one named schema of the document, or (`.schema`) against any schema taken
 * from it, such as a parameter's, whose `#/components/...` references are read in the document.
 */
export function schemaChecker(document: OpenApiDocument = openApiDocument()) {
  const ajv = documentAjv(document);
  const named = (name: keyof typeof document.components.schemas, value: unknown) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
    const valid = validate?.(value);
    return { valid: valid === true, errors: JSON.stringify(validate?.errors) };
  };
  const schema = (fragment: unknown, value: unknown): boolean =>
    ajv.validate(
      JSON.parse(JSON.stringify(fragment).replaceAll('"#/components/', '"openapi#/components/')),
      value,
    );
  return Object.assign(named, { schema });
}
