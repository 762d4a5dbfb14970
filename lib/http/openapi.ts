import { ROUTES, routeLabel } from '../domain/routes.js';
import { openApiComponents } from '../domain/shapes/document.js';
import { openApiPaths } from './openapi-paths.js';
import { headers, responses } from './openapi-responses.js';

/**
 * The OpenAPI 3.1 document of this API, served by the route `openApi`: for the repository's users the
 * whole contract of its routes. Routes come from the route table, bodies and query parameters from the
 * shapes the parser validates with, error codes from the error mapping; the tests check real answers
 * against it and lint it with Redocly's recommended rules (`npm run lint`).
 */

/**
 * The package's version (package.json), which is the API's version. Kept here rather than imported from
 * package.json, which would put the whole manifest into the Lambda bundle; a test holds the two equal.
 */
export const API_VERSION = '0.3.0';

/** The routes a JWT needs one of the deployment's sync scopes for. */
const syncRoutes = () =>
  ROUTES.filter((route) => route.auth === 'authorized' && route.scope === 'sync')
    .map((route) => routeLabel(route.handler))
    .join(', ');

const buildDocument = () => ({
  openapi: '3.1.0',
  info: {
    title: 'Page conversations',
    version: API_VERSION,
    summary: 'Messenger and Instagram conversations of Facebook Pages, served from your own AWS account.',
    description: [
      "The conversations of your Facebook Pages (Messenger) and their linked Instagram professional accounts, read through Graph's `GET /{page-id}/conversations` behind API Gateway and Lambda in your own AWS account, plus what Graph cannot do: `updated_since`, served from an index in DynamoDB that a scheduled, incremental sync keeps.",
      '',
      'Every error is JSON, `{"error": {"code", "message", ...}}`, never an HTML page or a stack trace, never a token or a secret; Graph\'s own `code`, `error_subcode` and `fbtrace_id` ride along under `error.graph`. Graph\'s HTTP statuses say little, so its errors are classified on their codes. Strings from Graph are cut to 1,000 characters and scrubbed of secrets; a wait Graph names is capped at 24 hours. API Gateway itself may answer some statuses first, with its own body `{"message": "..."}` (`GatewayError`).',
      '',
      'Pages need a token: a Page with none is `404 unknown_page`. A Page whose token Graph rejected is answered `502 page_token_invalid` without calling Graph until its secret changes.',
    ].join('\n'),
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [
    {
      url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
      description:
        "A deployment's API Gateway endpoint (the stack's ApiUrl output; its $default stage adds no path). Behind a custom domain, the URL set as PUBLIC_BASE_URL.",
      variables: {
        apiId: { default: 'a1b2c3d4e5', description: "The HTTP API's id (the stack's ApiId output)." },
        region: { default: 'us-east-1', description: 'The AWS Region of the deployment.' },
      },
    },
    { url: 'http://localhost:3000', description: '`npm start` on this machine (PORT), unauthenticated.' },
  ],
  tags: [
    { name: 'Conversations', description: 'Conversations of a Page, live from Graph or from the index.' },
    { name: 'Sync', description: 'The scheduled, incremental sync that keeps the index.' },
    { name: 'Pages', description: 'The Pages this deployment serves, from its registry.' },
    {
      name: 'Webhooks',
      description:
        "Meta's webhooks: public routes (no AWS authorization), like Meta's data-deletion callback.",
    },
    {
      name: 'Personal data',
      description: "Erasing a person's data, and Meta's data-deletion callback and its status page (public).",
    },
    { name: 'Service', description: 'Liveness and this document.' },
  ],
  paths: openApiPaths(),
  components: {
    securitySchemes: {
      awsSigV4: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description:
          "The default: requests signed with AWS Signature Version 4 (service execute-api) by an IAM principal allowed execute-api:Invoke on this API, e.g. arn:aws:execute-api:<region>:<account>:<ApiId>/*/GET/*. The SDK's signer and default credential chain write this header, with X-Amz-Date and, for temporary credentials, X-Amz-Security-Token.",
        'x-amazon-apigateway-authtype': 'awsSigv4',
      },
      jwtBearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: `When the deployment chooses JWT authorization instead of IAM: an access token from its issuer whose aud (or client_id) is one of its audiences, with one of its read scopes for the GET routes and one of its sync scopes for ${syncRoutes()}.`,
      },
    },
    headers,
    responses,
    schemas: openApiComponents(),
  },
});

export type OpenApiDocument = Readonly<ReturnType<typeof buildDocument>>;
let built: OpenApiDocument | undefined;

/**
 * The document, built on first use rather than at import: only the route that serves it needs it, and
 * emitting the components from the shapes would otherwise add to every cold start.
 */
export function openApiDocument(): OpenApiDocument {
  built ??= Object.freeze(buildDocument());
  return built;
}
