import { PAGE_ID_PATTERN } from '../domain/vocabulary.js';
import { CONFIRMATION_CODE_PATTERN } from '../privacy/jobs.js';

/**
 * The path parameters of the API's routes, by the name their paths give them (`{pageId}`): what the
 * OpenAPI document says of each. Query parameters are declared with their query's shape
 * (`lib/domain/shapes/queries.ts`).
 */
const PATH_PARAMETERS = {
  pageId: { pattern: PAGE_ID_PATTERN, description: 'The Facebook Page id.' },
  code: {
    pattern: CONFIRMATION_CODE_PATTERN,
    description: 'The confirmation code Meta was given for a data-deletion request.',
  },
} as const satisfies Record<string, { pattern: string; description: string }>;

type PathParameterName = keyof typeof PATH_PARAMETERS;

/** The one path parameter of every route of one Page. */
export const PAGE_ID_PARAMETER: PathParameterName = 'pageId';

/** One OpenAPI parameter object of a path parameter; a name without a declaration is a bug, caught at load. */
export function openApiPathParameter(name: string) {
  if (!Object.hasOwn(PATH_PARAMETERS, name))
    throw new Error(`No declaration of the path parameter {${name}}.`);
  const { pattern, description } = PATH_PARAMETERS[name as PathParameterName];
  return { name, in: 'path' as const, required: true, description, schema: { type: 'string', pattern } };
}
