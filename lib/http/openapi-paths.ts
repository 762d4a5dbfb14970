import { pathParameterNames, ROUTES, type RouteKey, routeLabel } from '../domain/routes.js';
import { openApiQueryParameters } from '../domain/shapes/document.js';
import {
  ChangesQuerySchema,
  ConversationsQuerySchema,
  PagesQuerySchema,
  SyncStartQuerySchema,
} from '../domain/shapes/queries.js';
import { errorAnswers } from './openapi-responses.js';
import { openApiPathParameter } from './path-parameters.js';

/**
 * The operations of the OpenAPI document (`paths`), one per row of the route table: the table gives the
 * path, method, operation id and security; this file, what each operation does and answers. Each one
 * lists the error answers of what it does (see `errorAnswers`), so that a route that calls Graph
 * documents Graph's failures and one that does not, does not.
 */

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (description: string, name: string) => ({
  description,
  content: { 'application/json': { schema: schema(name) } },
});

/** Every authorized route sits behind the deployment's one authorizer: IAM or JWT. */
const AUTHORIZED = [{ awsSigV4: [] }, { jwtBearer: [] }];

const NO_QUERY_NOTE = 'It takes no query parameters: any is a 400 naming it.';

/** What the document says of one operation, besides what the route table says. */
interface Operation {
  tags: readonly string[];
  summary: string;
  description: string;
  /** Query and header parameters; the path's own come from its template. */
  parameters?: readonly object[];
  requestBody?: object;
  responses: Record<string, object>;
}

/** The 403 of Meta's public data-deletion routes, and their 400. */
const DELETION_REFUSED =
  'invalid_signature: the signed_request is not signed with the app secret, is older than an hour, names another algorithm than HMAC-SHA256, or the app secret is not set (empty or the placeholder); nothing is recorded.';

const OPERATIONS: Record<RouteKey, Operation> = {
  health: {
    tags: ['Service'],
    summary: 'Liveness',
    description: 'Answers at once and touches no dependency. Authorized like every other route.',
    responses: {
      '200': jsonBody('Alive.', 'Health'),
      ...errorAnswers({ input: false, page: false, graph: false, store: false }),
    },
  },
  openApi: {
    tags: ['Service'],
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of this API, the same in every deployment of this version.',
    responses: {
      '200': {
        description: 'The OpenAPI 3.1 document.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: {
                openapi: { type: 'string', const: '3.1.0' },
                info: { type: 'object', additionalProperties: true },
                paths: { type: 'object', additionalProperties: true },
              },
            },
          },
        },
      },
      ...errorAnswers({ input: false, page: false, graph: false, store: false }),
    },
  },
  listPages: {
    tags: ['Pages'],
    summary: 'Pages this deployment serves',
    description:
      'The registered Pages by id, ascending, from the registry in DynamoDB (never a listing of secrets), with their token health and a summary of their sync. Operators manage the registry with `npm run pages`.',
    parameters: openApiQueryParameters(PagesQuerySchema),
    responses: {
      '200': jsonBody('One page of Pages; `paging` as on the conversations route.', 'PagesPage'),
      ...errorAnswers({ input: true, page: false, graph: false, store: true }),
    },
  },
  getPage: {
    tags: ['Pages'],
    summary: 'One Page this deployment serves',
    description: `Its token health and a summary of its sync. ${NO_QUERY_NOTE}`,
    responses: {
      '200': jsonBody('The Page.', 'Page'),
      ...errorAnswers({ input: true, page: true, graph: false, store: true }),
    },
  },
  listConversations: {
    tags: ['Conversations'],
    summary: 'Conversations of a Page',
    description:
      "The conversations between people and the Page (Messenger) or its linked Instagram professional account, newest activity first, in Graph's own shape. Live from Graph's `GET /{page-id}/conversations`; with `updated_since`, what Graph cannot do: those updated later, from the index the scheduled sync keeps, with `synced_at`. A cursor is bound to the page and the query it came from. Graph's own paging URLs are never shown (they carry the token). A page Graph throttles is answered 429 without calling Graph until the time Graph named.",
    parameters: openApiQueryParameters(ConversationsQuerySchema),
    responses: {
      '200': jsonBody('One page of conversations.', 'ConversationsPage'),
      ...errorAnswers({ input: true, page: true, graph: true, store: true }),
    },
  },
  listChanges: {
    tags: ['Conversations'],
    summary: "Changes of a Page's index, in write order",
    description:
      "For consumers that poll rather than take events: every write of the index (created, updated, moved, removed), oldest first, each once, with the change event's detail under its detail_type and the same event_id. Walking paging.cursors.after never misses a change nor shows one twice, even with writers in several containers: a change is shown once no earlier write can still appear (about 10 seconds after it, or once a writer that stopped midway has been recovered by the next sync run of the Page). Changes are kept CHANGES_DAYS; a cursor older than that is 400 invalid_cursor: re-read the conversations with updated_since, then walk again without a cursor. An answer costs reads in proportion to the changes it holds.",
    parameters: openApiQueryParameters(ChangesQuerySchema),
    responses: {
      '200': jsonBody('Changes, and the cursor to ask from next.', 'ChangesPage'),
      ...errorAnswers({ input: true, page: true, graph: false, store: true }),
    },
  },
  getSyncState: {
    tags: ['Sync'],
    summary: "State of a Page's sync",
    description: `Per configured platform and folder: the high-water mark, the status (running from a POST's answer until the run ends, its reconciliation included), how many conversations are indexed, when the index was brought up to date and last reconciled, and the last run. ${NO_QUERY_NOTE}`,
    responses: {
      '200': jsonBody('The sync state.', 'SyncState'),
      // Reads the registry and the state, never the token: a dead token is no error here.
      ...errorAnswers({ input: true, page: true, graph: false, store: true }),
    },
  },
  startSync: {
    tags: ['Sync'],
    summary: 'Start a sync of a Page now',
    description:
      'Starts a run unless one holds the page (a run is never started twice). With full=true the run also reconciles every platform; asked while a run holds the page, the next run reconciles.',
    parameters: openApiQueryParameters(SyncStartQuerySchema),
    responses: {
      '202': jsonBody('Started, or already running.', 'SyncStarted'),
      ...errorAnswers({ input: true, page: true, graph: false, store: true }),
    },
  },
  verifyWebhookSubscription: {
    tags: ['Webhooks'],
    summary: "Meta's subscription handshake",
    description:
      'Public (no AWS authorization): Meta cannot sign requests, so this route checks the verify token instead. With hub.mode=subscribe and the configured verify token, echoes hub.challenge; anything else, missing parameters included, is 403 forbidden.',
    parameters: [
      { name: 'hub.mode', in: 'query', required: true, schema: { type: 'string', const: 'subscribe' } },
      {
        name: 'hub.verify_token',
        in: 'query',
        required: true,
        description: 'The verify token configured for this deployment.',
        schema: { type: 'string' },
      },
      { name: 'hub.challenge', in: 'query', required: true, schema: { type: 'string' } },
    ],
    responses: {
      '200': {
        description: 'The challenge, exactly as sent.',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
      '403': jsonBody(
        'forbidden: the verify token is wrong or a parameter is missing, or the app secret is not set (empty or the placeholder): every request is refused until it is.',
        'Error',
      ),
      '405': { $ref: '#/components/responses/MethodNotAllowed' },
      '500': { $ref: '#/components/responses/InternalError' },
      '503': { $ref: '#/components/responses/Unavailable' },
    },
  },
  receiveWebhook: {
    tags: ['Webhooks'],
    summary: 'Receive a Meta webhook delivery',
    description:
      "Public (no AWS authorization): Meta signs the body instead. Verifies X-Hub-Signature-256 over the exact bytes of the body, then enqueues a refresh of each conversation named and answers at once, calling no Graph. The refresh reads that person's conversation from Graph under the sync's pacing; the index moves, and a change event is sent. Meta may deliver twice and out of order: that changes nothing twice.",
    parameters: [
      {
        name: 'X-Hub-Signature-256',
        in: 'header',
        required: true,
        description:
          'sha256=<hex>: the HMAC-SHA256 of the body keyed by the app secret, hex in any case. The old SHA-1 X-Hub-Signature alone is refused.',
        schema: { type: 'string', pattern: '^sha256=[0-9A-Fa-f]{64}$' },
      },
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: schema('WebhookDelivery') } },
    },
    responses: {
      '200': jsonBody(
        'Received (or ignored: unknown objects, Pages, accounts and items).',
        'WebhookReceived',
      ),
      '400': jsonBody(
        'invalid_request: a correctly signed body that is not JSON, or that is compressed (Content-Encoding).',
        'Error',
      ),
      '403': jsonBody(
        'invalid_signature: X-Hub-Signature-256 missing or wrong, or the app secret not set (empty or the placeholder); nothing is recorded.',
        'Error',
      ),
      '413': jsonBody(
        'payload_too_large: a body over 1 MiB (1,048,576 bytes); nothing is recorded.',
        'Error',
      ),
      '405': { $ref: '#/components/responses/MethodNotAllowed' },
      '500': { $ref: '#/components/responses/InternalError' },
      '503': { $ref: '#/components/responses/Unavailable' },
    },
  },
  erasePerson: {
    tags: ['Personal data'],
    summary: "Erase a person's data from a Page",
    description: `Every indexed conversation of the Page that names the person (a Page- or Instagram-scoped id, given in the body so that no access log records it), on both platforms, becomes a tombstone with reason erased (one Conversation Removed event each); the changes feed keeps only their ids and times; the webhook refresh items that name them go. From then on, the sync, the reconciliation and webhooks do not index again a conversation of that person not updated after erased_at. What is kept of the erasure is a keyed hash of the id and the time, never the id. Erasing twice answers the same shape with 0. Authorized with its own route ARN, and with a JWT the erase scope. ${NO_QUERY_NOTE}`,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: schema('ErasureRequest') } },
    },
    responses: {
      '200': jsonBody('Erased.', 'Erasure'),
      ...errorAnswers({ input: true, page: true, graph: false, store: true }),
    },
  },
  requestDataDeletion: {
    tags: ['Personal data'],
    summary: "Meta's Data Deletion Request Callback",
    description: `Public (no AWS authorization): Meta signs the signed_request instead. The user_id in it is erased as given on every registered Page, as ${routeLabel('erasePerson')} does, within a minute; the answer is a status URL and a confirmation code. Meta sends an app-scoped id while conversations hold Page- and Instagram-scoped ids: only conversations where they coincide are reached. Enter this route's URL as the Data Deletion Request URL in the Meta app's settings.`,
    requestBody: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: schema('DataDeletionRequest') } },
    },
    responses: {
      '200': jsonBody('Recorded and queued.', 'DataDeletionAnswer'),
      '400': jsonBody(
        'invalid_request: no signed_request, a payload that is not JSON, or a user_id that is not digits.',
        'Error',
      ),
      '403': jsonBody(DELETION_REFUSED, 'Error'),
      '405': { $ref: '#/components/responses/MethodNotAllowed' },
      '500': { $ref: '#/components/responses/InternalError' },
      '503': { $ref: '#/components/responses/Unavailable' },
    },
  },
  getDataDeletionStatus: {
    tags: ['Personal data'],
    summary: 'Status of a data-deletion request',
    description:
      'Public: what the person Meta sends here sees. pending until every registered Page is done, then completed with the number of conversations removed. Never shows an id.',
    responses: {
      '200': jsonBody('The status.', 'DataDeletionStatus'),
      '404': jsonBody(
        'not_found: no request has this confirmation code (or it is older than 90 days).',
        'Error',
      ),
      '405': { $ref: '#/components/responses/MethodNotAllowed' },
      '500': { $ref: '#/components/responses/InternalError' },
      '503': { $ref: '#/components/responses/Unavailable' },
    },
  },
};

/** One operation of the document: the table's words, then the operation's own. */
type OpenApiOperation = Omit<Operation, 'parameters'> & {
  operationId: RouteKey;
  security: readonly object[];
  parameters?: readonly object[];
};

/** The document's `paths`, in the route table's order. */
export function openApiPaths(): Record<string, Partial<Record<'get' | 'post', OpenApiOperation>>> {
  const paths: Record<string, Partial<Record<'get' | 'post', OpenApiOperation>>> = {};
  for (const route of ROUTES) {
    const { parameters = [], requestBody, responses, ...words } = OPERATIONS[route.handler];
    const all = [...pathParameterNames(route.path).map(openApiPathParameter), ...parameters];
    const operation: OpenApiOperation = {
      operationId: route.handler,
      ...words,
      security: route.auth === 'public' ? [] : AUTHORIZED,
      ...(all.length === 0 ? {} : { parameters: all }),
      ...(requestBody === undefined ? {} : { requestBody }),
      responses,
    };
    const method = route.method.toLowerCase() as 'get' | 'post';
    if (paths[route.path]?.[method] !== undefined)
      throw new Error(`${routeLabel(route.handler)} is declared twice.`);
    paths[route.path] = { ...paths[route.path], [method]: operation };
  }
  return paths;
}
